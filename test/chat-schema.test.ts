import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BODY_BYTES, parseChatBody, parseChatQuery, parseCursor } from '../app/api/chat/schema';
import { readJsonBody } from '../lib/http/body';
import { ApiError } from '../lib/http/errors';
import { parseFaults } from '../lib/http/faults';

function rejects(run: () => unknown, code: string, status: number): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    assert.ok(error.message.length > 0);
    return true;
  });
}

async function rejectsAsync(run: () => Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

function jsonRequest(body: string, type = 'application/json', headers: Record<string, string> = {}): Request {
  return new Request('http://test/api/chat', { method: 'POST', headers: { 'Content-Type': type, ...headers }, body });
}

const user = (content: unknown) => ({ role: 'user', content });

describe('parseChatBody', () => {
  test('accepts messages and options, and keeps them as given', () => {
    const chat = parseChatBody({ messages: [user('hi'), { role: 'assistant', content: 'hello' }, user('more')], options: { delayMs: 0, seed: 7 } });
    assert.deepEqual(chat, {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'more' },
      ],
      delayMs: 0,
      seed: 7,
    });
  });

  test('defaults delayMs to 30 and draws a random 32-bit seed', () => {
    const chat = parseChatBody({ messages: [user('hi')] });
    assert.equal(chat.delayMs, 30);
    assert.ok(Number.isInteger(chat.seed) && chat.seed >= 0 && chat.seed <= 0xffffffff);
  });

  test('rejects a body that is not an object', () => {
    for (const body of [null, [], 'x', 5]) rejects(() => parseChatBody(body), 'bad_request', 400);
  });

  test('rejects missing or empty messages', () => {
    rejects(() => parseChatBody({}), 'bad_request', 400);
    rejects(() => parseChatBody({ messages: [] }), 'bad_request', 400);
    rejects(() => parseChatBody({ messages: 'hi' }), 'bad_request', 400);
  });

  test('rejects a message without string content', () => {
    rejects(() => parseChatBody({ messages: [user(5)] }), 'bad_request', 400);
    rejects(() => parseChatBody({ messages: [{ role: 'user' }] }), 'bad_request', 400);
    rejects(() => parseChatBody({ messages: [null] }), 'bad_request', 400);
  });

  test('rejects an unknown role, and a conversation not ending with the user', () => {
    rejects(() => parseChatBody({ messages: [{ role: 'system', content: 'x' }] }), 'bad_request', 400);
    rejects(() => parseChatBody({ messages: [user('q'), { role: 'assistant', content: 'a' }] }), 'bad_request', 400);
  });

  test('rejects delayMs or seed that are not integers in range', () => {
    for (const delayMs of [-1, 1001, 1.5, '5', null, Number.NaN]) {
      rejects(() => parseChatBody({ messages: [user('x')], options: { delayMs } }), 'invalid_parameter', 400);
    }
    for (const seed of [-1, 2 ** 32, 0.5, '7', true]) {
      rejects(() => parseChatBody({ messages: [user('x')], options: { seed } }), 'invalid_parameter', 400);
    }
    rejects(() => parseChatBody({ messages: [user('x')], options: [] }), 'bad_request', 400);
  });
});

describe('parseChatQuery', () => {
  test('builds one user message from prompt, with the history before it', () => {
    const params = new URLSearchParams({ prompt: 'and then?', delayMs: '5', seed: '9', history: JSON.stringify([user('a'), { role: 'assistant', content: 'b' }]) });
    assert.deepEqual(parseChatQuery(params), {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'and then?' },
      ],
      delayMs: 5,
      seed: 9,
    });
  });

  test('rejects a missing or blank prompt', () => {
    rejects(() => parseChatQuery(new URLSearchParams()), 'bad_request', 400);
    rejects(() => parseChatQuery(new URLSearchParams({ prompt: '  ' })), 'bad_request', 400);
  });

  test('rejects delayMs and seed that are not plain decimal integers in range', () => {
    for (const delayMs of ['fast', '-1', '1001', '1e2', ' 5', '0x10', '']) {
      rejects(() => parseChatQuery(new URLSearchParams({ prompt: 'x', delayMs })), 'invalid_parameter', 400);
    }
    for (const seed of ['-1', '4294967296', '1.5']) {
      rejects(() => parseChatQuery(new URLSearchParams({ prompt: 'x', seed })), 'invalid_parameter', 400);
    }
  });

  test('rejects a history that is not a JSON array of messages', () => {
    for (const history of ['{', '{}', '[{"role":"robot","content":"x"}]']) {
      assert.throws(() => parseChatQuery(new URLSearchParams({ prompt: 'x', history })), ApiError);
    }
  });
});

describe('parseCursor and parseFaults', () => {
  test('reads Last-Event-ID from the header, or lastEventId from the query', () => {
    const request = new Request('http://test/', { headers: { 'Last-Event-ID': 'abc123:17' } });
    assert.deepEqual(parseCursor(request, new URLSearchParams()), { streamId: 'abc123', seq: 17 });
    assert.deepEqual(parseCursor(new Request('http://test/'), new URLSearchParams({ lastEventId: 'x:2' })), { streamId: 'x', seq: 2 });
    assert.equal(parseCursor(new Request('http://test/'), new URLSearchParams()), undefined);
  });

  test('rejects a malformed Last-Event-ID', () => {
    for (const id of ['abc', 'abc:', ':5', 'a b:1', 'abc:-1', 'abc:1.5']) {
      const request = new Request('http://test/', { headers: { 'Last-Event-ID': id } });
      rejects(() => parseCursor(request, new URLSearchParams()), 'invalid_parameter', 400);
    }
  });

  test('reads dropAfter and client, and rejects bad values', () => {
    assert.deepEqual(parseFaults(new URLSearchParams({ dropAfter: '3', client: 'es-1' })), { dropAfter: 3, tag: 'es-1' });
    for (const dropAfter of ['0', '-1', 'x', '100001']) rejects(() => parseFaults(new URLSearchParams({ dropAfter })), 'invalid_parameter', 400);
    rejects(() => parseFaults(new URLSearchParams({ client: 'bad tag!' })), 'invalid_parameter', 400);
  });
});

describe('readJsonBody', () => {
  test('parses a JSON body', async () => {
    assert.deepEqual(await readJsonBody(jsonRequest('{"a":1}'), 100), { a: 1 });
    assert.deepEqual(await readJsonBody(jsonRequest('[1]', 'application/json; charset=utf-8'), 100), [1]);
  });

  test('answers another content type with 415', async () => {
    await rejectsAsync(() => readJsonBody(jsonRequest('{}', 'text/plain'), 100), 'unsupported_media_type', 415);
    await rejectsAsync(() => readJsonBody(jsonRequest('{}', 'application/jsonx'), 100), 'unsupported_media_type', 415);
  });

  test('answers malformed JSON and invalid UTF-8 with 400', async () => {
    await rejectsAsync(() => readJsonBody(jsonRequest('{"messages":'), 100), 'invalid_json', 400);
    const bytes = new Request('http://test/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: new Uint8Array([0x22, 0xff, 0x22]) });
    await rejectsAsync(() => readJsonBody(bytes, 100), 'invalid_json', 400);
  });

  test('answers a body over the limit with 413, whether Content-Length says so or not', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) });
    await rejectsAsync(() => readJsonBody(jsonRequest(big), MAX_BODY_BYTES), 'payload_too_large', 413);
    const streamed = new Request('http://test/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await rejectsAsync(() => readJsonBody(streamed, MAX_BODY_BYTES), 'payload_too_large', 413);
  });
});
