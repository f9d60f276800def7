import { expect, test } from '@playwright/test';
import { payloads, postChat, readEvents } from './helpers';

const ASK = { messages: [{ role: 'user', content: 'What are server-sent events?' }], options: { delayMs: 0, seed: 42 } };

test.describe('/api/chat', () => {
  test('streams stages, tokens and a final done with usage, ids <streamId>:<seq> in order', async ({ baseURL }) => {
    const response = await postChat(baseURL!, ASK);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const streamId = response.headers.get('x-stream-id');
    expect(streamId).toMatch(/^[A-Za-z0-9_-]+$/);
    const events = await readEvents(response);

    events.forEach((event, index) => expect(event.lastEventId).toBe(`${streamId}:${index + 1}`));
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('status');
    expect(JSON.parse(events[0]!.data)).toEqual({ stage: 'thinking' });
    expect(types.at(-1)).toBe('done');
    const generating = events.findIndex((event) => event.type === 'status' && JSON.parse(event.data).stage === 'generating');
    const firstToken = types.indexOf('token');
    expect(generating).toBeGreaterThan(0);
    expect(firstToken).toBeGreaterThan(generating);
    const done = JSON.parse(events.at(-1)!.data) as { finishReason: string; usage: { promptTokens: number; completionTokens: number } };
    expect(done.finishReason).toBe('stop');
    expect(done.usage.completionTokens).toBe(types.filter((type) => type === 'token').length);
    expect(done.usage.promptTokens).toBeGreaterThan(0);
  });

  test('gives the same answer over GET and POST for the same prompt and seed', async ({ baseURL }) => {
    const post = payloads(await readEvents(await postChat(baseURL!, ASK)));
    const query = new URLSearchParams({ prompt: ASK.messages[0]!.content, seed: '42', delayMs: '0' });
    const get = await fetch(`${baseURL}/api/chat?${query}`);
    expect(get.status).toBe(200);
    expect(payloads(await readEvents(get))).toEqual(post);
  });

  test('calls a tool when asked to look something up', async ({ baseURL }) => {
    const events = payloads(
      await readEvents(await postChat(baseURL!, { messages: [{ role: 'user', content: 'Look up the docs on EventSource' }], options: { delayMs: 0, seed: 1 } })),
    );
    const tools = events
      .filter((event) => event.type === 'tool')
      .map((event) => event.data as { state: string; name: string; inputTextDelta?: string; input?: unknown });
    // The input streams in pieces of its JSON text before the call, which carries it whole.
    const pieces = tools.filter((tool) => tool.state === 'input-streaming');
    expect(pieces.length).toBeGreaterThan(2);
    expect(tools.map((tool) => tool.state)).toEqual([...pieces.map(() => 'input-streaming'), 'call', 'result']);
    expect(JSON.parse(pieces.map((piece) => piece.inputTextDelta).join(''))).toEqual(tools.at(-2)?.input);
    expect(events.some((event) => event.type === 'status' && (event.data as { stage: string }).stage === 'searching')).toBe(true);
  });

  test('a prompt with /error fails mid-stream with an error event and no done', async ({ baseURL }) => {
    const events = await readEvents(await postChat(baseURL!, { messages: [{ role: 'user', content: 'break /error' }], options: { delayMs: 0 } }));
    const types = events.map((event) => event.type);
    expect(types).toContain('token');
    expect(types.at(-1)).toBe('error');
    expect(types).not.toContain('done');
    expect(Object.keys(JSON.parse(events.at(-1)!.data)).sort()).toEqual(['code', 'message']);
  });

  const BAD: { name: string; init: RequestInit; query?: string; status: number; code: string }[] = [
    { name: 'malformed JSON', init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":' }, status: 400, code: 'invalid_json' },
    { name: 'a non-JSON content type', init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' }, status: 415, code: 'unsupported_media_type' },
    { name: 'missing messages', init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }, status: 400, code: 'bad_request' },
    { name: 'empty messages', init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[]}' }, status: 400, code: 'bad_request' },
    {
      name: 'a message without string content',
      init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"user","content":5}]}' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'an unknown role',
      init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"system","content":"x"}]}' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'a body over 32 KiB',
      init: {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(33 * 1024) }] }),
      },
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'a fractional delayMs',
      init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"user","content":"x"}],"options":{"delayMs":1.5}}' },
      status: 400,
      code: 'invalid_parameter',
    },
    {
      name: 'a delayMs over 1000',
      init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"user","content":"x"}],"options":{"delayMs":1001}}' },
      status: 400,
      code: 'invalid_parameter',
    },
    {
      name: 'a string seed',
      init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"user","content":"x"}],"options":{"seed":"7"}}' },
      status: 400,
      code: 'invalid_parameter',
    },
    { name: 'GET without prompt', init: { method: 'GET' }, status: 400, code: 'bad_request' },
    { name: 'GET with a non-numeric delayMs', init: { method: 'GET' }, query: '?prompt=hi&delayMs=fast', status: 400, code: 'invalid_parameter' },
    { name: 'GET with a negative seed', init: { method: 'GET' }, query: '?prompt=hi&seed=-1', status: 400, code: 'invalid_parameter' },
    { name: 'PUT', init: { method: 'PUT' }, status: 405, code: 'method_not_allowed' },
    { name: 'DELETE', init: { method: 'DELETE' }, status: 405, code: 'method_not_allowed' },
  ];

  for (const bad of BAD) {
    test(`answers ${bad.name} with ${bad.status} ${bad.code} and no stream`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}/api/chat${bad.query ?? ''}`, bad.init);
      expect(response.status).toBe(bad.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(bad.code);
      expect(typeof body.error.message).toBe('string');
      expect(body.error.message.length).toBeGreaterThan(0);
    });
  }
});

test('without a trusted proxy a client cannot choose its address with X-Forwarded-For', async ({ baseURL }) => {
  const response = await fetch(`${baseURL}/api/session`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  expect(((await response.json()) as { client: string }).client).toBe('127.0.0.1');
});

test.describe('bad input on every route', () => {
  // Each path, the methods it refuses, and the Allow header naming the ones it takes.
  const WRONG_METHODS: [string, string[], string][] = [
    ['/api/clock', ['POST', 'PUT', 'PATCH', 'DELETE'], 'GET'],
    ['/api/chat', ['PUT', 'PATCH', 'DELETE'], 'GET, POST'],
    ['/api/chat/abc', ['POST', 'PUT', 'PATCH'], 'GET, DELETE'],
    ['/api/session', ['PUT', 'PATCH'], 'GET, POST, DELETE'],
    ['/api/stats', ['POST', 'PUT', 'PATCH', 'DELETE'], 'GET'],
    ['/api/health', ['POST', 'PUT', 'PATCH', 'DELETE'], 'GET'],
    ['/api/debug/drop', ['GET', 'PUT', 'PATCH', 'DELETE'], 'POST'],
    ['/api/debug/flood', ['POST', 'PUT', 'PATCH', 'DELETE'], 'GET'],
  ];
  for (const [path, methods, allow] of WRONG_METHODS) {
    test(`${path} answers wrong methods with 405 JSON and Allow`, async ({ baseURL }) => {
      for (const method of methods) {
        const response = await fetch(`${baseURL}${path}`, { method });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow'), method).toBe(allow);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
      }
    });
  }

  const BAD_QUERIES: [string, RequestInit, number, string][] = [
    ['/api/clock?dropAfter=0', {}, 400, 'invalid_parameter'],
    ['/api/clock?dropAfter=many', {}, 400, 'invalid_parameter'],
    ['/api/clock?client=%3Cscript%3E', {}, 400, 'invalid_parameter'],
    ['/api/clock', { headers: { 'Last-Event-ID': '9'.repeat(300) } }, 400, 'invalid_parameter'],
    ['/api/chat?prompt=hi', { headers: { 'Last-Event-ID': 'x'.repeat(300) } }, 400, 'invalid_parameter'],
    [`/api/chat?prompt=${'x'.repeat(4001)}`, {}, 400, 'invalid_parameter'],
    ['/api/chat?prompt=hi&history=%5B', {}, 400, 'invalid_parameter'],
    ['/api/chat/not%20an%20id', {}, 400, 'invalid_parameter'],
    ['/api/debug/flood?kb=0', {}, 400, 'invalid_parameter'],
    ['/api/debug/drop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }, 400, 'bad_request'],
    ['/api/debug/drop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(2000) }, 413, 'payload_too_large'],
    ['/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"token":5}' }, 400, 'bad_request'],
    ['/api/session', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'token' }, 415, 'unsupported_media_type'],
  ];
  for (const [path, init, status, code] of BAD_QUERIES) {
    test(`${init.method ?? 'GET'} ${path.slice(0, 60)} answers ${status} ${code}`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}${path}`, init);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    });
  }
});
