import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readEvents } from './helpers';
import { spawnServer, startServer, type TestServer } from './support/server';
import { findTool, MissingTool, requireTool } from './support/tools';

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

test('on SIGTERM the server ends every stream cleanly and exits with 0 once the last connection is closed', async () => {
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
    // An idle keep-alive connection too, which Next's own shutdown would wait on until it times out.
    expect((await fetch(`${doomed.url}/api/health`)).status).toBe(200);
    doomed.process.kill('SIGTERM');
    // Each stream ends with a clean end of stream (done), not a network error.
    for (const reader of streams) {
      while (!(await reader.read()).done) {
        // Drain what was sent before the close.
      }
    }
    expect(await doomed.exited).toBe(0);
    // The normal path, not the fallback timer.
    expect(doomed.output()).toContain('SIGTERM: stopped listening and closed 3 open streams');
    expect(doomed.output()).toMatch(/SIGTERM: every connection closed after \d+ ms; exiting\./);
    expect(doomed.output()).not.toContain('exiting anyway');
    await expect(fetch(`${doomed.url}/api/health`)).rejects.toThrow();
  } finally {
    await doomed.stop();
  }
});

test.describe('configuration', () => {
  const cases: [Record<string, string>, string][] = [
    [{ SSE_MAX_STREAMS: 'abc' }, 'Configuration error: SSE_MAX_STREAMS="abc" is not allowed: use an integer from 1 to 1000000.'],
    [{ CLOCK_INTERVAL_MS: '5' }, 'Configuration error: CLOCK_INTERVAL_MS="5" is not allowed: use an integer from 10 to 3600000.'],
    [{ CHAT_MAX_RUNS: '1e3' }, 'Configuration error: CHAT_MAX_RUNS="1e3" is not allowed: use an integer from 1 to 1000000.'],
    [{ SSE_FAULT_INJECTION: 'yes' }, 'Configuration error: SSE_FAULT_INJECTION="yes" is not allowed: use "on" or "off".'],
    [{ SSE_ALLOWED_ORIGINS: 'https://ok.test,https://ok.test/app' }, 'Configuration error: SSE_ALLOWED_ORIGINS="https://ok.test,https://ok.test/app" is not allowed: use comma-separated origins'],
    [{ SSE_MAX_STREAM: '5' }, 'Configuration error: SSE_MAX_STREAM is not a setting of this server; the SSE_* settings are SSE_AUTH_TOKEN, '],
  ];
  for (const [env, line] of cases) {
    test(`${Object.entries(env)[0]!.join('=')} stops the server with one line naming it`, async () => {
      const server = await spawnServer(env);
      expect(await server.exited).toBe(1);
      const errors = server.output().split('\n').filter((entry) => /error/i.test(entry));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(line);
      expect(server.output()).not.toMatch(/^\s+at /m);
    });
  }

  test('a secret is not repeated in the error line', async () => {
    const server = await spawnServer({ SSE_AUTH_TOKEN: ' top-secret ' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('SSE_AUTH_TOKEN=(12 characters, not shown) is not allowed');
    expect(server.output()).not.toContain('top-secret');
  });

  test('a good configuration starts, and its values apply', async () => {
    const good = await startServer({ SSE_MAX_STREAMS: '1', CLOCK_INTERVAL_MS: '50', CHAT_MAX_RUNS: '7', SSE_ALLOWED_ORIGINS: 'https://ok.test/' });
    try {
      const controller = new AbortController();
      const first = await fetch(`${good.url}/api/clock`, { signal: controller.signal, headers: { Origin: 'https://ok.test' } });
      expect(first.status).toBe(200);
      expect(first.headers.get('access-control-allow-origin')).toBe('https://ok.test');
      await expectError(await fetch(`${good.url}/api/clock`), 503, 'unavailable');
      controller.abort();
    } finally {
      await good.stop();
    }
  });
});

test.describe('under next start with the default settings', () => {
  let plain: TestServer;
  test.beforeAll(async () => {
    plain = await startServer({});
  });
  test.afterAll(async () => {
    await plain?.stop();
  });

  test('fault injection is off: /api/debug/* answer 404 and dropAfter is ignored', async () => {
    await expectError(await fetch(`${plain.url}/api/debug/flood?kb=1`), 404, 'not_found');
    const drop = await fetch(`${plain.url}/api/debug/drop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"client":"x"}' });
    await expectError(drop, 404, 'not_found');
    const events = await readEvents(await fetch(`${plain.url}/api/chat?prompt=hi&delayMs=0&dropAfter=1`));
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)!.type).toBe('done');
  });

  test('TRACE, TRACK and CONNECT get 405 with Allow, OPTIONS * gets 400, all JSON, and nothing is logged', async () => {
    const { port } = new URL(plain.url);
    const answers: string[] = [];
    for (const head of ['TRACE /api/clock', 'TRACE /', 'OPTIONS *', 'TRACK /api/chat']) {
      answers.push(await rawExchange(Number(port), `${head} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    }
    // CONNECT names a host and port (authority-form); Node hands it to the server's 'connect' listeners.
    answers.push(await rawExchange(Number(port), `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    for (const answer of [answers[0], answers[1], answers[4]]) {
      expect(answer).toMatch(/^HTTP\/1\.1 405 /);
      expect(answer).toMatch(/\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i);
      expect(answer).toMatch(/\r\nContent-Type: application\/json\r\n/i);
      expect(answer).toContain('"code":"method_not_allowed"');
    }
    expect(answers[2]).toMatch(/^HTTP\/1\.1 400 /);
    expect(answers[2]).toContain('"code":"bad_request"');
    // Node's own parser knows no TRACK (some versions pass it on, and Next then fails on it).
    expect(answers[3]).toMatch(/^HTTP\/1\.1 (400|405) /);
    expect((await fetch(`${plain.url}/api/health`)).status).toBe(200);
    expect(plain.output()).not.toMatch(/Error|^\s+at /m);
  });

  test('a client that hangs up halfway through a POST body is not logged as a server error', async () => {
    const { port } = new URL(plain.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"messages":[');
    // Once the route has started reading, which the request's own stream count cannot show: the
    // same connection's bytes are in the kernel by the time a later request is answered.
    await expect.poll(async () => (await fetch(`${plain.url}/api/health`)).status).toBe(200);
    socket.resetAndDestroy();
    // A request after it, so the server has handled the reset before the log is read.
    const response = await fetch(`${plain.url}/api/chat?prompt=hi&delayMs=0`);
    await readEvents(response);
    expect(plain.output()).not.toMatch(/aborted|ECONNRESET|Error|^\s+at /m);
  });

  test('a cross-site navigation to a stream route is refused; same-origin, non-browser and allowed-origin requests are not', async () => {
    const navigate = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' };
    await expectError(await fetch(`${plain.url}/api/chat?prompt=hi&delayMs=0`, { headers: navigate }), 403, 'forbidden_origin');
    await expectError(await fetch(`${plain.url}/api/clock`, { headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' } }), 403, 'forbidden_origin');
    const allowed: Record<string, string>[] = [{ 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors' }, { 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Mode': 'navigate' }, {}];
    for (const headers of allowed) {
      const response = await fetch(`${plain.url}/api/chat?prompt=hi&delayMs=0`, { headers });
      expect(response.status).toBe(200);
      await readEvents(response);
    }
  });

  test('in Chromium, a link from another site to a stream route is refused, and one from the same origin is not', async ({ page }) => {
    const { port } = new URL(plain.url);
    // localhost and 127.0.0.1 are different sites to the browser, though the same server.
    await page.goto(`http://localhost:${port}/api/health`);
    const crossSite = page.waitForResponse((response) => response.url().includes('/api/chat'));
    await page.evaluate((target) => (location.href = target), `${plain.url}/api/chat?prompt=hi&delayMs=0`);
    const refused = await crossSite;
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');

    await page.goto(`${plain.url}/api/health`);
    const sameOrigin = page.waitForResponse((response) => response.url().includes('/api/chat'));
    await page.evaluate((target) => (location.href = target), `${plain.url}/api/chat?prompt=hi&delayMs=0`);
    expect((await sameOrigin).status()).toBe(200);
  });

  test('origins are compared exactly: another scheme, a path or a forwarded host does not make a request same-origin', async () => {
    const { host } = new URL(plain.url);
    const ok = await fetch(`${plain.url}/api/session`, { headers: { Origin: `http://${host}` } });
    expect(ok.status).toBe(200);
    await expectError(await fetch(`${plain.url}/api/session`, { headers: { Origin: `https://${host}` } }), 403, 'forbidden_origin');
    await expectError(await fetch(`${plain.url}/api/session`, { headers: { Origin: `http://${host}/app` } }), 403, 'forbidden_origin');
    // No proxy is trusted here, so X-Forwarded-Host is the client's own claim.
    const forwarded = await fetch(`${plain.url}/api/session`, { headers: { Origin: 'http://evil.test', 'X-Forwarded-Host': 'evil.test' } });
    await expectError(forwarded, 403, 'forbidden_origin');
  });

  test('?lastEventId= gets the same 256-character limit as the header, and is not echoed', async () => {
    const long = 'x'.repeat(10_000);
    const response = await fetch(`${plain.url}/api/clock?lastEventId=${long}`);
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error.code).toBe('invalid_parameter');
    expect(text).not.toContain('x'.repeat(257));
  });
});

test('the e2e step names the package to install when it can find no Chromium and cannot download one', async () => {
  test.setTimeout(240_000);
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'no-browsers-'));
  const env = { ...process.env };
  delete env.CHROMIUM_PATH;
  const run = spawnSync('npx', ['playwright', 'test', '--list', 'e2e/cli.spec.ts'], {
    env: {
      ...env,
      // A machine with no system Chromium, no Playwright browsers, and no way to download one.
      E2E_SYSTEM_CHROMIUM: path.join(emptyDir, 'chromium'),
      PLAYWRIGHT_BROWSERS_PATH: emptyDir,
      PLAYWRIGHT_DOWNLOAD_HOST: 'http://127.0.0.1:9',
    },
    encoding: 'utf8',
    timeout: 200_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe('e2e: No Chromium found, and "playwright install chromium" could not download one; install it with: apt-get install chromium');
});

test('requireTool finds installed programs and names the package of a missing one in one line', () => {
  expect(() => requireTool('no-such-program-here')).toThrow(
    new MissingTool('no-such-program-here is not installed; install it with: apt-get install no-such-program-here'),
  );
  const original = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    expect(findTool('sh')).toBeUndefined();
  } finally {
    process.env.PATH = original;
  }
  expect(findTool('sh')).toMatch(/\/sh$/);
});

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => resolve(answer));
    socket.write(bytes);
  });
}
