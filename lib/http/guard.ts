import 'server-only';

import { ApiError } from '@/lib/http/errors';
import { getSharedLimits } from '@/lib/server/redis';
import { countOpenStreams, type DirectWriter } from '@/lib/sse/server';
import { authenticate, principalOf } from './auth';
import { clientIp } from './client-ip';
import { getConfig } from './config';
import { isShuttingDown, nodeResponseOf } from './lifecycle';
import { createRateLimiter, type RateLimiter } from './rate-limit';

// Real ids are short; a long one is garbage or an attack, not a cursor to look up.
const MAX_LAST_EVENT_ID = 256;

/** What a guarded route knows about its caller. */
export interface Caller {
  ip: string;
  /** Whose credential the request carries (see `principalOf`); undefined when auth is off. */
  principal: string | undefined;
  /**
   * With `REDIS_URL` set, a request that opens a stream holds one of its client's stream slots
   * across the cluster (taken by the guard, or by {@link claimStream}); this gives it back
   * (idempotent). The stream's close calls it, through {@link streamSettings}; the route wrapper
   * calls it when no stream was opened after all.
   */
  release?: () => void;
  /**
   * The Node response under this request, which an event stream writes to directly (see
   * `SseResponseOptions.direct`); undefined with `SSE_DIRECT_WRITES=off` or when there is none.
   */
  direct?: DirectWriter;
}

function limiter(): RateLimiter {
  const store = globalThis as { __sseRateLimiter?: RateLimiter };
  const config = getConfig();
  return (store.__sseRateLimiter ??= createRateLimiter({ perMinute: config.ratePerMinute, burst: config.rateBurst }));
}

/**
 * The checks every API request passes after CORS: a `Last-Event-ID` (header or `?lastEventId=`)
 * longer than any real id (400); the request rate per client IP (429 with Retry-After), before
 * credentials, so that guessing tokens is throttled too; then credentials (401); and for a
 * request that opens a stream, the client's open streams (429) and the process's (503).
 *
 * With `REDIS_URL` set the request rate is counted in Redis, across every instance, and a Redis
 * that cannot answer makes the request a 503 with `Retry-After` rather than an unlimited one.
 */
export async function guard(request: Request, { opensStream, authenticated = true }: { opensStream: boolean; authenticated?: boolean }): Promise<Caller> {
  const config = getConfig();
  // The header, or the query parameter that stands for it where a client cannot set headers.
  const lastEventIds = [request.headers.get('last-event-id'), new URL(request.url).searchParams.get('lastEventId')];
  if (lastEventIds.some((id) => id !== null && id.length > MAX_LAST_EVENT_ID)) {
    throw new ApiError('invalid_parameter', `Last-Event-ID (or ?lastEventId=) must be at most ${MAX_LAST_EVENT_ID} characters.`);
  }
  const ip = clientIp(request, config.trustProxy);
  const waitMs = await takeRequest(ip, config.ratePerMinute, config.rateBurst);
  if (waitMs > 0) {
    throw new ApiError('rate_limited', 'Too many requests from this address; slow down.', { 'Retry-After': String(Math.ceil(waitMs / 1000)) });
  }
  const credential = authenticate(request, config.authToken);
  if (authenticated && !credential) {
    throw new ApiError('unauthorized', 'Send Authorization: Bearer <token>, or sign in with POST /api/session for a cookie.', {
      'WWW-Authenticate': 'Bearer realm="sse-lab"',
    });
  }
  const caller: Caller = { ip, principal: principalOf(request, credential), direct: config.directWrites ? nodeResponseOf(request) : undefined };
  if (opensStream) {
    assertStreamCapacity(caller);
    caller.release = await acquireSharedSlot(ip, config);
  }
  return caller;
}

/** One request from `ip`: 0 when allowed, else the milliseconds until one is. */
async function takeRequest(ip: string, perMinute: number, burst: number): Promise<number> {
  const shared = getSharedLimits({ perMinute, burst });
  if (!shared) return limiter().take(ip);
  try {
    return await (await shared).takeRequest(ip);
  } catch {
    throw new ApiError('unavailable', 'Shared state (Redis) is unreachable; try again shortly.', { 'Retry-After': '2' });
  }
}

/**
 * With Redis, one of `ip`'s `SSE_MAX_STREAMS_PER_IP` stream slots across every instance (429 when
 * all are taken, 503 when Redis cannot answer); without, nothing: the process's count is the cap.
 */
async function acquireSharedSlot(ip: string, config: ReturnType<typeof getConfig>): Promise<(() => void) | undefined> {
  const shared = getSharedLimits({ perMinute: config.ratePerMinute, burst: config.rateBurst });
  if (!shared) return undefined;
  let release: (() => void) | undefined;
  try {
    release = await (await shared).acquireStream(ip, config.maxStreamsPerIp);
  } catch {
    throw new ApiError('unavailable', 'Shared state (Redis) is unreachable; try again shortly.', { 'Retry-After': '2' });
  }
  if (!release) {
    throw new ApiError('rate_limited', `At most ${config.maxStreamsPerIp} open streams per client.`, { 'Retry-After': '5' });
  }
  return release;
}

/**
 * Throws unless the caller and the process may open one more stream. The guard calls it; a route
 * that awaits anything before it opens the stream (reading a body) calls it again just before, as
 * the counts may have moved meanwhile.
 */
export function assertStreamCapacity(caller: Pick<Caller, 'ip'>): void {
  const config = getConfig();
  if (countOpenStreams(caller.ip) >= config.maxStreamsPerIp) {
    throw new ApiError('rate_limited', `At most ${config.maxStreamsPerIp} open streams per client.`, { 'Retry-After': '5' });
  }
  if (countOpenStreams() >= config.maxStreams) {
    throw new ApiError('unavailable', 'This server holds as many streams as it may; try again shortly.', { 'Retry-After': '5' });
  }
}

/**
 * For a route that knows whether it streams only once it has read its body (the `/v1` model
 * routes answer `stream: false` as one JSON document): the checks an `opensStream` route passes in
 * the guard, made when it decides to stream. Refuses during shutdown (503), past the client's or
 * the process's stream cap, and with Redis takes one of the client's slots across the cluster,
 * which the stream gives back through {@link streamSettings} (call that after this).
 */
export async function claimStream(caller: Caller): Promise<void> {
  if (isShuttingDown()) throw new ApiError('unavailable', 'The server is shutting down; try again.', { 'Retry-After': '1' });
  assertStreamCapacity(caller);
  caller.release ??= await acquireSharedSlot(caller.ip, getConfig());
}

/** The per-stream settings from the configuration, for `createSseResponse`. */
export function streamSettings(caller: Caller): { client: string; maxQueuedBytes: number; heartbeatMs: number; onClose?: () => void; direct?: DirectWriter } {
  const config = getConfig();
  return { client: caller.ip, maxQueuedBytes: config.maxQueuedBytes, heartbeatMs: config.heartbeatMs, onClose: caller.release, direct: caller.direct };
}
