import 'server-only';

import type { RedisConnections } from './connections';

/**
 * The one door to Redis. With `REDIS_URL` unset, `redisEnabled()` is false and the `redis` package
 * is never imported: everything stays in process, as on a single instance. With it set, the
 * connections module is loaded on first use and its clients are created lazily, one per role.
 */
export function redisEnabled(): boolean {
  return Boolean(process.env.REDIS_URL);
}

/**
 * What is wrong with a `REDIS_URL`, in one line, or `undefined` when it is a redis:// or rediss://
 * URL. `instrumentation.ts` checks it at startup, so a typo stops the process instead of failing
 * every request later.
 */
export function redisUrlProblem(url: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  return protocol === 'redis:' || protocol === 'rediss:' ? undefined : `REDIS_URL must be a redis:// or rediss:// URL, got "${url}".`;
}

/** What `/api/health` and `/api/stats` report about Redis. */
export type RedisHealth =
  | { status: 'off' }
  | { status: 'ok' }
  | { status: 'degraded'; reason: string };

const store = globalThis as { __sseRedis?: Promise<RedisConnections>; __sseRedisLost?: Set<() => void> };
const lostListeners = (store.__sseRedisLost ??= new Set());

/**
 * Calls `callback` each time one of this instance's Redis connections that was ready loses Redis
 * (killed, restarting, network gone). A stream that depends on Redis ends itself cleanly here, so
 * its client reconnects (and meets `503` + `Retry-After` from the guard until Redis is back)
 * rather than hang on a source that went quiet. Does nothing without `REDIS_URL`. Returns a
 * function that removes the callback.
 */
export function onRedisLost(callback: () => void): () => void {
  lostListeners.add(callback);
  return () => lostListeners.delete(callback);
}

/**
 * This instance's Redis connections (loaded and created on first call), or `undefined` when
 * `REDIS_URL` is unset.
 */
export function getRedis(): Promise<RedisConnections> | undefined {
  if (!redisEnabled()) return undefined;
  return (store.__sseRedis ??= Promise.all([import('./connections'), import('./presence')]).then(
    ([{ createConnections }, { startPresence }]) => {
      const connections = createConnections(process.env.REDIS_URL!);
      connections.onLost(() => {
        for (const callback of [...lostListeners]) {
          try {
            callback();
          } catch (error) {
            console.error('an onRedisLost callback failed', error);
          }
        }
      });
      startPresence(connections);
      return connections;
    },
  ));
}

/**
 * The state of this instance's link to Redis: `off` without `REDIS_URL`, `ok` when every role's
 * connection is ready, `degraded` with the reason otherwise. Creates the command connection if
 * nothing has yet, and gives a fresh one a moment to connect rather than report it as down.
 */
export async function redisHealth(): Promise<RedisHealth> {
  const redis = getRedis();
  if (!redis) return { status: 'off' };
  return (await redis).health();
}

const limitsStore = globalThis as { __sseSharedLimits?: Promise<import('./limits').SharedLimits> };

/**
 * The per-client limits shared by every instance (made on first call with these settings), or
 * `undefined` when `REDIS_URL` is unset and each process keeps its own.
 */
export function getSharedLimits(settings: { perMinute: number; burst: number }): Promise<import('./limits').SharedLimits> | undefined {
  const redis = getRedis();
  if (!redis) return undefined;
  return (limitsStore.__sseSharedLimits ??= Promise.all([redis, import('./limits')]).then(([connections, { createSharedLimits }]) =>
    createSharedLimits(connections, settings),
  ));
}

/**
 * The open streams of every live instance of the cluster, for `/api/stats`; `undefined` without
 * Redis or while it cannot answer.
 */
export async function clusterStreams(): Promise<import('./presence').InstancePresence[] | undefined> {
  const redis = getRedis();
  if (!redis) return undefined;
  const [connections, { clusterPresence }] = await Promise.all([redis, import('./presence')]);
  return clusterPresence(connections).catch(() => undefined);
}
