import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticate, createSession, readCookie, sessionCookie, SESSION_SECONDS, verifySession } from '../lib/http/auth';
import { clientIp, PEER_HEADER } from '../lib/http/client-ip';
import { corsHeaders, isCrossSiteWithoutOrigin } from '../lib/http/cors';
import { createRateLimiter } from '../lib/http/rate-limit';

describe('createRateLimiter', () => {
  test('allows a burst, then answers with the wait until the next token', () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 3 });
    const now = 1_000_000;
    assert.deepEqual([limiter.take('a', now), limiter.take('a', now), limiter.take('a', now)], [0, 0, 0]);
    assert.equal(limiter.take('a', now), 1000);
    assert.equal(limiter.take('a', now + 400), 600);
    assert.equal(limiter.take('a', now + 1000), 0);
  });

  test('keeps keys apart', () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 1 });
    assert.equal(limiter.take('a', 0), 0);
    assert.equal(limiter.take('b', 0), 0);
    assert.ok(limiter.take('a', 0) > 0);
  });

  test('holds a bounded number of keys, dropping refilled ones first', () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 5, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`client-${i}`, i);
    assert.ok(limiter.size <= 100, `tracked ${limiter.size}`);
  });
});

describe('sessions', () => {
  test('a session the token signed verifies until it expires', () => {
    const now = Date.UTC(2026, 0, 1);
    const { value, expiresAt } = createSession('tok', now);
    assert.equal(expiresAt, now / 1000 + SESSION_SECONDS);
    assert.equal(verifySession('tok', value, now), true);
    assert.equal(verifySession('tok', value, (expiresAt + 1) * 1000), false);
  });

  test('another token, a changed expiry or a changed signature does not verify', () => {
    const { value } = createSession('tok');
    const [id, expires, signature] = value.split('.') as [string, string, string];
    assert.equal(verifySession('other', value), false);
    assert.equal(verifySession('tok', `${id}.${Number(expires) + 1000}.${signature}`), false);
    assert.equal(verifySession('tok', `${id}.${expires}.${signature.slice(1)}x`), false);
    assert.equal(verifySession('tok', 'garbage'), false);
  });

  test('authenticate accepts the bearer token or the cookie, and anything when no token is set', () => {
    const { value } = createSession('tok');
    const request = (headers: Record<string, string>) => new Request('http://x/', { headers });
    assert.equal(authenticate(request({}), undefined), 'none-required');
    assert.equal(authenticate(request({ Authorization: 'Bearer tok' }), 'tok'), 'bearer');
    assert.equal(authenticate(request({ Authorization: 'Bearer tok2' }), 'tok'), undefined);
    assert.equal(authenticate(request({ Authorization: 'Basic tok' }), 'tok'), undefined);
    assert.equal(authenticate(request({ Cookie: `a=1; sse_session=${value}` }), 'tok'), 'cookie');
    assert.equal(authenticate(request({}), 'tok'), undefined);
  });

  test('the cookie is HttpOnly, SameSite=Lax, and Secure over https', () => {
    assert.equal(sessionCookie(new Request('http://x/'), 'v'), `sse_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_SECONDS}`);
    assert.match(sessionCookie(new Request('https://x/'), 'v'), /; Secure$/);
    assert.match(sessionCookie(new Request('http://x/', { headers: { 'X-Forwarded-Proto': 'https' } }), undefined), /^sse_session=; .*Max-Age=0; Secure$/);
    assert.equal(readCookie(new Request('http://x/', { headers: { Cookie: 'a=1; b=x=y' } }), 'b'), 'x=y');
  });
});

describe('clientIp', () => {
  const request = (headers: Record<string, string>) => new Request('http://x/', { headers });

  test('without trusted proxies, uses the stamped peer address and ignores X-Forwarded-For', () => {
    assert.equal(clientIp(request({ [PEER_HEADER]: '::ffff:10.1.2.3', 'X-Forwarded-For': '1.1.1.1' }), 0), '10.1.2.3');
    assert.equal(clientIp(request({}), 0), 'unknown');
  });

  test('behind N trusted proxies, takes the Nth address from the right', () => {
    const headers = { [PEER_HEADER]: '127.0.0.1', 'X-Forwarded-For': 'spoofed, 203.0.113.5, 10.0.0.2' };
    assert.equal(clientIp(request(headers), 1), '10.0.0.2');
    assert.equal(clientIp(request(headers), 2), '203.0.113.5');
    assert.equal(clientIp(request({ [PEER_HEADER]: '127.0.0.1' }), 1), '127.0.0.1');
  });
});

describe('corsHeaders', () => {
  const allowed = new Set(['https://app.example']);
  const request = (headers: Record<string, string>) => new Request('http://api.example/x', { headers: { Host: 'api.example', ...headers } });

  test('needs nothing without an Origin or for the same origin', () => {
    assert.deepEqual(corsHeaders(request({}), allowed), {});
    assert.deepEqual(corsHeaders(request({ Origin: 'http://api.example' }), allowed), {});
  });

  test('echoes an allowed origin with credentials and Vary, and refuses others', () => {
    assert.deepEqual(corsHeaders(request({ Origin: 'https://app.example' }), allowed), {
      'Access-Control-Allow-Origin': 'https://app.example',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'X-Stream-Id, Retry-After',
      Vary: 'Origin',
    });
    assert.equal(corsHeaders(request({ Origin: 'https://evil.example' }), allowed), null);
    assert.equal(corsHeaders(request({ Origin: 'null' }), allowed), null);
  });

  test('compares origins exactly: scheme, host and port, no path', () => {
    assert.equal(corsHeaders(request({ Origin: 'https://api.example' }), allowed), null);
    assert.equal(corsHeaders(request({ Origin: 'http://api.example:8080' }), allowed), null);
    assert.equal(corsHeaders(request({ Origin: 'http://api.example/app' }), allowed), null);
    assert.equal(corsHeaders(request({ Origin: 'https://app.example/' }), allowed), null);
  });

  test('believes X-Forwarded-Host and -Proto only behind a trusted proxy', () => {
    const forwarded = { Origin: 'https://public.example', 'X-Forwarded-Host': 'public.example', 'X-Forwarded-Proto': 'https' };
    assert.equal(corsHeaders(request(forwarded), allowed), null);
    assert.equal(corsHeaders(request(forwarded), allowed, 0), null);
    assert.deepEqual(corsHeaders(request(forwarded), allowed, 1), {});
  });
});

describe('isCrossSiteWithoutOrigin', () => {
  const request = (headers: Record<string, string>) => new Request('http://api.example/api/chat?prompt=hi', { headers });

  test('is true for a cross-site or same-site navigation or no-cors load, which names no origin', () => {
    assert.equal(isCrossSiteWithoutOrigin(request({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' })), true);
    assert.equal(isCrossSiteWithoutOrigin(request({ 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' })), true);
  });

  test('is false for same-origin requests, typed-in URLs, CORS requests and clients that are not browsers', () => {
    assert.equal(isCrossSiteWithoutOrigin(request({ 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'navigate' })), false);
    assert.equal(isCrossSiteWithoutOrigin(request({ 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Mode': 'navigate' })), false);
    assert.equal(isCrossSiteWithoutOrigin(request({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors', Origin: 'https://app.example' })), false);
    assert.equal(isCrossSiteWithoutOrigin(request({})), false);
  });
});
