import 'server-only';

import { CLOCK_KEYS } from './clock-keys';
import type { RedisClient, RedisConnections } from './connections';

export { CLOCK_KEYS };


/** One clock event as stored: its numeric id and what the encoder needs besides. */
export interface StoredClockEvent {
  id: number;
  event: string;
  data: string;
}

/** The outcome of {@link ClockLog.tick}. */
export type TickResult = { leader: true; id: number } | { leader: false; leaseLeftMs: number };

// Renew our lease, or take it when nobody holds it; only then number the event and append it, all
// in one script, so two instances can never write for the same interval nor skip or reuse an id.
// The counter never goes below `floor` (the newest id the caller has seen): a Redis that restarted
// empty would otherwise count from 1 again and hand out ids clients already hold.
// KEYS: lease, counter, stream. ARGV: owner, lease ms, max length, floor, event, data.
const TICK = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif holder then
  return {0, redis.call('PTTL', KEYS[1])}
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
local id = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[4])
if id <= floor then
  id = floor + 1
  redis.call('SET', KEYS[2], id)
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], id .. '-0', 'event', ARGV[5], 'data', ARGV[6])
return {1, id}`;

// Gives the lease up, only if it is still ours (compare and delete).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Raises the counter to at least ARGV[1]; returns the counter.
const FLOOR = `
local id = tonumber(redis.call('GET', KEYS[1]) or '0')
if id < tonumber(ARGV[1]) then
  id = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], id)
end
return id`;

/** The clock's Redis commands: the lease, the counter and the stream. */
export interface ClockLog {
  /**
   * One tick attempt by `owner`: if it holds the lease (renewing it) or can take it, appends the
   * event under the next id and says so; else says how long the holder's lease has left.
   */
  tick(owner: string, event: { event: string; data: string }, floor: number): Promise<TickResult>;
  /** Gives up `owner`'s lease, so another instance takes over at its next attempt. */
  release(owner: string): Promise<void>;
  /** Raises the shared counter to at least `floor` (after Redis came back, maybe empty). */
  raiseFloor(floor: number): Promise<number>;
  /** The newest id handed out (0 when none). */
  latestId(): Promise<number>;
  /**
   * Waits (on the blocking connection) up to `blockMs` for events after `afterId`; [] on timeout.
   * One caller at a time: the connection is held until the reply.
   */
  readAfter(afterId: number, blockMs: number): Promise<StoredClockEvent[]>;
  /** The stored events after `afterId`, oldest first, at most `count`. */
  rangeAfter(afterId: number, count: number): Promise<StoredClockEvent[]>;
  /** The newest `count` stored events, oldest first. */
  newest(count: number): Promise<StoredClockEvent[]>;
}

/** Options of {@link createClockLog}. */
export interface ClockLogOptions {
  /** How long a lease lasts unless renewed. */
  leaseMs: number;
  /** The stream's cap (trimmed with `~`, so it may hold a few more). */
  maxLength: number;
}

type RawEntry = [string, string[]];

function toEvents(raw: unknown): StoredClockEvent[] {
  if (!Array.isArray(raw)) return [];
  return (raw as RawEntry[]).map(([streamId, fields]) => {
    const event: StoredClockEvent = { id: Number.parseInt(streamId, 10), event: '', data: '' };
    for (let index = 0; index + 1 < fields.length; index += 2) {
      if (fields[index] === 'event') event.event = fields[index + 1]!;
      else if (fields[index] === 'data') event.data = fields[index + 1]!;
    }
    return event;
  });
}

/**
 * The clock's Redis side on `redis`'s connections: scripts on the command connection, the tail's
 * `XREAD BLOCK` on the blocking one. Raw commands, as the replies are simple and node-redis's
 * stream reply types vary with the protocol version.
 */
export function createClockLog(redis: RedisConnections, { leaseMs, maxLength }: ClockLogOptions): ClockLog {
  const commands = (): RedisClient => redis.commands();
  const keys = [CLOCK_KEYS.lease, CLOCK_KEYS.counter, CLOCK_KEYS.stream];
  return {
    async tick(owner, { event, data }, floor) {
      const reply = (await commands().eval(TICK, {
        keys,
        arguments: [owner, String(leaseMs), String(maxLength), String(floor), event, data],
      })) as [number, number];
      return reply[0] === 1 ? { leader: true, id: reply[1] } : { leader: false, leaseLeftMs: Math.max(0, reply[1]) };
    },
    async release(owner) {
      await commands().eval(RELEASE, { keys: [CLOCK_KEYS.lease], arguments: [owner] });
    },
    async raiseFloor(floor) {
      return Number(await commands().eval(FLOOR, { keys: [CLOCK_KEYS.counter], arguments: [String(floor)] }));
    },
    async latestId() {
      return Number((await commands().get(CLOCK_KEYS.counter)) ?? 0);
    },
    async readAfter(afterId, blockMs) {
      const reply = (await redis
        .blocking()
        .sendCommand(['XREAD', 'COUNT', '1000', 'BLOCK', String(blockMs), 'STREAMS', CLOCK_KEYS.stream, `${afterId}-0`])) as
        | [string, RawEntry[]][]
        | null;
      return toEvents(reply?.[0]?.[1]);
    },
    async rangeAfter(afterId, count) {
      return toEvents(await commands().sendCommand(['XRANGE', CLOCK_KEYS.stream, `${afterId + 1}-0`, '+', 'COUNT', String(count)]));
    },
    async newest(count) {
      return toEvents(await commands().sendCommand(['XREVRANGE', CLOCK_KEYS.stream, '+', '-', 'COUNT', String(count)])).reverse();
    },
  };
}
