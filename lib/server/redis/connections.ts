import 'server-only';

import { createClient } from 'redis';
import { redisUrlProblem, type RedisHealth } from './index';
import { instanceId, logInstance } from './instance';

/** A node-redis client with the default modules, as `createClient` returns it. */
export type RedisClient = ReturnType<typeof createClient>;

/**
 * The three jobs a connection can do. Each is one connection per instance, shared by every client
 * of the instance: ordinary commands pipeline on one socket; a blocking read (`XREAD BLOCK`) holds
 * its socket until data comes, so it gets its own; a socket in subscribe mode can do nothing else.
 */
export type RedisRole = 'commands' | 'blocking' | 'subscriber';

const ROLES: readonly RedisRole[] = ['commands', 'blocking', 'subscriber'];

/** How long a health check waits for a connection made a moment ago before calling it down. */
const FRESH_MS = 1000;

interface RoleState {
  client: RedisClient;
  ready: boolean;
  /** Why the connection is not ready (the last socket error), or `undefined` while connecting. */
  reason: string | undefined;
  createdAt: number;
  /** Resolves the next time the connection becomes ready. */
  nextReady: Promise<void>;
}

/** This instance's connections to Redis, one per role, each created on first use. */
export interface RedisConnections {
  /** The connection for ordinary commands (`XADD`, `SET`, `EVAL`, ...). */
  commands(): RedisClient;
  /** The connection for blocking reads (`XREAD BLOCK`); one reader at a time. */
  blocking(): RedisClient;
  /** The connection in subscribe mode, for pub/sub. */
  subscriber(): RedisClient;
  /** Whether a role's connection exists and is ready for commands right now. */
  isReady(role: RedisRole): boolean;
  /** `ok` when every connection made so far is ready (the command one is made if none was). */
  health(): Promise<RedisHealth>;
  /**
   * Calls `listener` each time a connection that was ready loses Redis (the server died, restarted
   * or the network dropped), before it starts reconnecting. Returns a function that removes it.
   */
  onLost(listener: () => void): () => void;
  /** Closes every connection; for shutdown and tests. */
  close(): Promise<void>;
}

/**
 * Waits 100 ms after the first failure, doubling up to 3 s, with jitter so that the instances of a
 * cluster do not all knock at once when Redis comes back.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(100 * 2 ** retries, 3000) + Math.floor(Math.random() * 100);
}

function checkUrl(url: string): void {
  const problem = redisUrlProblem(url);
  if (problem) throw new Error(problem);
}

/**
 * Makes the connection set for `url`. No socket is opened until a role is first asked for, and a
 * Redis that is down or restarting never throws here nor rejects unhandled: the connection retries
 * with back-off while commands fail at once (no offline queue, so a request answers 503 instead of
 * hanging) and `health()` says why.
 */
export function createConnections(url: string): RedisConnections {
  checkUrl(url);
  const roles = new Map<RedisRole, RoleState>();
  const lostListeners = new Set<() => void>();
  let closed = false;

  const open = (role: RedisRole): RoleState => {
    const existing = roles.get(role);
    if (existing) return existing;
    if (closed) throw new Error('The Redis connections are closed.');
    const client = createClient({
      url,
      name: `sse-lab:${instanceId()}:${role}`,
      // A command sent while the link is down fails now, rather than waiting in a queue for a
      // Redis that may be gone for minutes while its HTTP request hangs.
      disableOfflineQueue: true,
      // Catches a half-open socket (a Redis host that vanished without a FIN).
      pingInterval: role === 'blocking' ? undefined : 5000,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => reconnectDelay(retries) },
    });
    let markReady: () => void = () => {};
    const state: RoleState = {
      client,
      ready: false,
      reason: undefined,
      createdAt: Date.now(),
      nextReady: new Promise((resolve) => (markReady = resolve)),
    };
    client.on('ready', () => {
      if (state.reason !== undefined) logInstance(`Redis ${role} connection is back.`);
      state.ready = true;
      state.reason = undefined;
      markReady();
    });
    // Without an 'error' listener node-redis would throw on the first refused connection.
    client.on('error', (error: Error) => {
      const reason = error.message || error.name;
      if (state.ready || state.reason === undefined) {
        logInstance(`Redis ${role} connection down (${reason}); reconnecting with back-off.`);
      }
      const lost = state.ready;
      if (lost) state.nextReady = new Promise((resolve) => (markReady = resolve));
      state.ready = false;
      state.reason = reason;
      if (lost && !closed) {
        for (const listener of [...lostListeners]) {
          try {
            listener();
          } catch (failure) {
            console.error('a Redis-lost listener failed', failure);
          }
        }
      }
    });
    roles.set(role, state);
    // connect() retries until Redis answers (our strategy never gives up), so it settles only on
    // success or close(); either way there is nothing to handle here.
    client.connect().catch(() => {});
    return state;
  };

  return {
    commands: () => open('commands').client,
    blocking: () => open('blocking').client,
    subscriber: () => open('subscriber').client,
    isReady: (role) => roles.get(role)?.ready === true,
    async health() {
      if (roles.size === 0) open('commands');
      const problems: string[] = [];
      for (const role of ROLES) {
        const state = roles.get(role);
        if (!state || state.ready) continue;
        const waitMs = state.createdAt + FRESH_MS - Date.now();
        if (waitMs > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([state.nextReady, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
          clearTimeout(timer);
          if (state.ready) continue;
        }
        problems.push(`${role}: ${state.reason ?? 'connecting'}`);
      }
      return problems.length === 0 ? { status: 'ok' } : { status: 'degraded', reason: `Redis ${problems.join('; ')}` };
    },
    onLost(listener) {
      lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
    async close() {
      closed = true;
      lostListeners.clear();
      const states = [...roles.values()];
      roles.clear();
      // close() lets replies in flight arrive; a connection still retrying has none, so destroy it.
      await Promise.all(
        states.map(({ client, ready }) => (ready ? client.close() : (client.destroy(), Promise.resolve()))),
      );
    },
  };
}
