import 'server-only';

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topic } from '../topic';
import { createClockLog, type ClockLog, type StoredClockEvent } from './clock-log';
import { reconnectDelay, type RedisConnections } from './connections';
import { instanceId, logInstance } from './instance';

/** What the clock gives its cluster side. */
export interface ClusterClockHost {
  topic: Topic;
  intervalMs: number;
  bufferSize: number;
  /** Makes the data of the next tick (only the leader's is used). */
  nextTick(): { event: string; data: string };
  /** Hands a tick read from the stream to the local topic (and due notifications). */
  deliver(event: StoredClockEvent): void;
  /** Redis was lost: end every stream that depends on it. */
  lost(): void;
}

/** The clock's cluster side: one tail loop and, while there are listeners, one lease loop. */
export interface ClusterClock {
  /** Whether the tail has caught up with the stream since it (re)connected. */
  readonly synced: boolean;
  /** Resolves at the next change a waiting resume may care about: an event, a sync, a loss. */
  changed(): Promise<void>;
  /** Starts (true) or stops (false) taking part in ticking; idempotent. */
  setActive(active: boolean): void;
  /** The stored events after `afterId` and the newest id handed out; rejects when Redis cannot answer. */
  missedSince(afterId: number): Promise<{ latestId: number; events: StoredClockEvent[] }>;
  /** Whether this instance holds the lease as of its last attempt. */
  readonly leader: boolean;
  /** This instance's owner name in the lease. */
  readonly owner: string;
  /** Stops both loops and gives up the lease; for tests and shutdown. */
  close(): Promise<void>;
}

/**
 * How long a lease outlives its last renewal. The leader renews it at each tick (every interval);
 * the others try again just after it would lapse. So a leader's death (its last tick at t) is
 * followed by another's tick by t + interval + this margin + a few ms: within two intervals.
 */
export function leaseMs(intervalMs: number): number {
  return intervalMs + Math.min(Math.floor(intervalMs / 2), 500);
}

/**
 * Joins the clock `host` to the cluster's clock in Redis. The tail loop starts now and runs until
 * {@link ClusterClock.close}: one `XREAD BLOCK` at a time on the blocking connection, each event
 * handed to the local topic, which encodes it once for all of this instance's listeners. While the
 * instance has listeners ({@link ClusterClock.setActive}) it also tries, once per interval, to tick
 * under the lease.
 */
export function startClusterClock(redis: RedisConnections, host: ClusterClockHost): ClusterClock {
  const log: ClockLog = createClockLog(redis, { leaseMs: leaseMs(host.intervalMs), maxLength: host.bufferSize });
  const owner = `${instanceId()}:${randomBytes(4).toString('hex')}`;
  const blockMs = Math.max(1000, Math.min(5000, 2 * host.intervalMs));
  const stop = new AbortController();
  let synced = false;
  let leader = false;
  let active = false;
  let leaseTimer: ReturnType<typeof setTimeout> | undefined;
  let scheduledFor = 0;
  let wake: () => void = () => {};
  let changedPromise = new Promise<void>((resolve) => (wake = resolve));

  const notify = () => {
    const resolve = wake;
    changedPromise = new Promise<void>((next) => (wake = next));
    resolve();
  };

  const onLost = () => {
    synced = false;
    leader = false;
    host.lost();
    notify();
  };
  const removeLostListener = redis.onLost(onLost);

  // Catches up with the stream after a (re)connect: the counter is raised to the newest id this
  // instance has seen (Redis may have restarted empty), and a fresh instance loads the recent
  // events into its buffer, so it can serve resumes at once.
  async function sync(): Promise<void> {
    const { topic } = host;
    if (topic.lastId > 0) await log.raiseFloor(topic.lastId);
    else for (const event of await log.newest(host.bufferSize)) host.deliver(event);
    synced = true;
    notify();
  }

  async function tail(): Promise<void> {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        if (!synced) await sync();
        const events = await log.readAfter(host.topic.lastId, blockMs);
        for (const event of events) host.deliver(event);
        if (events.length > 0) notify();
        failures = 0;
      } catch {
        if (stop.signal.aborted) break;
        // The connection reports the loss itself (onLost); a failed read alone means "not now".
        synced = false;
        await sleep(reconnectDelay(failures++), undefined, { signal: stop.signal }).catch(() => {});
      }
    }
  }

  function schedule(delayMs: number): void {
    clearTimeout(leaseTimer);
    scheduledFor = Date.now() + delayMs;
    leaseTimer = active ? setTimeout(attempt, Math.max(0, delayMs)) : undefined;
  }

  async function attempt(): Promise<void> {
    leaseTimer = undefined;
    if (!active) return;
    const dueAt = scheduledFor;
    let delay = host.intervalMs;
    try {
      const tick = host.nextTick();
      const result = await log.tick(owner, tick, host.topic.lastId);
      if (result.leader && !active) {
        // The last listener left while this tick was on its way: hand the lease on at once.
        log.release(owner).catch(() => {});
      } else if (result.leader) {
        if (!leader) logInstance(`Clock: this instance ticks now (from id ${result.id}).`);
        leader = true;
        // The leader's own listeners need not wait for the event to come back through its tail
        // (which then skips it as a repeat), unless the tail is behind: then the tail delivers it.
        if (result.id === host.topic.lastId + 1) host.deliver({ id: result.id, ...tick });
        // Keep the cadence (the next tick one interval after this one was due), never bunching up.
        delay = Math.min(host.intervalMs, Math.max(host.intervalMs / 2, dueAt + host.intervalMs - Date.now()));
      } else {
        leader = false;
        // Just after the holder's lease would lapse: no earlier, it is renewed before then.
        delay = Math.min(host.intervalMs, result.leaseLeftMs + 10);
      }
    } catch {
      leader = false;
    }
    if (!leaseTimer) schedule(delay);
  }

  void tail();

  return {
    get synced() {
      return synced;
    },
    get leader() {
      return leader;
    },
    owner,
    changed: () => changedPromise,
    setActive(next) {
      if (next === active) return;
      active = next;
      if (active) {
        schedule(host.intervalMs);
        return;
      }
      clearTimeout(leaseTimer);
      leaseTimer = undefined;
      if (leader) {
        leader = false;
        // Another instance with listeners takes over at its next attempt.
        log.release(owner).catch(() => {});
      }
    },
    async missedSince(afterId) {
      const [latestId, events] = await Promise.all([log.latestId(), log.rangeAfter(afterId, host.bufferSize + 100)]);
      return { latestId, events };
    },
    async close() {
      this.setActive(false);
      stop.abort();
      removeLostListener();
      notify();
    },
  };
}
