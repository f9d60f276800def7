// lib/sse is a library to copy: these tests use it only through its index, as a user would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as sse from '../lib/sse';
import {
  createEventStreamTransform,
  createSseResponse,
  encodeComment,
  encodeEvent,
  encodeRetry,
  ParseError,
  toBytes,
  type EventInput,
  type SseEvent,
} from '../lib/sse';

const encoder = new TextEncoder();

/** A `Response` whose body delivers `chunks` one by one, as a network would. */
function responseOf(chunks: readonly (Uint8Array | string)[]): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = chunks[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** Cuts bytes into pieces of `size` (the last one shorter). */
function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.slice(i, i + size));
  return pieces;
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

// A stream with what a real one carries: types, ids, multi-line and non-ASCII data, a comment, a retry.
const INPUTS: EventInput[] = [
  { event: 'status', id: 'run:1', data: { state: 'thinking' } },
  { event: 'token', id: 'run:2', data: { text: ' données 🚀 数据' } },
  { data: 'line one\nline two\r\nline three' },
  { event: 'done', id: 'run:3', data: '' },
];
const WIRE = [encodeRetry(2500), encodeEvent(INPUTS[0]!), encodeComment('keep-alive'), ...INPUTS.slice(1).map(encodeEvent)].join('');
const EXPECTED: SseEvent[] = [
  { type: 'status', data: '{"state":"thinking"}', lastEventId: 'run:1' },
  { type: 'token', data: '{"text":" données 🚀 数据"}', lastEventId: 'run:2' },
  { type: 'message', data: 'line one\nline two\nline three', lastEventId: 'run:2' },
  { type: 'done', data: '', lastEventId: 'run:3' },
];

describe('lib/sse index', () => {
  test('exports the encoder, parser, transform, errors, fetch client and server helper', () => {
    const functions = [
      'encodeEvent',
      'encodeComment',
      'encodeRetry',
      'toBytes',
      'createParser',
      'createEventStreamTransform',
      'connectEventStream',
      'backoffDelay',
      'parseRetryAfter',
      'abortableDelay',
      'createSseResponse',
      'getStreamStats',
      'closeAllStreams',
      'dropTagged',
      'countOpenStreams',
    ] as const;
    for (const name of functions) assert.equal(typeof sse[name], 'function', name);
    assert.ok(new sse.ParseError('buffer-overflow', 'x') instanceof Error);
    assert.ok(new sse.EncodeError('x') instanceof TypeError);
    assert.ok(new sse.EventStreamError('parse', 'x') instanceof Error);
    assert.equal(sse.SSE_HEADERS['Content-Type'], 'text/event-stream; charset=utf-8');
  });

  describe('createEventStreamTransform', () => {
    test('turns a Response body into events with pipeThrough', async () => {
      const body = responseOf([WIRE]).body!;
      assert.deepEqual(await readAll(body.pipeThrough(createEventStreamTransform())), EXPECTED);
    });

    for (const size of [1, 2, 3, 7, 64]) {
      test(`gives the same events when the body arrives in ${size}-byte chunks, splitting lines and characters`, async () => {
        const body = responseOf(cut(toBytes(WIRE), size)).body!;
        assert.deepEqual(await readAll(body.pipeThrough(createEventStreamTransform())), EXPECTED);
      });
    }

    test('accepts text chunks too, such as the output of a TextDecoderStream', async () => {
      const text = responseOf(cut(toBytes(WIRE), 5)).body!.pipeThrough(new TextDecoderStream());
      assert.deepEqual(await readAll(text.pipeThrough(createEventStreamTransform())), EXPECTED);
    });

    test('passes retry values and comments to onRetry and onComment', async () => {
      const retries: number[] = [];
      const comments: string[] = [];
      const transform = createEventStreamTransform({
        onRetry: (ms) => retries.push(ms),
        onComment: (text) => comments.push(text),
      });
      const events = await readAll(responseOf(cut(toBytes(WIRE), 3)).body!.pipeThrough(transform));
      assert.deepEqual(events, EXPECTED);
      assert.deepEqual(retries, [2500]);
      assert.deepEqual(comments, ['keep-alive']);
    });

    test('does not dispatch an unterminated final event when the body ends', async () => {
      const body = responseOf(['data: complete\n\n', 'data: cut off\n']).body!;
      assert.deepEqual(await readAll(body.pipeThrough(createEventStreamTransform())), [
        { type: 'message', data: 'complete', lastEventId: '' },
      ]);
    });

    test('errors the stream with a buffer-overflow ParseError past maxBufferSize, after the events before it', async () => {
      const body = responseOf(['data: fits\n\n', 'data: ', 'x'.repeat(40), 'y'.repeat(40)]).body!;
      const reader = body.pipeThrough(createEventStreamTransform({ maxBufferSize: 64 })).getReader();
      assert.deepEqual(await reader.read(), { done: false, value: { type: 'message', data: 'fits', lastEventId: '' } });
      await assert.rejects(reader.read(), (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.equal(error.code, 'buffer-overflow');
        return true;
      });
    });

    test('reads what createSseResponse sends, through a real Response', async () => {
      const response = createSseResponse({
        heartbeatMs: 0,
        retry: 1500,
        start(connection) {
          for (const input of INPUTS) connection.send(input);
          connection.close();
        },
      });
      const retries: number[] = [];
      const events = await readAll(response.body!.pipeThrough(createEventStreamTransform({ onRetry: (ms) => retries.push(ms) })));
      assert.deepEqual(events, EXPECTED);
      assert.deepEqual(retries, [1500]);
    });
  });
});
