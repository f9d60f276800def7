import 'server-only';

import { clockEvent, parseClockId } from '@/lib/clock/protocol';
import { encodeEvent, toBytes } from '@/lib/sse/encoder';
import { createSseResponse, type SseConnection, type StreamSettings } from '@/lib/sse/server';
import { setting } from '@/lib/http/config';
import type { RedisConnections } from './redis/connections';
import type { ClusterClock } from './redis/clock-cluster';
import type { StoredClockEvent } from './redis/clock-log';
import { getRedis, redisEnabled } from './redis';
import { instanceId } from './redis/instance';
import { createTopic, type Topic } from './topic';

/** Settings of the clock, read from the environment once. */
export interface ClockConfig {
  /** Tick interval (`CLOCK_INTERVAL_MS`, default 1000). */
  intervalMs: number;
  /** How long after a client connects its notification goes out (`CLOCK_NOTIFICATION_MS`, 5000). */
  notificationDelayMs: number;
  /** Recent events kept for resuming clients (`CLOCK_BUFFER_SIZE`, default 300). */
  bufferSize: number;
}

/** The process's clock: its settings, its topic, its one timer and the notifications due. */
export interface Clock {
  config: ClockConfig;
  topic: Topic;
  timer: ReturnType<typeof setInterval> | undefined;
  // Each recent connection with the time its notification is due. All share one delay, so the
  // Map's insertion order is due order: the shared tick takes the due ones off the front, and a
  // connection that leaves first is deleted at once, not kept until it would have been due.
  dueNotifications: Map<SseConnection, number>;
  /**
   * With Redis (`REDIS_URL`): the cluster side, once loaded. The instance then has no timer of its
   * own: ticks come from the leader through the Redis Stream, which this instance tails once.
   */
  cluster: ClusterClock | undefined;
  /** With Redis: resolves to {@link Clock.cluster} once it is loaded. */
  clusterReady: Promise<ClusterClock> | undefined;
  /** Clients whose resume waits on Redis (a replay the local buffer cannot serve). */
  resuming: Set<SseConnection>;
}

function readConfig(): ClockConfig {
  return {
    intervalMs: setting('CLOCK_INTERVAL_MS'),
    notificationDelayMs: setting('CLOCK_NOTIFICATION_MS'),
    bufferSize: setting('CLOCK_BUFFER_SIZE'),
  };
}

/**
 * Creates a clock (the app has one, {@link getClock}; tests make their own). Alone, it ticks on its
 * own timer. Given Redis connections, it joins the cluster's clock: one instance at a time ticks
 * (under a lease) into a Redis Stream, and this one tails the stream for its own listeners.
 */
export function createClock(config: ClockConfig = readConfig(), redis?: Promise<RedisConnections>): Clock {
  const clock: Clock = {
    config,
    timer: undefined,
    dueNotifications: new Map(),
    cluster: undefined,
    clusterReady: undefined,
    resuming: new Set(),
    topic: createTopic({
      bufferSize: config.bufferSize,
      onActive: () => {
        if (clock.clusterReady) clock.cluster?.setActive(true);
        else clock.timer ??= setInterval(() => tick(clock), config.intervalMs);
      },
      onIdle: () => {
        clearInterval(clock.timer);
        clock.timer = undefined;
        clock.cluster?.setActive(false);
        clock.dueNotifications.clear();
      },
    }),
  };
  if (redis) {
    clock.clusterReady = Promise.all([redis, import('./redis/clock-cluster')]).then(([connections, { startClusterClock }]) => {
      clock.cluster = startClusterClock(connections, {
        topic: clock.topic,
        intervalMs: config.intervalMs,
        bufferSize: config.bufferSize,
        nextTick: () => ({ event: 'update', data: JSON.stringify(tickData(Date.now())) }),
        deliver: (event) => receive(clock, event),
        lost: () => endStreams(clock),
      });
      clock.cluster.setActive(clock.topic.size > 0);
      return clock.cluster;
    });
  }
  return clock;
}

const tickData = (now: number) => ({ timestamp: new Date(now).toISOString(), random: Math.floor(Math.random() * 100) });

// The shared `update` to everyone, then each due client its own `notification`.
function tick(clock: Clock): void {
  const now = Date.now();
  clock.topic.publish(clockEvent('update', tickData(now)));
  sendDueNotifications(clock, now);
}

// With Redis, a tick read from the stream: the same, under the id the leader gave it.
function receive(clock: Clock, { id, event, data }: StoredClockEvent): void {
  if (clock.topic.append(id, { event, data })) sendDueNotifications(clock, Date.now());
}

// Redis is gone: every clock stream ends cleanly (its client reconnects, and gets 503 until Redis
// is back) rather than wait on a stream that went quiet.
function endStreams(clock: Clock): void {
  const resuming = [...clock.resuming];
  clock.resuming.clear();
  for (const connection of resuming) connection.close('server');
  clock.topic.endAll();
}

function sendDueNotifications(clock: Clock, now: number): void {
  let bytes: Uint8Array | undefined;
  for (const [connection, due] of clock.dueNotifications) {
    if (due > now) break;
    clock.dueNotifications.delete(connection);
    // Everyone due this tick is told the same thing: encoded once, the same bytes to each. No id,
    // so it leaves the client's cursor on the shared sequence, and it is not kept for replay.
    bytes ??= toBytes(
      encodeEvent(
        clockEvent('notification', {
          title: 'Welcome',
          message: `You joined ${formatDelay(clock.config.notificationDelayMs)} ago; ${clock.topic.size} listening now.`,
          time: new Date(now).toISOString(),
        }),
      ),
    );
    connection.sendBytes(bytes);
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * The process's one clock, on globalThis so dev reloads and route modules share it; with
 * `REDIS_URL`, joined to the cluster's clock.
 */
export function getClock(): Clock {
  const store = globalThis as { __sseClock?: Clock };
  return (store.__sseClock ??= createClock(readConfig(), redisEnabled() ? getRedis() : undefined));
}

/**
 * Opens a clock stream: a `message` greeting, then the shared `update` ticks and, about
 * `CLOCK_NOTIFICATION_MS` later, this client's own `notification`. With `lastEventId`, missed
 * updates are replayed first (or a `reset` says they are gone).
 */
export function createClockResponse(signal: AbortSignal, lastEventId: string | null, settings: StreamSettings = {}): Response {
  const clock = getClock();
  return createSseResponse({
    ...settings,
    signal,
    label: 'clock',
    // Behind a balancer, which instance holds this stream (the same name as in /api/stats).
    headers: clock.clusterReady ? { 'X-SSE-Instance': instanceId() } : undefined,
    start: (connection) => attachClient(clock, connection, lastEventId),
  });
}

/**
 * Puts a client on the clock: greets it, replays what it missed (or says `reset`), subscribes it
 * to the ticks and schedules its notification. Returns the cleanup to run when its stream ends.
 *
 * With Redis, a resume this instance's buffer cannot serve (an id older than the buffer, or one
 * newer than this instance has yet seen) is answered from the Redis Stream first.
 */
export function attachClient(clock: Clock, connection: SseConnection, lastEventId: string | null): () => void {
  const id = lastEventId ? parseClockId(lastEventId) : undefined;
  if (clock.clusterReady && (!clock.cluster?.synced || (id !== undefined && !clock.topic.covers(id)))) {
    clock.resuming.add(connection);
    resumeFromRedis(clock, connection, lastEventId, id).catch(() => connection.close('server'));
  } else {
    attachLocal(clock, connection, lastEventId);
  }
  return () => {
    clock.resuming.delete(connection);
    clock.topic.unsubscribe(connection);
    clock.dueNotifications.delete(connection);
  };
}

function attachLocal(clock: Clock, connection: SseConnection, lastEventId: string | null): void {
  const resume = clock.topic.subscribe(connection, lastEventId, (result, cursor) => {
    greet(clock, connection, result.kind === 'replayed', cursor);
    if (result.kind === 'reset') {
      connection.send(clockEvent('reset', { reason: result.reason, lastEventId: lastEventId ?? '', latestId: clock.topic.lastId }));
    }
  });
  // Tell the client what the resume did (EventSource cannot see comments, so an event), under
  // the id of the newest event, which the replay has just delivered.
  if (resume.kind === 'replayed') {
    connection.send(clockEvent('resumed', { after: lastEventId ?? '', replayed: resume.count }, clock.topic.lastId));
  }
  scheduleNotification(clock, connection);
}

function greet(clock: Clock, connection: SseConnection, resumed: boolean, cursor: number): void {
  const verb = resumed ? 'Reconnected' : 'Connected';
  connection.send(clockEvent('message', `${verb} to the clock: ${clock.topic.size + 1} listening, ticking every ${clock.config.intervalMs} ms.`, cursor));
}

function scheduleNotification(clock: Clock, connection: SseConnection): void {
  // Only a listener that is still here once subscribed is due a notification.
  if (!connection.closed) clock.dueNotifications.set(connection, Date.now() + clock.config.notificationDelayMs);
}

/** How long a resume waits for this instance's tail to reach an id another instance has sent. */
const CATCH_UP_INTERVALS = 5;

async function changeBefore(cluster: ClusterClock, deadline: number): Promise<void> {
  const left = deadline - Date.now();
  if (left <= 0) throw new Error('The clock did not catch up with Redis in time.');
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([cluster.changed(), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
  clearTimeout(timer);
}

async function resumeFromRedis(clock: Clock, connection: SseConnection, lastEventId: string | null, id: number | undefined): Promise<void> {
  const cluster = clock.cluster ?? (await clock.clusterReady!);
  const deadline = Date.now() + CATCH_UP_INTERVALS * clock.config.intervalMs + 2000;
  // Redis just came back or this instance just started: wait for the tail to catch up (or give up,
  // ending the stream, so that the client reconnects).
  while (!cluster.synced && !connection.closed) await changeBefore(cluster, deadline);
  if (connection.closed) return;
  // The tail caught up: a live start, a malformed id or one the buffer covers now is served here.
  if (id === undefined || clock.topic.covers(id)) {
    clock.resuming.delete(connection);
    attachLocal(clock, connection, lastEventId);
    return;
  }
  const { latestId, events } = await cluster.missedSince(id);
  if (connection.closed) return;
  // The stream must hold the event right after the client's, or some are gone: `reset`. An id no
  // instance handed out (Redis restarted and lost it, or a made-up one) is `unknown`.
  const reason = id > latestId ? 'unknown' : events.length > 0 ? (events[0]!.id === id + 1 ? undefined : 'expired') : id === latestId ? undefined : 'expired';
  if (reason) {
    clock.resuming.delete(connection);
    greet(clock, connection, false, clock.topic.lastId);
    connection.send(clockEvent('reset', { reason, lastEventId: lastEventId ?? '', latestId: Math.max(latestId, clock.topic.lastId) }));
    clock.topic.subscribe(connection);
    scheduleNotification(clock, connection);
    return;
  }
  // Another instance may be a moment ahead of this one: wait until this one has seen the id.
  while (clock.topic.lastId < id && !connection.closed) await changeBefore(cluster, deadline);
  if (connection.closed) return;
  clock.resuming.delete(connection);
  // Send from Redis what the buffer lacks, up to the newest event this instance has (the rest it
  // sends live), then let the buffer replay the remainder and subscribe: no gap, no repeat.
  const newest = clock.topic.lastId;
  const fromRedis = events.filter((event) => event.id <= newest);
  const cursor = fromRedis.at(-1)?.id ?? id;
  if (!clock.topic.covers(cursor)) throw new Error('The clock buffer does not meet the replay from Redis.');
  greet(clock, connection, true, id);
  let replayed = 0;
  for (const event of fromRedis) {
    if (connection.send({ event: event.event, data: event.data, id: event.id })) replayed++;
  }
  const local = clock.topic.subscribe(connection, String(cursor));
  if (local.kind === 'replayed') replayed += local.count;
  connection.send(clockEvent('resumed', { after: lastEventId ?? '', replayed }, clock.topic.lastId));
  scheduleNotification(clock, connection);
}
