import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { closeAllStreams, createSseResponse, dropTagged, getStreamStats, type SseConnection, type SseResponseOptions } from '../lib/sse/server';
import { until } from './support/timers';

// `SseResponseOptions.direct` against a real Node HTTP server. The server hands each request's
// Response to `serve`, which does what Next's `sendResponse` does with a route handler's answer:
// copy the status and headers onto the Node response, then pipe the body into it through a
// WritableStream, ending the response when the body ends and destroying it when the body errors,
// and aborting the pipe when the client goes away.

interface Served {
  connection: SseConnection;
  res: ServerResponse;
  /** Chunks the framework's pipe wrote: what went through the body rather than directly. */
  pipedChunks: number;
  /** Every call of res.write, by anyone. */
  writes: number;
  cleanups: number;
}

type Handler = (res: ServerResponse) => { options: Partial<SseResponseOptions>; readFirst?: boolean };

let server: Server;
let base: string;
let handler: Handler;
let served: Served[] = [];

async function serve(response: Response, res: ServerResponse, state: Served, readFirst: boolean): Promise<void> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let first: ReadableStreamReadResult<Uint8Array> | undefined;
  // A framework that reads the body before it has set the headers (as one that buffers or tees it).
  if (readFirst) {
    reader = response.body!.getReader();
    first = await reader.read();
  }
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const body = reader
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          if (first && !first.done) controller.enqueue(first.value);
        },
        async pull(controller) {
          const { done, value } = await reader!.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader!.cancel(reason),
      })
    : response.body!;
  const sink = new WritableStream<Uint8Array>({
    write(chunk) {
      state.pipedChunks++;
      res.write(chunk);
    },
    close() {
      res.end();
    },
    abort(reason) {
      res.destroy(reason instanceof Error ? reason : undefined);
    },
  });
  await body.pipeTo(sink, { signal: abort.signal }).catch(() => undefined);
}

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const write = res.write;
    const state = { res, pipedChunks: 0, writes: 0, cleanups: 0 } as Served;
    res.write = function countedWrite(this: ServerResponse, ...args: Parameters<ServerResponse['write']>) {
      state.writes++;
      return write.apply(this, args);
    } as ServerResponse['write'];
    const { options, readFirst = false } = handler(res);
    const response = createSseResponse({
      heartbeatMs: 0,
      signal: abort.signal,
      ...options,
      start(connection) {
        state.connection = connection;
        options.start?.(connection);
        return () => {
          state.cleanups++;
        };
      },
    });
    served.push(state);
    void serve(response, res, state, readFirst);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

/** Opens a stream; resolves with the response once its headers are in. */
async function request(): Promise<IncomingMessage> {
  const req = get(`${base}/`);
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  response.setEncoding('utf8');
  return response;
}

/** Reads a response until it ends. */
async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

function last(): Served {
  const state = served.at(-1);
  assert.ok(state, 'a request was served');
  return state;
}

describe('createSseResponse: direct writes to the Node response', () => {
  test('once the pipe starts, every event is written to the response directly, in order, under the headers the Response set', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res, start: (connection) => void connection.send({ data: 'hello' }) } });
    const directBefore = getStreamStats().directStreams;
    const response = await request();
    assert.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache, no-transform');
    const state = last();
    await until('the stream counts as direct', () => getStreamStats().directStreams === directBefore + 1);
    for (let i = 1; i <= 3; i++) state.connection.send({ event: 'tick', data: String(i), id: String(i) });
    state.connection.comment('ping');
    state.connection.close();
    const text = await readAll(response);
    assert.equal(text, 'retry: 1000\ndata: hello\n\nid: 1\nevent: tick\ndata: 1\n\nid: 2\nevent: tick\ndata: 2\n\nid: 3\nevent: tick\ndata: 3\n\n: ping\n');
    assert.equal(state.pipedChunks, 0, 'the body pipe wrote nothing: it only ended the response');
    assert.equal(getStreamStats().directStreams, directBefore);
    assert.equal(state.cleanups, 1);
  });

  test('what is sent before the pipe starts goes out as one write', async () => {
    served = [];
    handler = (res) => ({
      options: {
        direct: res,
        start(connection) {
          connection.send({ data: 'one' });
          connection.send({ data: 'two' });
        },
      },
    });
    const response = await request();
    const state = last();
    await until('the held bytes are written', () => state.writes > 0);
    assert.equal(state.writes, 1);
    state.connection.close();
    assert.equal(await readAll(response), 'retry: 1000\ndata: one\n\ndata: two\n\n');
  });

  test('a stream its producer ends before the pipe starts still delivers all it sent, through the body', async () => {
    served = [];
    handler = (res) => ({
      options: {
        direct: res,
        start(connection) {
          connection.send({ data: 'only' });
          connection.close();
        },
      },
    });
    const response = await request();
    assert.equal(await readAll(response), 'retry: 1000\ndata: only\n\n');
    assert.ok(last().pipedChunks > 0);
  });

  test('a framework that reads the body before setting the headers gets every event through the body', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res }, readFirst: true });
    const directBefore = getStreamStats().directStreams;
    const response = await request();
    const state = last();
    state.connection.send({ data: 'a' });
    await delay(20);
    assert.equal(getStreamStats().directStreams, directBefore, 'not counted as direct');
    state.connection.send({ data: 'b' });
    state.connection.close();
    assert.equal(await readAll(response), 'retry: 1000\ndata: a\n\ndata: b\n\n');
    assert.equal(state.pipedChunks, 3);
  });

  test('a stream with dropAfter keeps the body, whose reads time the drop', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res, dropAfter: 5 } });
    const response = await request();
    const state = last();
    state.connection.send({ data: 'x' });
    state.connection.close();
    assert.equal(await readAll(response), 'retry: 1000\ndata: x\n\n');
    assert.equal(state.pipedChunks, 2);
  });

  test('a source is pulled as Node takes what was written: a replay far past maxQueuedBytes reaches a slow reader whole, in order', async () => {
    served = [];
    // 16 MB: more than the kernel's socket buffers hold, so Node must hold some and drain.
    const events = 4000;
    const data = 'y'.repeat(4000);
    let next = 0;
    let mostHeld = 0;
    handler = (res) => ({
      options: {
        direct: res,
        maxQueuedBytes: 40 * 1024,
        source: {
          async pull(connection) {
            mostHeld = Math.max(mostHeld, res.writableLength);
            await delay(0);
            for (let i = 0; i < 8 && next < events; i++) connection.send({ id: String(++next), data });
            if (next >= events) connection.close();
          },
        },
      },
    });
    const response = await request();
    const state = last();
    // The client reads nothing for half a second (the kernel's buffers fill), then everything.
    response.pause();
    await delay(500);
    const text = await readAll(response);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    assert.deepEqual(ids, Array.from({ length: events }, (_, i) => i + 1));
    assert.equal(state.pipedChunks, 0, 'every event went directly');
    assert.ok(mostHeld <= 64 * 1024, `a pull began with ${mostHeld} bytes held by Node`);
    assert.equal(state.cleanups, 1);
  });

  test('a source on the fallback (the body read before the headers are set) is pulled through the body', async () => {
    served = [];
    let next = 0;
    handler = (res) => ({
      options: {
        direct: res,
        start: (connection) => void connection.send({ data: 'held' }),
        source: {
          pull(connection) {
            connection.send({ data: String(++next) });
            if (next === 3) connection.close();
          },
        },
      },
      readFirst: true,
    });
    const response = await request();
    assert.equal(await readAll(response), 'retry: 1000\ndata: held\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n');
    assert.ok(last().pipedChunks > 0);
  });

  test('a source that fails while writing directly ends the stream as an error, and its cleanup runs', async () => {
    served = [];
    const errorsBefore = getStreamStats().closedByReason.error;
    handler = (res) => ({
      options: {
        direct: res,
        source: {
          pull: () => Promise.reject(new Error('the log went away')),
        },
      },
    });
    const logged = mock.method(console, 'error', () => undefined);
    try {
      const response = await request();
      const state = last();
      await until('the stream ends', () => state.connection.closed);
      assert.equal(getStreamStats().closedByReason.error, errorsBefore + 1);
      assert.equal(state.cleanups, 1);
      assert.ok(logged.mock.calls.some((call) => String(call.arguments[1]).includes('the log went away')));
      response.destroy();
    } finally {
      logged.mock.restore();
    }
  });

  test('a source that had nothing is pulled again once something else is sent', async () => {
    served = [];
    let pulls = 0;
    handler = (res) => ({
      options: {
        direct: res,
        source: {
          pull(connection) {
            pulls++;
            if (pulls === 3) connection.send({ data: 'from the third pull' });
          },
        },
      },
    });
    const response = await request();
    const state = last();
    await until('the first pull', () => pulls === 1);
    await delay(30);
    assert.equal(pulls, 1, 'no pull again while nothing else was sent');
    state.connection.send({ data: 'pushed' });
    await until('pulled after the push', () => pulls === 2);
    state.connection.send({ data: 'pushed again' });
    await until('pulled after the second push', () => pulls >= 3);
    await delay(30);
    state.connection.close();
    const text = await readAll(response);
    assert.equal(text, 'retry: 1000\ndata: pushed\n\ndata: pushed again\n\ndata: from the third pull\n\n');
    assert.equal(state.pipedChunks, 0);
  });

  test('a client that stops reading is cut off as slow once Node holds more than maxQueuedBytes for it', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res, maxQueuedBytes: 256 * 1024 } });
    const slowBefore = getStreamStats().closedByReason.slow;
    const response = await request();
    response.pause();
    const state = last();
    await until('the pipe started', () => state.writes > 0);
    const data = 'x'.repeat(16 * 1024);
    let sent = 0;
    // The kernel's socket buffers take the first few hundred KiB; then Node holds the rest.
    while (sent < 10_000 && state.connection.send({ data })) {
      sent++;
      if (sent % 16 === 0) await delay(1);
    }
    assert.ok(state.connection.closed, 'the stream was cut off');
    assert.ok(state.res.writableLength <= 256 * 1024, `Node held ${state.res.writableLength} bytes`);
    assert.equal(getStreamStats().closedByReason.slow, slowBefore + 1);
    await until('the response is destroyed', () => state.res.destroyed);
    assert.equal(state.cleanups, 1);
    response.destroy();
  });

  test('a shutdown (closeAllStreams) ends a direct stream cleanly, after all it wrote', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res } });
    const response = await request();
    const state = last();
    await until('the pipe started', () => state.writes > 0);
    state.connection.send({ data: 'last words' });
    assert.equal(closeAllStreams(), 1);
    assert.equal(await readAll(response), 'retry: 1000\ndata: last words\n\n');
    assert.equal(state.pipedChunks, 0);
  });

  test('a drop (dropTagged) ends a direct stream abruptly: the response is destroyed, not ended', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res, tag: 'direct-drop' } });
    const response = await request();
    const state = last();
    await until('the pipe started', () => state.writes > 0);
    const ended = new Promise<string>((resolve) => {
      response.once('end', () => resolve('end'));
      response.once('aborted', () => resolve('aborted'));
      response.once('error', () => resolve('error'));
      response.resume();
    });
    assert.equal(dropTagged('direct-drop'), 1);
    assert.notEqual(await ended, 'end');
    await until('the response is destroyed', () => state.res.destroyed);
    assert.equal(state.cleanups, 1);
  });

  test('a producer that sends more than maxQueuedBytes before the pipe starts is cut off as slow', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res, maxQueuedBytes: 4096, start: (connection) => void connection.send({ data: 'x'.repeat(8192) }) } });
    const slowBefore = getStreamStats().closedByReason.slow;
    const req = get(`${base}/`);
    const failed = new Promise<void>((resolve) => req.once('error', () => resolve()));
    await failed;
    assert.ok(last().connection.closed);
    assert.equal(getStreamStats().closedByReason.slow, slowBefore + 1);
    assert.equal(last().writes, 0, 'nothing reached the socket');
  });

  test('a client that goes away ends the stream: its cleanup runs and later sends are refused', async () => {
    served = [];
    handler = (res) => ({ options: { direct: res } });
    const response = await request();
    const state = last();
    await until('the pipe started', () => state.writes > 0);
    assert.equal(state.connection.send({ data: 'before' }), true);
    response.destroy();
    await until('the stream ends', () => state.connection.closed);
    assert.equal(state.cleanups, 1);
    assert.equal(state.connection.send({ data: 'after' }), false);
  });
});
