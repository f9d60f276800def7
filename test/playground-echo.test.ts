import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { echoResponse } from '../lib/playground/echo';

// The echo holds one of the client's stream slots while it streams (the guard's `release`), so
// its end must give it back, whichever way it ends, and only once.

const BYTES = new TextEncoder().encode('data: a\n\ndata: b\n\n');

describe('echoResponse', () => {
  test('echoes the bytes in the chunks asked for, then calls onClose once', async () => {
    let closes = 0;
    const response = echoResponse(BYTES, [9], new AbortController().signal, () => closes++);
    const reader = response.body!.getReader();
    const chunks: string[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(new TextDecoder().decode(read.value));
    assert.deepEqual(chunks, ['data: a\n\n', 'data: b\n\n']);
    assert.equal(closes, 1);
  });

  test('a client that leaves mid-stream (abort and cancel both fire) calls onClose once', async () => {
    let closes = 0;
    const controller = new AbortController();
    const response = echoResponse(BYTES, [9], controller.signal, () => closes++);
    const reader = response.body!.getReader();
    await reader.read();
    assert.equal(closes, 0);
    controller.abort();
    await reader.cancel();
    assert.equal(closes, 1);
  });
});
