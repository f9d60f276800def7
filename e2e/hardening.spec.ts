import { connect } from 'node:net';
import { expect, test } from '@playwright/test';
import { startServer, type TestServer } from './support/server';

const TOKEN = 's3cret-token';
const ALLOWED = 'http://allowed.test';
let server: TestServer;

// Each test speaks for its own client address (the server trusts one proxy hop for this), so
// per-client limits and buckets do not leak between tests.
let nextClient = 1;
function client(): Record<string, string> {
  return { 'X-Forwarded-For': `198.51.100.${nextClient++}` };
}
const bearer = { Authorization: `Bearer ${TOKEN}` };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  server = await startServer({
    SSE_AUTH_TOKEN: TOKEN,
    SSE_MAX_STREAMS_PER_IP: '2',
    SSE_MAX_STREAMS: '3',
    SSE_RATE_LIMIT: '60',
    SSE_RATE_BURST: '10',
    SSE_TRUST_PROXY: '1',
    SSE_ALLOWED_ORIGINS: ALLOWED,
  });
});

test.afterAll(async () => {
  await server?.stop();
});

async function openStream(headers: Record<string, string>): Promise<{ status: number; close: () => void; response: Response }> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/clock`, { headers, signal: controller.signal });
  return { status: response.status, response, close: () => controller.abort() };
}

async function openStreams(): Promise<number> {
  const response = await fetch(`${server.url}/api/stats`, { headers: { ...bearer, ...client() } });
  return ((await response.json()) as { openStreams: number }).openStreams;
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
}

test.describe('authentication', () => {
  test('without credentials every stream route and /api/stats answer 401 JSON, and no stream opens', async () => {
    const requests: [string, RequestInit][] = [
      ['/api/clock', {}],
      ['/api/chat?prompt=hi', {}],
      ['/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' }],
      ['/api/chat/abc', {}],
      ['/api/stats', {}],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${server.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...client() } });
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      await expectError(response, 401, 'unauthorized');
    }
    const wrong = await fetch(`${server.url}/api/clock`, { headers: { Authorization: 'Bearer nope', ...client() } });
    await expectError(wrong, 401, 'unauthorized');
  });

  test('a bearer token opens the stream', async () => {
    const stream = await openStream({ ...bearer, ...client() });
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    stream.close();
  });

  test('POST /api/session trades the token for an HttpOnly SameSite=Lax cookie that streams accept; DELETE clears it', async () => {
    const who = client();
    const wrong = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...who }, body: '{"token":"nope"}' });
    await expectError(wrong, 401, 'unauthorized');

    const signIn = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...who }, body: JSON.stringify({ token: TOKEN }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sse_session=[\w-]+\.\d+\.[\w-]+; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    const value = cookie.split(';')[0]!;

    const stream = await openStream({ Cookie: value, ...who });
    expect(stream.status).toBe(200);
    stream.close();
    const forged = await fetch(`${server.url}/api/clock`, { headers: { Cookie: `${value.slice(0, -2)}xx`, ...who } });
    await expectError(forged, 401, 'unauthorized');

    const signOut = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: who });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toContain('Max-Age=0');
  });
});

test.describe('limits', () => {
  test('a client over its stream cap gets 429 with Retry-After, and room again once a stream closes', async () => {
    const who = { ...bearer, ...client() };
    const first = await openStream(who);
    const second = await openStream(who);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await fetch(`${server.url}/api/clock`, { headers: who });
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(third, 429, 'rate_limited');
    first.close();
    await expect.poll(async () => (await openStream(who).then((s) => (s.close(), s.status)))).toBe(200);
    second.close();
  });

  test('the server over its global cap answers 503 with Retry-After', async () => {
    await expect.poll(openStreams).toBe(0);
    const a = { ...bearer, ...client() };
    const b = { ...bearer, ...client() };
    const open = [await openStream(a), await openStream(a), await openStream(b)];
    expect(open.map((stream) => stream.status)).toEqual([200, 200, 200]);
    const over = await fetch(`${server.url}/api/clock`, { headers: { ...bearer, ...client() } });
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(over, 503, 'unavailable');
    for (const stream of open) stream.close();
    await expect.poll(openStreams).toBe(0);
  });

  test('requests past the rate limit get 429 with Retry-After', async () => {
    const who = client();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${server.url}/api/session`, { headers: who })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    const limited = await fetch(`${server.url}/api/session`, { headers: who });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(limited, 429, 'rate_limited');
  });

  test('guessing the token is rate limited like any other request', async () => {
    const who = { Authorization: 'Bearer guess', ...client() };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await fetch(`${server.url}/api/clock`, { headers: who })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
  });

  test('HEAD on a stream route answers the headers and leaves no stream open', async () => {
    await expect.poll(openStreams).toBe(0);
    const head = await fetch(`${server.url}/api/clock`, { method: 'HEAD', headers: { ...bearer, ...client() } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await openStreams()).toBe(0);
  });

  test('streams dropped by socket resets are counted out within seconds', async () => {
    await expect.poll(openStreams).toBe(0);
    const { port } = new URL(server.url);
    const sockets = Array.from({ length: 3 }, (_, i) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(`GET /api/clock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nX-Forwarded-For: 203.0.113.${i}\r\n\r\n`);
      return socket;
    });
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('data', resolve))));
    expect(await openStreams()).toBe(3);
    for (const socket of sockets) socket.resetAndDestroy();
    await expect.poll(openStreams).toBe(0);
  });
});

test('behind a trusted proxy the client is the address the proxy appended to X-Forwarded-For', async () => {
  const response = await fetch(`${server.url}/api/session`, { headers: { 'X-Forwarded-For': '10.0.0.1, 198.51.100.77' } });
  expect(((await response.json()) as { client: string }).client).toBe('198.51.100.77');
});

test.describe('CORS', () => {
  test('an allowed origin gets its own origin back with credentials, never a wildcard', async () => {
    const stream = await fetch(`${server.url}/api/session`, { headers: { Origin: ALLOWED, ...client() } });
    expect(stream.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(stream.headers.get('access-control-allow-credentials')).toBe('true');
    expect(stream.headers.get('vary')).toContain('Origin');
  });

  test('the preflight for POST with Authorization is answered for an allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/chat`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type', ...client() },
      });
    const ok = await preflight(ALLOWED);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toContain('Authorization');
    await expectError(await preflight('http://evil.test'), 403, 'forbidden_origin');
  });

  test('any other origin is refused with 403, without opening a stream', async () => {
    const refused = await fetch(`${server.url}/api/clock`, { headers: { Origin: 'http://evil.test', ...bearer, ...client() } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    await expectError(refused, 403, 'forbidden_origin');
  });
});

test.describe('the pages with a token configured', () => {
  test('both transports fail without credentials, and work once signed in', async ({ page }) => {
    await page.goto(`${server.url}/clock`);
    await expect(page.getByTestId('auth-status')).toContainText('requires a token');
    await expect(page.getByTestId('es-state')).toHaveText('error');
    await expect(page.getByTestId('fetch-state')).toHaveText('error');
    await expect(page.getByTestId('fetch-log')).toContainText('HTTP 401');

    await page.getByTestId('token').fill(TOKEN);
    await page.getByTestId('sign-in').click();
    await expect(page.getByTestId('auth-message')).toHaveText('Cookie set: EventSource sends it with every request.');
    await expect(page.getByTestId('auth-status')).toContainText('EventSource cookie: signed in.');
    await page.getByTestId('es-connect').click();
    await page.getByTestId('fetch-connect').click();
    await expect(page.getByTestId('es-state')).toHaveText('open');
    await expect(page.getByTestId('fetch-state')).toHaveText('open');
    await expect(page.getByTestId('es-count-message')).toHaveText('1');
  });
});

test('on SIGTERM the server ends every stream cleanly and exits', async () => {
  const doomed = await startServer({});
  try {
    const streams = await Promise.all(
      [1, 2, 3].map(async () => {
        const response = await fetch(`${doomed.url}/api/clock`);
        const reader = response.body!.getReader();
        await reader.read();
        return reader;
      }),
    );
    doomed.process.kill('SIGTERM');
    // Each stream ends with a clean end of stream (done), not a network error.
    for (const reader of streams) {
      while (!(await reader.read()).done) {
        // Drain what was sent before the close.
      }
    }
    expect(await doomed.exited).toBe(143);
  } finally {
    await doomed.stop();
  }
});
