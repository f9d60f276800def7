import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startRedis, type RedisServer } from '../e2e/support/redis-server';
import { healthyConnections } from './support/redis';
import { readUntilEnd } from '../e2e/helpers';
import { parseEventId, type ChatRequest } from '../lib/chat/protocol';
import { simulateChat } from '../lib/chat/simulate';
import { chatLimits, createChatRunLog } from '../lib/server/chat-runs';
import { createConnections, type RedisConnections } from '../lib/server/redis/connections';
import { createRedisStore } from '../lib/server/run-log/redis-store';
import type { RunLog, RunLogLimits } from '../lib/server/run-log/run-log';
import { closeAllStreams, createSseResponse } from '../lib/sse/server';
import type { SseEvent } from '../lib/sse/types';

// Two connection sets to one real redis-server, each with its own store, stand for two instances
// of a cluster: what one writes the other reads, cancels and takes over.

const LIMITS: RunLogLimits = { ...chatLimits(), graceMs: 5000, retentionMs: 5000, abandonedRetentionMs: 5000 };
const LEASE_MS = 300;
const meta = { owner: undefined, client: undefined };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (event: Uint8Array) => new TextDecoder().decode(event);

const chat = (seed: number, delayMs: number): ChatRequest => ({ messages: [{ role: 'user', content: 'Explain server-sent events and how they resume.' }], seed, delayMs });

/** The answer an uninterrupted run gives: every token's text, joined. */
function uninterrupted(input: ChatRequest): string {
  return [...simulateChat(input.messages, { seed: input.seed, delayMs: 0 })]
    .filter((step) => step.type === 'token')
    .map((step) => (step.data as { text: string }).text)
    .join('');
}

/** Reads run `id` through `log` (after `afterSeq`) to its end, the way the route does. */
async function readRun(log: RunLog<ChatRequest>, id: string, afterSeq = 0): Promise<SseEvent[]> {
  const opened = await log.open(id, afterSeq, undefined);
  assert.equal(opened.kind, 'stream');
  if (opened.kind !== 'stream') return [];
  const { events, dropped } = await readUntilEnd(createSseResponse({ heartbeatMs: 0, source: opened.source }));
  assert.equal(dropped, false);
  return events;
}

const tokensOf = (events: SseEvent[]) =>
  events
    .filter((event) => event.type === 'token')
    .map((event) => (JSON.parse(event.data) as { text: string }).text)
    .join('');
const seqs = (events: SseEvent[]) => events.filter((event) => event.lastEventId && event.type !== 'resumed').map((event) => parseEventId(event.lastEventId)!.seq);
const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('chat runs shared through Redis', () => {
  let server: RedisServer;
  let a: RedisConnections;
  let b: RedisConnections;
  const stores: { close(): void }[] = [];
  let prefixes = 0;

  /** A store on instance `connections`, with a key prefix of this test's own. */
  function store(connections: RedisConnections, prefix: string, options: { leaseMs?: number; flushMs?: number } = {}) {
    const made = createRedisStore(connections, { prefix, leaseMs: LEASE_MS, ...options });
    stores.push(made);
    return made;
  }
  /** Two instances' stores over one set of keys. */
  function pair(options: { leaseMs?: number; flushMs?: number } = {}): [ReturnType<typeof store>, ReturnType<typeof store>] {
    const prefix = `test:${++prefixes}`;
    return [store(a, prefix, options), store(b, prefix, options)];
  }

  before(async () => {
    server = await startRedis();
    a = await healthyConnections(server.url);
    b = await healthyConnections(server.url);
  });
  afterEach(() => {
    for (const made of stores.splice(0)) made.close();
    closeAllStreams();
  });
  after(async () => {
    await a.close();
    await b.close();
    await server.stop();
  });

  it('events appended on one instance are read, waited for and seen finished on the other, in order', async () => {
    const [one, two] = pair();
    assert.equal(await one.create('r1', meta, 5000, { maxRuns: 10, maxRunningPerClient: 10, maxBytes: 1 << 20 }), 'created');
    const waiting = two.wait('r1', 0, new AbortController().signal);
    assert.equal(await one.append('r1', bytes('one')), 1);
    assert.equal(await one.append('r1', bytes('two')), 2);
    await waiting;
    const read = await two.read('r1', 0, 1 << 20);
    assert.deepEqual(read?.events.map(text), ['one', 'two']);
    assert.equal(read?.state, 'running');
    assert.deepEqual((await two.read('r1', 1, 1 << 20))?.events.map(text), ['two']);
    const finished = two.wait('r1', 2, new AbortController().signal);
    await one.finish('r1', 5000, 5000);
    await finished;
    assert.deepEqual(await two.info('r1'), { owner: undefined, client: undefined, state: 'finished', length: 2, bytes: 6, readers: 0, claimed: false, cancelled: false });
    assert.equal(await two.read('missing', 0, 100), undefined);
  });

  it('batching writes a burst of appends in a few round trips, and readers still get every event once, in order', async () => {
    const [one, two] = pair({ flushMs: 50 });
    await one.create('burst', meta, 5000, { maxRuns: 10, maxRunningPerClient: 10, maxBytes: 1 << 20 });
    const scripts = async () => Number(/cmdstat_eval:calls=(\d+)/.exec(await a.commands().info('commandstats'))?.[1] ?? 0);
    const before = await scripts();
    for (let index = 1; index <= 200; index++) assert.equal(await one.append('burst', bytes(`e${index}`)), index);
    await one.finish('burst', 5000, 5000);
    // One write for the 200 events (or two, had the timer fired mid-burst), one to finish, one for
    // the index: not one per event.
    const used = (await scripts()) - before;
    assert.ok(used <= 6, `${used} script calls for 200 appends`);
    const events: string[] = [];
    let after = 0;
    while (true) {
      const read = await two.read('burst', after, 64);
      assert.ok(read);
      if (read.events.length === 0) break;
      events.push(...read.events.map(text));
      after += read.events.length;
    }
    assert.deepEqual(events, Array.from({ length: 200 }, (_, index) => `e${index + 1}`));
  });

  it('a reader on the other instance follows a live chat run to its end with every event once', async () => {
    const [one, two] = pair();
    const producer = createChatRunLog(one, LIMITS);
    const reader = createChatRunLog(two, LIMITS);
    const input = chat(7, 2);
    assert.deepEqual(await producer.start('live', input, meta), { ok: true });
    const events = await readRun(reader, 'live');
    assert.equal(tokensOf(events), uninterrupted(input));
    const ids = seqs(events);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, index) => index + 1));
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('a resume on the other instance replays exactly the events after the id', async () => {
    const [one, two] = pair();
    const producer = createChatRunLog(one, LIMITS);
    const reader = createChatRunLog(two, LIMITS);
    const input = chat(11, 0);
    await producer.start('again', input, meta);
    const whole = await readRun(producer, 'again');
    const resumed = await readRun(reader, 'again', 5);
    assert.deepEqual(
      resumed.filter((event) => event.type !== 'resumed').map((event) => [event.lastEventId, event.type, event.data]),
      whole.slice(5).map((event) => [event.lastEventId, event.type, event.data]),
    );
  });

  it('Stop through one instance ends a run produced by the other, with done (abort)', async () => {
    const [one, two] = pair();
    const producer = createChatRunLog(one, LIMITS);
    const other = createChatRunLog(two, LIMITS);
    await producer.start('stop', chat(3, 40), meta);
    const reading = readRun(other, 'stop');
    await until('a token', async () => ((await two.info('stop'))?.length ?? 0) >= 3);
    assert.equal(await other.cancel('stop', undefined), true);
    const events = await reading;
    const last = events.at(-1);
    assert.equal(last?.type, 'done');
    assert.equal((JSON.parse(last!.data) as { finishReason: string }).finishReason, 'abort');
    assert.equal((await one.info('stop'))?.cancelled, true);
    assert.equal(await other.cancel('stop', undefined), true, 'a finished run stays as it is');
  });

  it('a run nobody reads expires in Redis, and its producer sees it gone', async () => {
    const [one, two] = pair();
    await one.create('short', meta, 200, { maxRuns: 10, maxRunningPerClient: 10, maxBytes: 1 << 20 });
    const watching = one.watch('short', new AbortController().signal);
    assert.ok(await two.info('short'));
    assert.equal(await watching, 'gone');
    assert.equal(await two.info('short'), undefined);
    assert.equal(await one.append('short', bytes('late')), 0);
  });

  it('the per-client cap and maxRuns hold across instances; the oldest finished run is evicted first', async () => {
    const [one, two] = pair();
    const limits = { maxRuns: 2, maxRunningPerClient: 1, maxBytes: 1 << 20 };
    assert.equal(await one.create('c1', { owner: undefined, client: 'x' }, 5000, limits), 'created');
    assert.equal(await two.create('c2', { owner: undefined, client: 'x' }, 5000, limits), 'client_busy');
    assert.equal(await two.create('c3', { owner: undefined, client: 'y' }, 5000, limits), 'created');
    assert.equal(await two.create('c4', meta, 5000, limits), 'full', 'two running runs fill it');
    await one.finish('c1', 5000, 5000);
    assert.equal(await two.create('c5', { owner: undefined, client: 'x' }, 5000, limits), 'created', 'the finished one made room');
    assert.equal(await one.info('c1'), undefined);
    assert.deepEqual(await one.usage(), { running: 2, held: 2, bytes: 0 });
  });

  it('a producer that dies mid-answer is taken over by the instance whose reader waits: exactly the uninterrupted text', async () => {
    const [one, two] = pair();
    const dying = createChatRunLog(one, LIMITS);
    const taking = createChatRunLog(two, LIMITS);
    const input = chat(42, 10);
    await dying.start('takeover', input, meta);
    const reading = readRun(taking, 'takeover');
    await until('some tokens', async () => ((await two.info('takeover'))?.length ?? 0) >= 8);
    one.close(); // SIGKILL: no more writes, no renewal, no finish
    const events = await reading;
    assert.equal(tokensOf(events), uninterrupted(input));
    const ids = seqs(events);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, index) => index + 1), 'no event lost or repeated');
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal((JSON.parse(events.at(-1)!.data) as { finishReason: string }).finishReason, 'stop');
    // The whole log, replayed, is the same.
    assert.equal(tokensOf(await readRun(taking, 'takeover')), uninterrupted(input));
  });

  it('with takeover off, readers of a run whose producer died get error producer_lost and the end', async () => {
    const [one, two] = pair();
    const dying = createChatRunLog(one, LIMITS);
    const ending = createChatRunLog(two, LIMITS, false);
    await dying.start('lost', chat(5, 10), meta);
    const reading = readRun(ending, 'lost');
    await until('some tokens', async () => ((await two.info('lost'))?.length ?? 0) >= 4);
    one.close();
    const events = await reading;
    const last = events.at(-1)!;
    assert.equal(last.type, 'error');
    assert.equal((JSON.parse(last.data) as { code: string }).code, 'producer_lost');
    const ids = seqs(events);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, index) => index + 1));
    assert.equal((await two.info('lost'))?.state, 'finished');
  });

  it('a live producer keeps its run: readers elsewhere never take it over', async () => {
    const [one, two] = pair();
    const producer = createChatRunLog(one, LIMITS);
    const reader = createChatRunLog(two, LIMITS, false);
    const input = chat(9, 5);
    await producer.start('alive', input, meta);
    // Longer than several leases: the producer renews, so no producer_lost is written.
    const events = await readRun(reader, 'alive');
    assert.equal(tokensOf(events), uninterrupted(input));
    assert.equal(events.at(-1)?.type, 'done');
  });
});

describe('chat runs when Redis goes away', () => {
  it('a reader waiting on a run is not left hanging: its stream ends, and a new start is refused until Redis is back', { timeout: 30_000 }, async () => {
    const server = await startRedis();
    const one = createConnections(server.url);
    const two = createConnections(server.url);
    const stores = [createRedisStore(one, { prefix: 'down', leaseMs: LEASE_MS }), createRedisStore(two, { prefix: 'down', leaseMs: LEASE_MS })];
    try {
      assert.deepEqual(await one.health(), { status: 'ok' });
      assert.deepEqual(await two.health(), { status: 'ok' });
      const producer = createChatRunLog(stores[0]!, LIMITS);
      const reader = createChatRunLog(stores[1]!, LIMITS);
      await producer.start('down', chat(1, 200), meta);
      const opened = await reader.open('down', 0, undefined);
      assert.equal(opened.kind, 'stream');
      if (opened.kind !== 'stream') return;
      const reading = readUntilEnd(createSseResponse({ heartbeatMs: 0, source: opened.source }));
      await until('a first event', async () => ((await stores[1]!.info('down'))?.length ?? 0) >= 1);
      await server.kill();
      // It ends (rather than waiting for ever); whether it had read the first event first is a race.
      assert.equal((await reading).dropped, false);
      await assert.rejects(producer.start('after', chat(1, 0), meta));
      await server.restart();
      await until('Redis back', async () => (await one.health()).status === 'ok' && (await two.health()).status === 'ok', 10_000);
      assert.deepEqual(await producer.start('after', chat(1, 0), meta), { ok: true });
    } finally {
      for (const store of stores) store.close();
      closeAllStreams();
      await one.close();
      await two.close();
      await server.stop();
    }
  });
});
