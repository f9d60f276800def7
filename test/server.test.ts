import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import {
  closeAllStreams,
  createSseResponse,
  getStreamStats,
  type SseConnection,
  type SseResponseOptions,
} from '../lib/sse/server';
import { toBytes } from '../lib/sse/encoder';

interface Opened {
  response: Response;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  connection: SseConnection;
  /** How many times the producer's cleanup has run. */
  readonly cleanups: number;
}

/** Opens a stream (heartbeats off unless asked for) whose producer counts its cleanups. */
function open(options: Partial<SseResponseOptions> = {}): Opened {
  let connection: SseConnection | undefined;
  let cleanups = 0;
  const response = createSseResponse({
    heartbeatMs: 0,
    ...options,
    start(c) {
      connection = c;
      options.start?.(c);
      return () => {
        cleanups++;
      };
    },
  });
  assert.ok(response.body);
  assert.ok(connection, 'start runs while the response is created');
  return {
    response,
    reader: response.body.getReader(),
    connection,
    get cleanups() {
      return cleanups;
    },
  };
}

const decoder = new TextDecoder();

async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | undefined> {
  const { done, value } = await reader.read();
  return done ? undefined : decoder.decode(value);
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = '';
  for (let chunk = await readChunk(reader); chunk !== undefined; chunk = await readChunk(reader)) text += chunk;
  return text;
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  mock.restoreAll();
  mock.timers.reset();
  // A failed test must not leave streams open for the next one's counts.
  closeAllStreams();
});

describe('createSseResponse: response', () => {
  test('answers 200 with exactly the event-stream headers and no Connection header', () => {
    const { response, connection } = open();
    assert.equal(response.status, 200);
    assert.deepEqual(
      [...response.headers].sort(),
      [
        ['cache-control', 'no-cache, no-transform'],
        ['content-type', 'text/event-stream; charset=utf-8'],
        ['x-accel-buffering', 'no'],
      ],
    );
    assert.equal(response.headers.has('connection'), false);
    connection.close();
  });

  test('adds extra headers, but an extra header cannot replace an event-stream one', () => {
    const { response, connection } = open({ headers: { 'X-Trace': 'abc', 'Content-Type': 'text/plain' } });
    assert.equal(response.headers.get('x-trace'), 'abc');
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    connection.close();
  });

  test('sends retry: 1000 as the very first bytes, before anything the producer sends', async () => {
    const { reader, connection } = open({ start: (c) => void c.send({ data: 'hi' }) });
    assert.equal(await readChunk(reader), 'retry: 1000\n');
    assert.equal(await readChunk(reader), 'data: hi\n\n');
    connection.close();
  });

  test('sends the retry option in place of the default', async () => {
    const { reader, connection } = open({ retry: 50 });
    assert.equal(await readChunk(reader), 'retry: 50\n');
    connection.close();
  });

  test('sends the producer’s events, comments and raw bytes encoded exactly, in order', async () => {
    const { reader, connection } = open({
      start(c) {
        assert.equal(c.send({ event: 'tick', id: 1, data: { n: 1 } }), true);
        assert.equal(c.send({ data: 'two\nlines' }), true);
        assert.equal(c.comment('note'), true);
        assert.equal(c.sendBytes(toBytes('data: raw\n\n')), true);
      },
    });
    connection.close();
    assert.equal(
      await readAll(reader),
      'retry: 1000\nid: 1\nevent: tick\ndata: {"n":1}\n\ndata: two\ndata: lines\n\n: note\ndata: raw\n\n',
    );
  });

  test('throws the producer’s error from createSseResponse and counts the stream closed by error', () => {
    const before = getStreamStats();
    assert.throws(
      () =>
        createSseResponse({
          heartbeatMs: 0,
          start() {
            throw new Error('producer failed');
          },
        }),
      { message: 'producer failed' },
    );
    const after = getStreamStats();
    assert.equal(after.openStreams, before.openStreams);
    assert.equal(after.closedByReason.error, before.closedByReason.error + 1);
  });
});

describe('createSseResponse: ending and cleanup', () => {
  test('runs the cleanup once when the reader cancels the stream', async () => {
    const before = getStreamStats();
    const stream = open();
    await stream.reader.cancel();
    assert.equal(stream.cleanups, 1);
    assert.equal(stream.connection.closed, true);
    assert.equal(stream.connection.signal.aborted, true);
    assert.equal(getStreamStats().closedByReason.client, before.closedByReason.client + 1);
  });

  test('runs the cleanup once when the request signal aborts, and ends the stream', async () => {
    const request = new AbortController();
    const stream = open({ signal: request.signal });
    request.abort();
    assert.equal(stream.cleanups, 1);
    assert.equal(stream.connection.closed, true);
    assert.equal(await readAll(stream.reader), 'retry: 1000\n');
  });

  test('runs the cleanup once when the producer closes the stream, and ends it after what was sent', async () => {
    const before = getStreamStats();
    const stream = open({ start: (c) => void c.send({ data: 'last' }) });
    stream.connection.close();
    stream.connection.close();
    assert.equal(stream.cleanups, 1);
    assert.equal(await readAll(stream.reader), 'retry: 1000\ndata: last\n\n');
    assert.equal(getStreamStats().closedByReason.server, before.closedByReason.server + 1);
  });

  test('calls onClose once, whichever way the stream ends (cancel, abort, producer close)', async () => {
    let calls = 0;
    const onClose = () => calls++;
    const cancelled = open({ onClose });
    await cancelled.reader.cancel();
    assert.equal(calls, 1);
    const request = new AbortController();
    open({ onClose, signal: request.signal });
    request.abort();
    request.abort();
    assert.equal(calls, 2);
    const closed = open({ onClose });
    closed.connection.close();
    closed.connection.close();
    assert.equal(calls, 3);
  });

  test('runs the cleanup once when the stream is cancelled and then the request aborts', async () => {
    const request = new AbortController();
    const stream = open({ signal: request.signal });
    await stream.reader.cancel();
    request.abort();
    assert.equal(stream.cleanups, 1);
  });

  test('runs the cleanup once when the request aborts and then the stream is cancelled', async () => {
    const request = new AbortController();
    const stream = open({ signal: request.signal });
    request.abort();
    await stream.reader.cancel();
    stream.connection.close();
    assert.equal(stream.cleanups, 1);
  });

  test('runs the cleanup of a producer that closes the stream inside start', async () => {
    const stream = open({
      start(c) {
        c.send({ data: 'only' });
        c.close();
      },
    });
    assert.equal(stream.cleanups, 1);
    assert.equal(await readAll(stream.reader), 'retry: 1000\ndata: only\n\n');
  });

  test('never starts the producer when the request was aborted before the stream opened', async () => {
    const before = getStreamStats();
    let started = false;
    const response = createSseResponse({
      signal: AbortSignal.abort(),
      heartbeatMs: 0,
      start() {
        started = true;
      },
    });
    assert.ok(response.body);
    assert.equal(await readAll(response.body.getReader()), '');
    assert.equal(started, false);
    assert.equal(getStreamStats().openStreams, before.openStreams);
  });

  test('enqueues nothing after close: send, sendBytes and comment return false', async () => {
    const stream = open();
    stream.connection.close();
    assert.equal(stream.connection.send({ data: 'late' }), false);
    assert.equal(stream.connection.sendBytes(toBytes('data: late\n\n')), false);
    assert.equal(stream.connection.comment('late'), false);
    assert.equal(await readAll(stream.reader), 'retry: 1000\n');
  });

  test('aborts the connection’s signal when the stream ends', () => {
    const stream = open();
    const { signal } = stream.connection;
    assert.equal(signal.aborted, false);
    stream.connection.close();
    assert.equal(signal.aborted, true);
  });
});

describe('createSseResponse: stats', () => {
  test('counts open streams per label and returns to the baseline once they close', async () => {
    const before = getStreamStats();
    const a1 = open({ label: 'stats-a' });
    const a2 = open({ label: 'stats-a' });
    const b1 = open({ label: 'stats-b' });
    let stats = getStreamStats();
    assert.equal(stats.openStreams, before.openStreams + 3);
    assert.equal(stats.openByLabel['stats-a'], 2);
    assert.equal(stats.openByLabel['stats-b'], 1);

    await a1.reader.cancel();
    stats = getStreamStats();
    assert.equal(stats.openStreams, before.openStreams + 2);
    assert.equal(stats.openByLabel['stats-a'], 1);

    a2.connection.close();
    b1.connection.close();
    stats = getStreamStats();
    assert.equal(stats.openStreams, before.openStreams);
    assert.deepEqual(stats.openByLabel, before.openByLabel);
  });

  test('counts streams without a label under "default"', () => {
    const before = getStreamStats().openByLabel.default ?? 0;
    const stream = open();
    assert.equal(getStreamStats().openByLabel.default, before + 1);
    stream.connection.close();
  });

  test('counts sent events, but not comments, heartbeats or sends after close', () => {
    const before = getStreamStats().eventsSent;
    const stream = open();
    stream.connection.send({ data: 'a' });
    stream.connection.sendBytes(toBytes('data: b\n\n'));
    stream.connection.comment('c');
    assert.equal(getStreamStats().eventsSent, before + 2);
    stream.connection.close();
    stream.connection.send({ data: 'd' });
    assert.equal(getStreamStats().eventsSent, before + 2);
  });
});

describe('createSseResponse: slow readers', () => {
  // 'retry: 1000\n' is 12 bytes; an event of n characters of data is n + 8 bytes.
  test('keeps a reader that never reads while the queue is at most maxQueuedBytes', () => {
    const stream = open({ maxQueuedBytes: 64 });
    assert.equal(stream.connection.send({ data: 'x'.repeat(44) }), true);
    assert.equal(stream.connection.closed, false);
    stream.connection.close();
  });

  test('cuts off a reader that never reads once more than maxQueuedBytes would be queued', async () => {
    const before = getStreamStats();
    const stream = open({ maxQueuedBytes: 64 });
    assert.equal(stream.connection.send({ data: 'x'.repeat(44) }), true);
    assert.equal(stream.connection.send({ data: '' }), false);
    assert.equal(stream.connection.closed, true);
    assert.equal(stream.cleanups, 1);
    const after = getStreamStats();
    assert.equal(after.closedByReason.slow, before.closedByReason.slow + 1);
    assert.equal(after.openStreams, before.openStreams);
    // The event that did not fit is not counted as sent.
    assert.equal(after.eventsSent, before.eventsSent + 1);
    await assert.rejects(stream.reader.read(), { name: 'AbortError', message: 'Client too slow: stream cut off.' });
  });

  test('never cuts off a reader that keeps up, however much passes through', async () => {
    const stream = open({ maxQueuedBytes: 64 });
    assert.equal(await readChunk(stream.reader), 'retry: 1000\n');
    for (let i = 0; i < 20; i++) {
      const next = readChunk(stream.reader);
      assert.equal(stream.connection.send({ data: 'x'.repeat(50) }), true);
      assert.equal(await next, `data: ${'x'.repeat(50)}\n\n`);
    }
    assert.equal(stream.connection.closed, false);
    stream.connection.close();
  });
});

describe('createSseResponse: heartbeats', () => {
  /** Wraps the current setInterval and clearInterval; returns the handles created and those still live. */
  function trackIntervals(): { created: unknown[]; live: Set<unknown> } {
    const created: unknown[] = [];
    const live = new Set<unknown>();
    const set = globalThis.setInterval;
    const clear = globalThis.clearInterval;
    mock.method(globalThis, 'setInterval', (callback: () => void, ms?: number) => {
      const handle = set(callback, ms);
      created.push(handle);
      live.add(handle);
      return handle;
    });
    mock.method(globalThis, 'clearInterval', (handle: ReturnType<typeof setInterval> | undefined) => {
      live.delete(handle);
      clear(handle);
    });
    return { created, live };
  }

  test('sends ": ping" to every open stream on each interval, from one shared timer', async () => {
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const intervals = trackIntervals();
    const streams = [open({ heartbeatMs: 5000 }), open({ heartbeatMs: 5000 }), open({ heartbeatMs: 5000 })];
    for (const stream of streams) assert.equal(await readChunk(stream.reader), 'retry: 1000\n');
    assert.equal(intervals.created.length, 1);

    for (let beat = 0; beat < 2; beat++) {
      const reads = streams.map((stream) => readChunk(stream.reader));
      await flush();
      mock.timers.tick(4999);
      await flush();
      mock.timers.tick(1);
      assert.deepEqual(await Promise.all(reads), [': ping\n', ': ping\n', ': ping\n']);
    }

    streams[0]?.connection.close();
    assert.equal(intervals.live.size, 1);
    const reads = streams.slice(1).map((stream) => readChunk(stream.reader));
    mock.timers.tick(5000);
    assert.deepEqual(await Promise.all(reads), [': ping\n', ': ping\n']);

    streams[1]?.connection.close();
    await streams[2]?.reader.cancel();
    assert.equal(intervals.live.size, 0);
    assert.equal(await readAll(streams[0]!.reader), '');
  });

  test('starts a fresh heartbeat timer for a stream opened after the last one closed', async () => {
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const intervals = trackIntervals();
    open({ heartbeatMs: 5000 }).connection.close();
    const stream = open({ heartbeatMs: 5000 });
    assert.equal(intervals.created.length, 2);
    assert.equal(intervals.live.size, 1);
    assert.equal(await readChunk(stream.reader), 'retry: 1000\n');
    const read = readChunk(stream.reader);
    mock.timers.tick(5000);
    assert.equal(await read, ': ping\n');
    stream.connection.close();
    assert.equal(intervals.live.size, 0);
  });

  test('cuts off a never-reading stream through its heartbeats once they overflow its queue', () => {
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const before = getStreamStats().closedByReason.slow;
    // 12 bytes of retry, then 7 bytes a ping: two pings fit in 30, the third does not.
    const stream = open({ heartbeatMs: 1000, maxQueuedBytes: 30 });
    mock.timers.tick(2000);
    assert.equal(stream.connection.closed, false);
    mock.timers.tick(1000);
    assert.equal(stream.connection.closed, true);
    assert.equal(getStreamStats().closedByReason.slow, before + 1);
  });
});

describe('closeAllStreams', () => {
  test('closes every open stream as a shutdown and says how many it closed', async () => {
    const before = getStreamStats();
    const streams = [open({ label: 'shutdown' }), open({ label: 'shutdown' })];
    assert.equal(closeAllStreams(), before.openStreams + 2);
    const after = getStreamStats();
    assert.equal(after.openStreams, 0);
    assert.equal(after.openByLabel.shutdown, undefined);
    assert.equal(after.closedByReason.shutdown, before.closedByReason.shutdown + before.openStreams + 2);
    for (const stream of streams) {
      assert.equal(stream.cleanups, 1);
      assert.equal(await readAll(stream.reader), 'retry: 1000\n');
    }
    assert.equal(closeAllStreams(), 0);
  });
});

describe('createSseResponse: pulled sources and drops', () => {
  test('a drop (dropAfter) happens only once the client has read the events before it', async () => {
    const before = getStreamStats();
    const stream = open({
      dropAfter: 3,
      start(connection) {
        for (let i = 1; i <= 5; i++) connection.send({ data: String(i) });
      },
    });
    // The events past the third are refused, but the first three are still there to read.
    assert.equal(stream.connection.closed, false);
    assert.equal(await readChunk(stream.reader), 'retry: 1000\n');
    assert.equal(await readChunk(stream.reader), 'data: 1\n\n');
    assert.equal(await readChunk(stream.reader), 'data: 2\n\n');
    assert.equal(await readChunk(stream.reader), 'data: 3\n\n');
    await assert.rejects(stream.reader.read(), { name: 'AbortError', message: 'Connection dropped on purpose.' });
    assert.equal(stream.cleanups, 1);
    assert.equal(getStreamStats().eventsSent, before.eventsSent + 3);
    assert.equal(getStreamStats().closedByReason.dropped, before.closedByReason.dropped + 1);
  });

  test('a source is pulled only as the client reads, and its sends are not cut off by the queue bound', async () => {
    let pulls = 0;
    let closes = 0;
    const big = 'x'.repeat(3000);
    const response = createSseResponse({
      heartbeatMs: 0,
      maxQueuedBytes: 1024,
      source: {
        pull(connection) {
          pulls++;
          // Two events per pull, each over the queue bound on its own.
          connection.send({ data: big });
          connection.send({ data: big });
          if (pulls === 10) connection.close();
        },
        close() {
          closes++;
        },
      },
    });
    const reader = response.body!.getReader();
    assert.equal(await readChunk(reader), 'retry: 1000\n');
    await flush();
    assert.equal(pulls, 0, 'nothing pulled before the client asks');
    let events = 0;
    for (let chunk = await readChunk(reader); chunk !== undefined; chunk = await readChunk(reader)) {
      assert.equal(chunk, `data: ${big}\n\n`);
      events++;
      // At most the pull that produced this chunk has run: nothing runs ahead of the reader.
      assert.ok(pulls <= Math.ceil(events / 2) + 1);
    }
    assert.equal(events, 20);
    assert.equal(pulls, 10);
    assert.equal(closes, 1);
  });
});
