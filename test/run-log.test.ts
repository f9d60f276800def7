import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { createMemoryStore } from '../lib/server/run-log/memory-store';
import { createRunLog, type RunLog, type RunLogLimits } from '../lib/server/run-log/run-log';
import { closeAllStreams, createSseResponse } from '../lib/sse/server';
import type { EventInput, SseEvent } from '../lib/sse/types';
import { flush } from './support/timers';
import { readUntilEnd } from '../e2e/helpers';

/** A producer the test drives: it yields what is pushed, and counts what it yielded and was then asked past. */
class Script {
  private pending: EventInput[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  /** Events after whose `yield` the producer ran on: the ones the log took. */
  taken = 0;
  signal: AbortSignal | undefined;
  returned = false;

  push(...events: EventInput[]): void {
    this.pending.push(...events);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *events(signal: AbortSignal): AsyncGenerator<EventInput> {
    this.signal = signal;
    try {
      while (true) {
        if (signal.aborted) {
          if (signal.reason === 'cancelled') yield { event: 'done', data: { stopped: true, taken: this.taken } };
          return;
        }
        const next = this.pending.shift();
        if (next) {
          yield next;
          this.taken++;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    } finally {
      this.returned = true;
    }
  }
}

const LIMITS: RunLogLimits = {
  graceMs: 1000,
  retentionMs: 10_000,
  abandonedRetentionMs: 2000,
  maxRuns: 100,
  maxRunningPerClient: 100,
  maxLogBytes: 64 * 1024,
  maxTotalBytes: 1024 * 1024,
};

function setup(limits: Partial<RunLogLimits> = {}) {
  const store = createMemoryStore();
  const log: RunLog<Script> = createRunLog<Script>({
    store,
    limits: { ...LIMITS, ...limits },
    makeStream: (script, signal) => script.events(signal),
    eventId: (runId, seq) => `${runId}:${seq}`,
    tooLarge: { event: 'error', data: 'too large' },
    failed: { event: 'error', data: 'failed' },
    resumed: (runId, afterSeq, replayed) => ({ event: 'resumed', data: { after: `${runId}:${afterSeq}`, replayed } }),
  });
  return { store, log };
}

const meta = { owner: undefined, client: undefined };
const token = (text: string): EventInput => ({ event: 'token', data: text });

/** Opens a run for reading, the way the route does, and returns the response's reader. */
async function openStream(log: RunLog<Script>, id: string, afterSeq = 0, principal?: string, options: { maxQueuedBytes?: number; dropAfter?: number; starting?: boolean } = {}) {
  const { starting, ...settings } = options;
  const opened = await log.open(id, afterSeq, principal, starting);
  if (opened.kind !== 'stream') return { opened, response: undefined };
  const response = createSseResponse({ heartbeatMs: 0, ...settings, source: opened.source });
  return { opened, response };
}

const texts = (events: SseEvent[]) => events.filter((event) => event.type === 'token').map((event) => event.data);
const seqOf = (event: SseEvent) => Number(event.lastEventId.split(':')[1]);

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
});

afterEach(() => {
  mock.timers.reset();
  closeAllStreams();
});

describe('the run log: grace period and retention', () => {
  test('a run nobody attaches to is stopped and dropped once the grace period is over, not before', async () => {
    const { log, store } = setup();
    const script = new Script();
    assert.deepEqual(await log.start('r', script, meta), { ok: true });
    script.push(token('a'));
    await flush();
    mock.timers.tick(999);
    await flush();
    assert.equal((await store.info('r'))?.state, 'running');
    mock.timers.tick(1);
    await flush();
    assert.equal(await store.info('r'), undefined);
    assert.equal(script.signal?.reason, 'gone');
    assert.equal(script.returned, true);
    assert.equal(store.timers, 0);
  });

  test('an attached reader holds the run past the grace period; when it leaves, the grace period starts again', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    const { response } = await openStream(log, 'r');
    await flush();
    mock.timers.tick(5000);
    await flush();
    assert.equal((await store.info('r'))?.state, 'running');
    await response!.body!.cancel();
    await flush();
    mock.timers.tick(999);
    await flush();
    assert.equal((await store.info('r'))?.state, 'running');
    mock.timers.tick(1);
    await flush();
    assert.equal(await store.info('r'), undefined);
  });

  test('a finished run a reader was attached to is kept for the retention time, then gone', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    const { response } = await openStream(log, 'r');
    const reading = readUntilEnd(response!);
    script.push(token('a'), { event: 'done', data: 'end' });
    script.end();
    const { events } = await reading;
    assert.deepEqual(events.map((event) => event.type), ['token', 'done']);
    assert.equal((await store.info('r'))?.state, 'finished');
    mock.timers.tick(9999);
    assert.equal((await store.info('r'))?.state, 'finished');
    mock.timers.tick(1);
    assert.equal(await store.info('r'), undefined);
    assert.equal(store.timers, 0);
  });

  test('an abandoned run (its starter left, nobody came back) is kept for the shorter abandoned retention', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    const { response } = await openStream(log, 'r', 0, undefined, { starting: true });
    await flush();
    await response!.body!.cancel();
    script.push(token('a'));
    script.end();
    await flush();
    assert.equal((await store.info('r'))?.state, 'finished');
    mock.timers.tick(1999);
    assert.equal((await store.info('r'))?.state, 'finished');
    mock.timers.tick(1);
    assert.equal(await store.info('r'), undefined);
  });

  test('a client coming back for an abandoned run keeps it for the full retention from then', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    script.push(token('a'));
    script.end();
    await flush();
    mock.timers.tick(1500);
    const { response } = await openStream(log, 'r');
    assert.deepEqual(texts((await readUntilEnd(response!)).events), ['a']);
    mock.timers.tick(9999);
    assert.equal((await store.info('r'))?.state, 'finished');
    mock.timers.tick(1);
    assert.equal(await store.info('r'), undefined);
  });
});

describe('the run log: caps', () => {
  test('past the run cap the oldest finished run is evicted; with only running runs, a new run is refused', async () => {
    const { log, store } = setup({ maxRuns: 2 });
    const first = new Script();
    await log.start('a', first, meta);
    first.end();
    await flush();
    await log.start('b', new Script(), meta);
    assert.deepEqual(await log.start('c', new Script(), meta), { ok: true });
    assert.equal(await store.info('a'), undefined, 'the finished run made room');
    assert.deepEqual(await log.start('d', new Script(), meta), { ok: false, reason: 'full' });
    assert.deepEqual(await store.usage(), { running: 2, held: 2, bytes: 0 });
  });

  test('a client may have maxRunningPerClient runs running; a run that stops frees its slot', async () => {
    const { log } = setup({ maxRunningPerClient: 2 });
    const client = { owner: undefined, client: '10.0.0.1' };
    const first = new Script();
    await log.start('a', first, client);
    await log.start('b', new Script(), client);
    assert.deepEqual(await log.start('c', new Script(), client), { ok: false, reason: 'client_busy' });
    assert.deepEqual(await log.start('c', new Script(), { owner: undefined, client: '10.0.0.2' }), { ok: true });
    first.end();
    await flush();
    assert.deepEqual(await log.start('d', new Script(), client), { ok: true });
  });

  test('a run whose client left still counts against it until it stops', async () => {
    const { log } = setup({ maxRunningPerClient: 1 });
    const client = { owner: undefined, client: '10.0.0.1' };
    await log.start('a', new Script(), client);
    const { response } = await openStream(log, 'a');
    await response!.body!.cancel();
    await flush();
    assert.deepEqual(await log.start('b', new Script(), client), { ok: false, reason: 'client_busy' });
    mock.timers.tick(1000);
    await flush();
    assert.deepEqual(await log.start('b', new Script(), client), { ok: true });
  });

  test('past the byte budget the oldest finished runs go first; new runs are refused only when running ones fill it', async () => {
    const { log, store } = setup({ maxTotalBytes: 2000 });
    const big = (text: string) => token(text.repeat(600));
    for (const id of ['a', 'b']) {
      const script = new Script();
      await log.start(id, script, meta);
      script.push(big(id));
      script.end();
      await flush();
    }
    const running = new Script();
    await log.start('c', running, meta);
    running.push(big('c'));
    await flush();
    // a, b and c hold about 1,900 bytes: a new run fits, and nothing was evicted yet.
    assert.ok((await store.info('a')) && (await store.info('b')));
    running.push(big('d'));
    await flush();
    // c grew past the budget: the oldest finished run went, the next oldest stays.
    assert.equal(await store.info('a'), undefined);
    assert.ok(await store.info('b'));
    assert.deepEqual(await log.start('e', new Script(), meta), { ok: true });
    running.push(big('f'), big('g'));
    await flush();
    // Running runs alone now hold more than the budget: every finished run went, new runs wait.
    assert.equal(await store.info('b'), undefined);
    assert.ok((await store.usage()).bytes >= 2000);
    assert.deepEqual(await log.start('f', new Script(), meta), { ok: false, reason: 'full' });
  });

  test('a run that would outgrow the log limit ends with the too-large event, and the producer counts only logged events', async () => {
    const { log, store } = setup({ maxLogBytes: 200 });
    const script = new Script();
    await log.start('r', script, meta);
    for (let i = 0; i < 10; i++) script.push(token(`token number ${i}`));
    await flush();
    const info = await store.info('r');
    assert.equal(info?.state, 'finished');
    const { response } = await openStream(log, 'r');
    const { events } = await readUntilEnd(response!);
    const tokens = events.filter((event) => event.type === 'token');
    assert.equal(events.at(-1)?.type, 'error');
    assert.equal(events.at(-1)?.data, 'too large');
    assert.ok(tokens.length > 0 && tokens.length < 10);
    // What the producer reports (like a usage count) must match what the log holds.
    assert.equal(script.taken, tokens.length);
    assert.equal(script.signal?.reason, 'too_large');
    // The tokens fit in the limit; only the closing error may go past it.
    const closing = new TextEncoder().encode(`id: r:${events.length}\nevent: error\ndata: too large\n\n`).byteLength;
    assert.ok(info!.bytes - closing <= 200);
  });
});

describe('the run log: cancel', () => {
  test('cancel lets the producer log its final event, then ends every attached stream', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    const { response } = await openStream(log, 'r');
    const reading = readUntilEnd(response!);
    script.push(token('a'), token('b'));
    await flush();
    assert.equal(await log.cancel('r', undefined), true);
    const { events } = await reading;
    assert.deepEqual(events.map((event) => event.type), ['token', 'token', 'done']);
    assert.deepEqual(JSON.parse(events[2]!.data), { stopped: true, taken: 2 });
    assert.equal((await store.info('r'))?.state, 'finished');
  });

  test('cancelling a finished run changes nothing; an unknown run or someone else’s answers false', async () => {
    const { log, store } = setup();
    const script = new Script();
    await log.start('r', script, { owner: 'session:alice', client: undefined });
    script.push(token('a'));
    script.end();
    await flush();
    assert.equal(await log.cancel('r', 'session:bob'), false);
    assert.equal(await log.cancel('r', undefined), false);
    assert.equal(await log.cancel('nope', 'session:alice'), false);
    assert.equal(await log.cancel('r', 'session:alice'), true);
    assert.equal((await store.info('r'))?.length, 1);
  });
});

describe('the run log: resuming at every boundary', () => {
  test('before the first event: the reader waits, then gets every event live', async () => {
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    const { response } = await openStream(log, 'r');
    const reading = readUntilEnd(response!);
    await flush();
    script.push(token('a'), token('b'));
    script.end();
    const { events } = await reading;
    assert.deepEqual(texts(events), ['a', 'b']);
    assert.deepEqual(events.map(seqOf), [1, 2]);
  });

  test('mid-run: replays after the cursor, says resumed under the last replayed id, then follows live', async () => {
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    script.push(token('a'), token('b'), token('c'));
    await flush();
    const { response } = await openStream(log, 'r', 1);
    const reading = readUntilEnd(response!);
    await flush();
    script.push(token('d'));
    script.end();
    const { events } = await reading;
    assert.deepEqual(events.map((event) => event.type), ['token', 'token', 'resumed', 'token']);
    assert.deepEqual(texts(events), ['b', 'c', 'd']);
    assert.deepEqual(JSON.parse(events[2]!.data), { after: 'r:1', replayed: 2 });
    assert.deepEqual(events.map(seqOf), [2, 3, 3, 4]);
  });

  test('after done: a cursor on the last event has nothing more; an earlier one replays the rest and ends', async () => {
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    script.push(token('a'), { event: 'done', data: 'end' });
    script.end();
    await flush();
    assert.deepEqual((await openStream(log, 'r', 2)).opened, { kind: 'finished' });
    const { response } = await openStream(log, 'r', 1);
    const { events } = await readUntilEnd(response!);
    assert.deepEqual(events.map((event) => event.type), ['done', 'resumed']);
  });

  test('after expiry: the run is unknown, from any cursor', async () => {
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    script.end();
    await flush();
    mock.timers.tick(2000);
    assert.deepEqual((await openStream(log, 'r', 0)).opened, { kind: 'unknown' });
    assert.deepEqual((await openStream(log, 'r', 1)).opened, { kind: 'unknown' });
  });

  test('a run bound to a principal is unknown to every other principal and to none', async () => {
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, { owner: 'bearer:abc', client: undefined });
    script.push(token('a'));
    await flush();
    assert.deepEqual((await openStream(log, 'r', 0, 'bearer:xyz')).opened, { kind: 'unknown' });
    assert.deepEqual((await openStream(log, 'r', 0, undefined)).opened, { kind: 'unknown' });
    assert.equal((await openStream(log, 'r', 0, 'bearer:abc')).opened.kind, 'stream');
  });
});

describe('the run log: replay under backpressure', () => {
  test('a replay ten times the queue bound reaches a reader that reads, without a cut-off', async () => {
    const { log } = setup({ maxLogBytes: 1024 * 1024 });
    const script = new Script();
    await log.start('r', script, meta);
    for (let i = 0; i < 400; i++) script.push(token(`${i}`.padEnd(100, '.')));
    script.end();
    await flush();
    const { response } = await openStream(log, 'r', 0, undefined, { maxQueuedBytes: 4096 });
    const { events, dropped } = await readUntilEnd(response!);
    assert.equal(dropped, false);
    assert.equal(texts(events).length, 400);
    assert.deepEqual(events.map(seqOf), events.map((_, index) => index + 1));
  });

  test('dropAfter N delivers exactly N replayed events before the drop, and a resume from there gets the rest', async () => {
    // The drop waits a turn of the event loop (a zero timeout): real timers here.
    mock.timers.reset();
    const { log } = setup();
    const script = new Script();
    await log.start('r', script, meta);
    for (let i = 1; i <= 20; i++) script.push(token(String(i)));
    script.end();
    await flush();
    const received: string[] = [];
    let cursor = 0;
    for (let connection = 0; connection < 10; connection++) {
      const { response } = await openStream(log, 'r', cursor, undefined, { dropAfter: 6 });
      if (!response) break;
      const { events, dropped } = await readUntilEnd(response);
      const tokens = texts(events);
      received.push(...tokens);
      cursor = seqOf(events.at(-1)!);
      if (!dropped) break;
      assert.equal(events.length, 6);
    }
    assert.deepEqual(received, Array.from({ length: 20 }, (_, index) => String(index + 1)));
  });
});
