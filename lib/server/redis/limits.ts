import 'server-only';

import { randomBytes } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisConnections } from './connections';
import { instanceId } from './instance';

/** Redis could not answer: the caller answers 503 with `Retry-After` rather than guess. */
export class RedisUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Redis is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RedisUnavailableError';
  }
}

/** The per-client limits every instance of a cluster shares. */
export interface SharedLimits {
  /**
   * Takes one request from `client`'s allowance: 0 when allowed, else the milliseconds until the
   * next one is. Rejects with {@link RedisUnavailableError} when Redis cannot answer.
   */
  takeRequest(client: string): Promise<number>;
  /**
   * Claims one of `client`'s `max` stream slots across the cluster: a release function, or
   * `undefined` when all are taken. Rejects with {@link RedisUnavailableError}.
   */
  acquireStream(client: string, max: number): Promise<(() => void) | undefined>;
  /** Slots this instance holds now. */
  readonly heldStreams: number;
  /** Stops renewing (the slots then lapse within {@link STREAM_SLOT_TTL_MS}). */
  stop(): void;
}

/**
 * How long a stream slot lives without renewal. Its instance renews it every third of that; an
 * instance that dies without releasing its slots (SIGKILL, a lost host) stops renewing them, and
 * they stop counting against their client at most this long after.
 */
export const STREAM_SLOT_TTL_MS = 15_000;

// Atomically: drop lapsed slots, refuse past the cap, else add ours. Redis's own clock scores the
// slots, so the instances' clocks need not agree.
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// Pushes the expiry of this instance's slots in one client's set forward (those still there: XX)
// and the key's with it. One call per client per renewal, however many streams it holds.
const RENEW = `
local time = redis.call('TIME')
local expiry = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[1])
local scored = {}
for i = 2, #ARGV do
  scored[#scored + 1] = expiry
  scored[#scored + 1] = ARGV[i]
end
redis.call('ZADD', KEYS[1], 'XX', unpack(scored))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

// Members renewed per call at most: a Lua unpack() of two values a member stays far under its limit.
const RENEW_BATCH = 1000;

/** The sorted set of `client`'s stream slots; the braces make it a hash tag for Redis Cluster. */
export function streamSlotsKey(client: string): string {
  return `sse:{${client}}:streams`;
}

/**
 * Limits shared through Redis. The request rate uses rate-limiter-flexible's Redis store: a client
 * may make `burst` requests in any window of `burst / perMinute` minutes, which gives the same
 * burst and the same average rate as the single process's token bucket (refilled per window
 * rather than continuously). Stream slots are members of a sorted set per client, scored with
 * their expiry and renewed by the instance holding them.
 */
export function createSharedLimits(
  redis: RedisConnections,
  { perMinute, burst, slotTtlMs = STREAM_SLOT_TTL_MS }: { perMinute: number; burst: number; slotTtlMs?: number },
): SharedLimits {
  const client = redis.commands();
  const rate = new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    keyPrefix: 'sse:rate',
    points: burst,
    duration: Math.max(1, Math.ceil((burst * 60) / perMinute)),
  });
  // This instance's slots, by client set: key -> members.
  const held = new Map<string, Set<string>>();
  let heldCount = 0;
  // Unique across the cluster even if two limiters share an instance id (a restart with the same pid).
  const owner = `${instanceId()}:${randomBytes(4).toString('hex')}`;
  let sequence = 0;
  const renew = () => {
    if (!redis.isReady('commands')) return; // The slots lapse; acquiring again needs Redis anyway.
    for (const [key, members] of held) {
      const all = [...members];
      for (let start = 0; start < all.length; start += RENEW_BATCH) {
        client.eval(RENEW, { keys: [key], arguments: [String(slotTtlMs), ...all.slice(start, start + RENEW_BATCH)] }).catch(() => {});
      }
    }
  };
  const timer = setInterval(renew, Math.floor(slotTtlMs / 3));
  timer.unref();

  return {
    async takeRequest(key) {
      try {
        await rate.consume(key);
        return 0;
      } catch (result) {
        if (result instanceof RateLimiterRes) return Math.max(1, result.msBeforeNext);
        throw new RedisUnavailableError(result);
      }
    },
    async acquireStream(key, max) {
      const slots = streamSlotsKey(key);
      const member = `${owner}:${++sequence}`;
      let granted: unknown;
      try {
        granted = await client.eval(ACQUIRE, { keys: [slots], arguments: [String(max), member, String(slotTtlMs)] });
      } catch (error) {
        throw new RedisUnavailableError(error);
      }
      if (granted !== 1) return undefined;
      const members = held.get(slots) ?? new Set<string>();
      held.set(slots, members.add(member));
      heldCount++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldCount--;
        members.delete(member);
        if (members.size === 0 && held.get(slots) === members) held.delete(slots);
        // If Redis is down now, the slot lapses on its own.
        client.zRem(slots, member).catch(() => {});
      };
    },
    get heldStreams() {
      return heldCount;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
