import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import {
  connectEventStream,
  type ConnectionState,
  type EventStreamHandle,
  type EventStreamOptions,
  type ReconnectInfo,
} from '../lib/sse/client';
import { EventStreamError } from '../lib/sse/errors';
import type { SseEvent } from '../lib/sse/types';
import { flush, trackTimeouts } from './support/timers';

const URL_ = 'http://sse.test/stream';
const SSE_TYPE = { 'content-type': 'text/event-stream' };
const START = Date.parse('2030-01-01T00:00:00Z');

/** What the fake fetch saw of one request. */
interface FakeRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  cache: RequestCache | undefined;
  signal: AbortSignal;
}

type Reply = (request: FakeRequest) => Response | Promise<Response>;

/** A `text/event-stream` response whose body the test writes to, which errors on abort as real fetch does. */
interface Wire {
  reply: Reply;
  push(text: string): void;
  end(): void;
  fail(error: unknown): void;
  readonly cancelled: boolean;
}

function wire(initial = '', headers: HeadersInit = SSE_TYPE): Wire {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let cancelled = false;
  const open = () => {
    if (!controller) throw new Error('The client has not requested this stream yet.');
    return controller;
  };
  return {
    reply(request) {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          if (initial !== '') c.enqueue(new TextEncoder().encode(initial));
        },
        cancel() {
          cancelled = true;
        },
      });
      request.signal.addEventListener('abort', () => {
        try {
          controller?.error(new DOMException('This operation was aborted', 'AbortError'));
        } catch {
          // Already closed: nothing to abort.
        }
      });
      return new Response(body, { status: 200, headers });
    },
    push: (text) => open().enqueue(new TextEncoder().encode(text)),
    end: () => open().close(),
    fail: (error) => open().error(error),
    get cancelled() {
      return cancelled;
    },
  };
}

/** A stream that sends `text` and ends. */
function ends(text = '', headers: HeadersInit = SSE_TYPE): Reply {
  return (request) => {
    const stream = wire(text, headers);
    const response = stream.reply(request);
    stream.end();
    return response;
  };
}

function rejects(error: unknown = new TypeError('fetch failed')): Reply {
  return () => Promise.reject(error);
}

function status(code: number, body: string | null = null, headers: HeadersInit = {}): Reply {
  return () => new Response(body, { status: code, headers });
}

/** Never answers; rejects with the abort reason once the request is aborted, as fetch does. */
function hangs(): Reply {
  return (request) =>
    new Promise((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason));
    });
}

interface Harness {
  handle: EventStreamHandle;
  requests: FakeRequest[];
  events: SseEvent[];
  reconnects: ReconnectInfo[];
  states: ConnectionState[];
}

/** Connects through a fake fetch that answers request n with replies[n] (and hangs past the end). */
function connect(replies: Reply[], options: Partial<EventStreamOptions> = {}): Harness {
  const requests: FakeRequest[] = [];
  const events: SseEvent[] = [];
  const reconnects: ReconnectInfo[] = [];
  const states: ConnectionState[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: FakeRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body,
      cache: init?.cache,
      signal: init?.signal ?? new AbortController().signal,
    };
    requests.push(request);
    return (replies[requests.length - 1] ?? hangs())(request);
  }) as typeof fetch;
  const handle = connectEventStream({
    url: URL_,
    fetch: fakeFetch,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    onReconnect: (info) => reconnects.push(info),
    onStateChange: (state) => states.push(state),
    ...options,
  });
  return { handle, requests, events, reconnects, states };
}


async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (condition()) return;
    await flush();
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** Advances fake time and lets the client react. */
async function tick(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await flush();
  await flush();
}

/** Awaits `done`, failing the test (instead of hanging the file) if it does not settle soon. */
async function finished(done: Promise<void>): Promise<void> {
  let settled = false;
  done.then(
    () => (settled = true),
    () => (settled = true),
  );
  await until(() => settled, 'done settles');
  await done;
}

async function rejection(promise: Promise<void>): Promise<EventStreamError> {
  try {
    await finished(promise);
  } catch (error) {
    assert.ok(error instanceof EventStreamError, `expected an EventStreamError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected done to reject');
}


beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: START });
});

afterEach(() => {
  // Restore spies before the fake timers they may wrap.
  mock.restoreAll();
  mock.timers.reset();
});

describe('connectEventStream: delivery', () => {
  test('delivers every event in order with its type, data and last event ID', async () => {
    const h = connect([ends('id: 1\ndata: a\n\nevent: tick\ndata: b\ndata: c\n\ndata: d\n\n')], { reconnect: false });
    await finished(h.handle.done);
    assert.deepEqual(h.events, [
      { type: 'message', data: 'a', lastEventId: '1' },
      { type: 'tick', data: 'b\nc', lastEventId: '1' },
      { type: 'message', data: 'd', lastEventId: '1' },
    ]);
    assert.equal(h.handle.lastEventId, '1');
  });

  test('delivers events split across chunks as they complete', async () => {
    const stream = wire();
    const h = connect([stream.reply]);
    await until(() => h.states.includes('open'), 'the stream is open');
    stream.push('data: hel');
    await flush();
    assert.deepEqual(h.events, []);
    stream.push('lo\n\n');
    await until(() => h.events.length === 1, 'the event arrives');
    assert.deepEqual(h.events, [{ type: 'message', data: 'hello', lastEventId: '' }]);
    h.handle.close();
    await finished(h.handle.done);
  });

  test('sends a GET with Accept: text/event-stream, no-store and no Last-Event-ID on the first request', async () => {
    const h = connect([ends()], { reconnect: false });
    await finished(h.handle.done);
    assert.equal(h.requests.length, 1);
    const [request] = h.requests;
    assert.equal(request?.url, URL_);
    assert.equal(request?.method, 'GET');
    assert.equal(request?.headers.get('accept'), 'text/event-stream');
    assert.equal(request?.headers.get('last-event-id'), null);
    assert.equal(request?.cache, 'no-store');
  });

  test('sends the lastEventId option as Last-Event-ID on the first request', async () => {
    const h = connect([ends()], { reconnect: false, lastEventId: '41' });
    await finished(h.handle.done);
    assert.equal(h.requests[0]?.headers.get('last-event-id'), '41');
  });

  test('passes retry fields, comments, raw chunks and the response to their callbacks', async () => {
    const retries: number[] = [];
    const comments: string[] = [];
    const chunks: string[] = [];
    const opened: number[] = [];
    const h = connect([ends(': hi\nretry: 250\ndata: x\n\n')], {
      reconnect: false,
      onRetry: (ms) => retries.push(ms),
      onComment: (text) => comments.push(text),
      onChunk: (text) => chunks.push(text),
      onOpen: (response) => opened.push(response.status),
    });
    await finished(h.handle.done);
    assert.deepEqual(retries, [250]);
    assert.deepEqual(comments, ['hi']);
    assert.deepEqual(chunks, [': hi\nretry: 250\ndata: x\n\n']);
    assert.deepEqual(opened, [200]);
  });
});

describe('connectEventStream: reconnection', () => {
  test('reconnects after the stream ends, after the back-off delay, sending the last event ID', async () => {
    const h = connect([ends('id: 1\ndata: a\n\nid: 2\ndata: b\n\n'), hangs()]);
    await until(() => h.reconnects.length === 1, 'the client plans a reconnection');
    // retryMs 1000, first failure, random 0.5: 500 ms.
    await tick(499);
    assert.equal(h.requests.length, 1);
    await tick(1);
    await until(() => h.requests.length === 2, 'the second request');
    assert.equal(h.requests[1]?.headers.get('last-event-id'), '2');
    h.handle.close();
    await finished(h.handle.done);
  });

  test('reconnects after a network error, mid-stream or before a response, keeping Last-Event-ID', async () => {
    const first = wire('id: 7\ndata: a\n\n');
    const dropped = new TypeError('terminated');
    const refused = new TypeError('fetch failed');
    const h = connect([first.reply, rejects(refused), hangs()]);
    await until(() => h.events.length === 1, 'the first event');
    first.fail(dropped);
    await until(() => h.reconnects.length === 1, 'the first reconnection');
    await tick(500);
    await until(() => h.reconnects.length === 2, 'the second reconnection');
    // The first connection delivered an event, so the back-off restarted: 500 ms, then 1000 ms.
    await tick(1000);
    await until(() => h.requests.length === 3, 'the third request');
    assert.deepEqual(
      h.reconnects.map((info) => [info.reason, info.error]),
      [
        ['network-error', dropped],
        ['network-error', refused],
      ],
    );
    assert.deepEqual(
      h.requests.map((request) => request.headers.get('last-event-id')),
      [null, '7', '7'],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('sends a non-Latin-1 last event ID as its UTF-8 bytes instead of failing to build the request', async () => {
    const h = connect([ends('id: 日本-é\ndata: a\n\n'), hangs()]);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    await tick(500);
    await until(() => h.requests.length === 2, 'the second request');
    // Headers hold byte strings: one character per byte.
    assert.equal(h.requests[1]?.headers.get('last-event-id'), Buffer.from('日本-é', 'utf8').toString('latin1'));
    assert.equal(h.handle.lastEventId, '日本-é');
    h.handle.close();
    await finished(h.handle.done);
  });

  test('uses the server’s retry: as the back-off base from then on', async () => {
    const h = connect([ends('retry: 200\ndata: x\n\n'), rejects(), hangs()]);
    await until(() => h.reconnects.length === 1, 'the first reconnection');
    await tick(100);
    await until(() => h.reconnects.length === 2, 'the second reconnection');
    // 200 × 2^0 × 0.5, then 200 × 2^1 × 0.5.
    assert.deepEqual(
      h.reconnects.map((info) => info.delayMs),
      [100, 200],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('doubles the back-off with each failure in a row, up to maxRetryMs', async () => {
    const h = connect([rejects(), rejects(), rejects(), rejects(), rejects(), hangs()], { maxRetryMs: 4000 });
    for (let n = 1; n <= 5; n++) {
      await until(() => h.reconnects.length === n, `reconnection ${n}`);
      await tick(h.reconnects[n - 1]?.delayMs ?? 0);
    }
    assert.deepEqual(
      h.reconnects.map((info) => [info.attempt, info.delayMs]),
      [
        [1, 500],
        [2, 1000],
        [3, 2000],
        [4, 2000],
        [5, 2000],
      ],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('resets the back-off after a connection that delivered an event', async () => {
    const h = connect([rejects(), rejects(), rejects(), ends('data: ok\n\n'), rejects(), hangs()]);
    for (let n = 1; n <= 5; n++) {
      await until(() => h.reconnects.length === n, `reconnection ${n}`);
      await tick(h.reconnects[n - 1]?.delayMs ?? 0);
    }
    assert.deepEqual(
      h.reconnects.map((info) => [info.attempt, info.delayMs, info.reason]),
      [
        [1, 500, 'network-error'],
        [2, 1000, 'network-error'],
        [3, 2000, 'network-error'],
        [1, 500, 'end-of-stream'],
        [2, 1000, 'network-error'],
      ],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('keeps growing the back-off after a connection that ended without an event', async () => {
    const h = connect([rejects(), ends(': only a comment\n'), hangs()]);
    for (let n = 1; n <= 2; n++) {
      await until(() => h.reconnects.length === n, `reconnection ${n}`);
      await tick(h.reconnects[n - 1]?.delayMs ?? 0);
    }
    assert.deepEqual(
      h.reconnects.map((info) => [info.attempt, info.delayMs, info.reason]),
      [
        [1, 500, 'network-error'],
        [2, 1000, 'end-of-stream'],
      ],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('tells onReconnect the attempt, delay, reason, error and last event ID', async () => {
    const error = new TypeError('fetch failed');
    const h = connect([ends('id: 9\ndata: a\n\n'), rejects(error), hangs()]);
    await until(() => h.reconnects.length === 1, 'the first reconnection');
    await tick(500);
    await until(() => h.reconnects.length === 2, 'the second reconnection');
    assert.deepEqual(h.reconnects, [
      { attempt: 1, delayMs: 500, reason: 'end-of-stream', error: undefined, lastEventId: '9' },
      { attempt: 2, delayMs: 1000, reason: 'network-error', error, lastEventId: '9' },
    ]);
    h.handle.close();
    await finished(h.handle.done);
  });

  test('gives up with retries-exhausted after maxRetries failed reconnections', async () => {
    const last = new TypeError('third failure');
    const h = connect([rejects(), rejects(), rejects(last), hangs()], { maxRetries: 2 });
    await until(() => h.reconnects.length === 1, 'the first reconnection');
    await tick(500);
    await until(() => h.reconnects.length === 2, 'the second reconnection');
    await tick(1000);
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'retries-exhausted');
    assert.equal(error.message, 'Gave up after 2 failed reconnections.');
    assert.equal(error.cause, last);
    assert.equal(h.requests.length, 3);
    assert.equal(h.reconnects.length, 2);
    assert.equal(h.handle.state, 'closed');
  });
});

describe('connectEventStream: HTTP status', () => {
  test('stops for good on 204: done resolves and fetch is not called again', async () => {
    const h = connect([status(204), hangs()]);
    await finished(h.handle.done);
    await tick(60_000);
    assert.equal(h.requests.length, 1);
    assert.equal(h.reconnects.length, 0);
    assert.deepEqual(h.states, ['closed']);
  });

  for (const code of [400, 401, 403, 404]) {
    test(`fails on ${code} with code http-status and the status, without retrying`, async () => {
      const h = connect([status(code), hangs()]);
      const error = await rejection(h.handle.done);
      assert.equal(error.code, 'http-status');
      assert.equal(error.status, code);
      assert.equal(error.message, `HTTP ${code}`);
      await tick(60_000);
      assert.equal(h.requests.length, 1);
    });
  }

  test('puts the server’s JSON error message into the error', async () => {
    const h = connect([status(404, JSON.stringify({ error: { message: 'No such topic.' } }))]);
    const error = await rejection(h.handle.done);
    assert.equal(error.message, 'HTTP 404: No such topic.');
  });

  for (const code of [408, 500, 502]) {
    test(`retries on ${code} with the back-off`, async () => {
      const h = connect([status(code), hangs()]);
      await until(() => h.reconnects.length === 1, 'the reconnection');
      const info = h.reconnects[0];
      assert.equal(info?.reason, 'http-status');
      assert.equal(info?.delayMs, 500);
      assert.ok(info?.error instanceof EventStreamError);
      assert.equal(info.error.status, code);
      await tick(500);
      await until(() => h.requests.length === 2, 'the second request');
      h.handle.close();
      await finished(h.handle.done);
    });
  }

  for (const code of [429, 503]) {
    test(`waits exactly Retry-After seconds on ${code}`, async () => {
      const h = connect([status(code, null, { 'retry-after': '7' }), hangs()]);
      await until(() => h.reconnects.length === 1, 'the reconnection');
      assert.equal(h.reconnects[0]?.delayMs, 7000);
      await tick(6999);
      assert.equal(h.requests.length, 1);
      await tick(1);
      await until(() => h.requests.length === 2, 'the second request');
      h.handle.close();
      await finished(h.handle.done);
    });

    test(`backs off as usual on ${code} without Retry-After`, async () => {
      const h = connect([status(code), hangs()]);
      await until(() => h.reconnects.length === 1, 'the reconnection');
      assert.equal(h.reconnects[0]?.delayMs, 500);
      h.handle.close();
      await finished(h.handle.done);
    });
  }

  test('honours a Retry-After HTTP date on 503, measured from now', async () => {
    const at = new Date(START + 3000).toUTCString();
    const h = connect([status(503, null, { 'retry-after': at }), hangs()]);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.reconnects[0]?.delayMs, 3000);
    h.handle.close();
    await finished(h.handle.done);
  });

  test('ignores Retry-After on a 500 and backs off as usual', async () => {
    const h = connect([status(500, null, { 'retry-after': '7' }), hangs()]);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.reconnects[0]?.delayMs, 500);
    h.handle.close();
    await finished(h.handle.done);
  });
});

describe('connectEventStream: content type and body', () => {
  test('fails with code content-type on a wrong content type, cancels the body and does not retry', async () => {
    const stream = wire('data: x\n\n', { 'content-type': 'text/plain' });
    const h = connect([stream.reply, hangs()]);
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'content-type');
    assert.equal(error.status, 200);
    assert.equal(error.message, 'Expected text/event-stream, got "text/plain".');
    assert.equal(stream.cancelled, true);
    await tick(60_000);
    assert.equal(h.requests.length, 1);
    assert.deepEqual(h.events, []);
  });

  test('fails with code content-type when there is no content type at all', async () => {
    const h = connect([() => new Response(new Uint8Array([0x61]), { status: 200, headers: {} })]);
    // A Uint8Array body gets no default content type.
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'content-type');
    assert.equal(error.message, 'Expected text/event-stream, got "no content type".');
  });

  test('rejects a content type that only starts like text/event-stream', async () => {
    const h = connect([wire('', { 'content-type': 'text/event-streamx' }).reply]);
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'content-type');
  });

  test('accepts text/event-stream with parameters and in any case', async () => {
    for (const type of ['text/event-stream; charset=utf-8', 'Text/Event-Stream']) {
      const h = connect([ends('data: x\n\n', { 'content-type': type })], { reconnect: false });
      await finished(h.handle.done);
      assert.deepEqual(h.events, [{ type: 'message', data: 'x', lastEventId: '' }], type);
    }
  });

  test('fails with code no-body on a 200 without a body', async () => {
    const h = connect([status(200, null, SSE_TYPE)]);
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'no-body');
    assert.equal(error.status, 200);
  });

  test('fails with code parse when one event outgrows maxBufferSize', async () => {
    const h = connect([ends(`data: ${'x'.repeat(100)}`), hangs()], { maxBufferSize: 50 });
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'parse');
    assert.equal(error.cause instanceof Error && error.cause.name, 'ParseError');
    assert.equal(h.requests.length, 1);
  });
});

describe('connectEventStream: liveness', () => {
  test('reopens a connection that stays silent for livenessTimeoutMs', async () => {
    const h = connect([wire().reply, hangs()], { livenessTimeoutMs: 3000 });
    await until(() => h.states.includes('open'), 'the stream is open');
    await tick(2999);
    assert.equal(h.reconnects.length, 0);
    await tick(1);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.reconnects[0]?.reason, 'liveness-timeout');
    assert.equal(h.requests[0]?.signal.aborted, true);
    await tick(500);
    await until(() => h.requests.length === 2, 'the second request');
    h.handle.close();
    await finished(h.handle.done);
  });

  test('stays open while heartbeat comments arrive, and times out once they stop', async () => {
    const stream = wire();
    const h = connect([stream.reply, hangs()], { livenessTimeoutMs: 3000 });
    await until(() => h.states.includes('open'), 'the stream is open');
    for (let beat = 0; beat < 5; beat++) {
      await tick(2000);
      stream.push(': ping\n');
      await flush();
    }
    // The last ping came at 10 000 ms; the connection is dead 3000 ms later.
    await tick(2999);
    assert.equal(h.requests.length, 1);
    assert.equal(h.reconnects.length, 0);
    await tick(1);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.reconnects[0]?.reason, 'liveness-timeout');
    h.handle.close();
    await finished(h.handle.done);
  });

  test('gives up on a request that gets no response within livenessTimeoutMs', async () => {
    const h = connect([hangs(), hangs()], { livenessTimeoutMs: 3000 });
    await until(() => h.requests.length === 1, 'the first request');
    await tick(2999);
    assert.equal(h.reconnects.length, 0);
    await tick(1);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.reconnects[0]?.reason, 'liveness-timeout');
    assert.equal(h.requests[0]?.signal.aborted, true);
    h.handle.close();
    await finished(h.handle.done);
  });
});

describe('connectEventStream: requests', () => {
  test('calls a headers function before every attempt, so a refreshed token is sent', async () => {
    let token = 0;
    const h = connect([ends('data: a\n\n'), ends('data: b\n\n'), hangs()], {
      headers: async () => ({ Authorization: `Bearer t${++token}`, Accept: 'application/json' }),
    });
    await until(() => h.reconnects.length === 1, 'the first reconnection');
    await tick(500);
    await until(() => h.reconnects.length === 2, 'the second reconnection');
    await tick(500);
    await until(() => h.requests.length === 3, 'the third request');
    assert.deepEqual(
      h.requests.map((request) => request.headers.get('authorization')),
      ['Bearer t1', 'Bearer t2', 'Bearer t3'],
    );
    // The client's Accept wins over the caller's.
    assert.deepEqual(
      h.requests.map((request) => request.headers.get('accept')),
      ['text/event-stream', 'text/event-stream', 'text/event-stream'],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('sends static headers on every attempt', async () => {
    const h = connect([ends('data: a\n\n'), hangs()], { headers: { 'X-Client': 'lab' } });
    await until(() => h.reconnects.length === 1, 'the reconnection');
    await tick(500);
    await until(() => h.requests.length === 2, 'the second request');
    assert.deepEqual(
      h.requests.map((request) => request.headers.get('x-client')),
      ['lab', 'lab'],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('does not send a POST again after its stream ends', async () => {
    const h = connect([ends('data: a\n\n'), hangs()], { method: 'post', body: '{"q":1}' });
    await finished(h.handle.done);
    await tick(60_000);
    assert.equal(h.requests.length, 1);
    assert.equal(h.requests[0]?.method, 'POST');
    assert.equal(h.requests[0]?.body, '{"q":1}');
    assert.equal(h.reconnects.length, 0);
    assert.deepEqual(h.states, ['open', 'closed']);
  });

  test('rejects done with the HTTP error when a POST that is not retried gets a 500', async () => {
    const h = connect([status(500), hangs()], { method: 'POST', body: '{}' });
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'http-status');
    assert.equal(error.status, 500);
    assert.equal(h.requests.length, 1);
  });

  test('rejects done when a POST that is not retried hits a network error', async () => {
    const cause = new TypeError('fetch failed');
    const h = connect([rejects(cause), hangs()], { method: 'POST', body: '{}' });
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'retries-exhausted');
    assert.equal(error.message, 'Gave up at once: reconnection is off for this request.');
    assert.equal(error.cause, cause);
    assert.equal(h.requests.length, 1);
  });

  test('rejects done when a GET with reconnect: false gets a 503', async () => {
    const h = connect([status(503, null, { 'retry-after': '1' }), hangs()], { reconnect: false });
    const error = await rejection(h.handle.done);
    assert.equal(error.code, 'http-status');
    assert.equal(error.status, 503);
    assert.equal(h.requests.length, 1);
  });

  test('sends a resumable POST again, with the same body and Last-Event-ID', async () => {
    const h = connect([ends('id: 3\ndata: a\n\n'), hangs()], { method: 'POST', body: '{"q":1}', resumable: true });
    await until(() => h.reconnects.length === 1, 'the reconnection');
    await tick(500);
    await until(() => h.requests.length === 2, 'the second request');
    assert.deepEqual(
      h.requests.map((request) => [request.method, request.body, request.headers.get('last-event-id')]),
      [
        ['POST', '{"q":1}', null],
        ['POST', '{"q":1}', '3'],
      ],
    );
    h.handle.close();
    await finished(h.handle.done);
  });

  test('resolves done at the end of the stream when reconnect is false', async () => {
    const h = connect([ends('data: a\n\n'), hangs()], { reconnect: false });
    await finished(h.handle.done);
    assert.equal(h.requests.length, 1);
    assert.equal(h.handle.state, 'closed');
  });
});

describe('connectEventStream: ending', () => {
  test('never calls fetch when the signal is already aborted', async () => {
    const h = connect([hangs()], { signal: AbortSignal.abort() });
    await finished(h.handle.done);
    await tick(60_000);
    assert.equal(h.requests.length, 0);
    assert.deepEqual(h.states, ['closed']);
  });

  test('close() ends an open stream: the request is aborted and done resolves', async () => {
    const h = connect([wire('data: a\n\n').reply]);
    await until(() => h.events.length === 1, 'the first event');
    h.handle.close();
    await finished(h.handle.done);
    assert.equal(h.requests[0]?.signal.aborted, true);
    assert.equal(h.handle.state, 'closed');
    assert.deepEqual(h.states, ['open', 'closed']);
  });

  test('aborting the caller’s signal ends a pending request', async () => {
    const controller = new AbortController();
    const h = connect([hangs()], { signal: controller.signal });
    await until(() => h.requests.length === 1, 'the request');
    controller.abort();
    await finished(h.handle.done);
    assert.equal(h.requests[0]?.signal.aborted, true);
    assert.deepEqual(h.states, ['closed']);
  });

  test('close() during a back-off wait ends it at once, leaving no timer and no further fetch', async () => {
    const live = trackTimeouts();
    const h = connect([ends('data: a\n\n'), hangs()]);
    await until(() => h.reconnects.length === 1, 'the reconnection');
    assert.equal(h.handle.state, 'reconnecting');
    assert.equal(live.size, 1);
    h.handle.close();
    await finished(h.handle.done);
    assert.equal(live.size, 0);
    await tick(60_000);
    assert.equal(h.requests.length, 1);
    assert.deepEqual(h.states, ['open', 'reconnecting', 'closed']);
  });

  test('close() leaves no liveness timer behind', async () => {
    const live = trackTimeouts();
    const h = connect([wire().reply], { livenessTimeoutMs: 3000 });
    await until(() => h.states.includes('open'), 'the stream is open');
    assert.equal(live.size, 1);
    h.handle.close();
    await finished(h.handle.done);
    assert.equal(live.size, 0);
  });

  test('close() is idempotent', async () => {
    const h = connect([hangs()]);
    h.handle.close();
    h.handle.close();
    await finished(h.handle.done);
    assert.deepEqual(h.states, ['closed']);
  });

  test('reports each state change: open, reconnecting, connecting, open, closed', async () => {
    const h = connect([ends('data: a\n\n'), wire().reply]);
    assert.equal(h.handle.state, 'connecting');
    await until(() => h.reconnects.length === 1, 'the reconnection');
    await tick(500);
    await until(() => h.states.length === 4, 'the second open');
    assert.equal(h.handle.state, 'open');
    h.handle.close();
    await finished(h.handle.done);
    assert.deepEqual(h.states, ['open', 'reconnecting', 'connecting', 'open', 'closed']);
  });
});
