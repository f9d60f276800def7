import 'server-only';

import { clockEvent } from '@/lib/clock/protocol';
import { encodeEvent, toBytes } from '@/lib/sse/encoder';
import { createSseResponse, type SseConnection, type StreamSettings } from '@/lib/sse/server';
import { setting } from '@/lib/http/config';
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
}

function readConfig(): ClockConfig {
  return {
    intervalMs: setting('CLOCK_INTERVAL_MS'),
    notificationDelayMs: setting('CLOCK_NOTIFICATION_MS'),
    bufferSize: setting('CLOCK_BUFFER_SIZE'),
  };
}

/** Creates a clock (the app has one, {@link getClock}; tests make their own). */
export function createClock(config: ClockConfig = readConfig()): Clock {
  const clock: Clock = {
    config,
    timer: undefined,
    dueNotifications: new Map(),
    topic: createTopic({
      bufferSize: config.bufferSize,
      onActive: () => {
        clock.timer ??= setInterval(() => tick(clock), config.intervalMs);
      },
      onIdle: () => {
        clearInterval(clock.timer);
        clock.timer = undefined;
        clock.dueNotifications.clear();
      },
    }),
  };
  return clock;
}

// The shared `update` to everyone, then each due client its own `notification`.
function tick(clock: Clock): void {
  const now = Date.now();
  clock.topic.publish(clockEvent('update', { timestamp: new Date(now).toISOString(), random: Math.floor(Math.random() * 100) }));
  sendDueNotifications(clock, now);
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

/** The process's one clock, on globalThis so dev reloads and route modules share it. */
export function getClock(): Clock {
  const store = globalThis as { __sseClock?: Clock };
  return (store.__sseClock ??= createClock());
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
    start: (connection) => attachClient(clock, connection, lastEventId),
  });
}

/**
 * Puts a client on the clock: greets it, replays what it missed (or says `reset`), subscribes it
 * to the ticks and schedules its notification. Returns the cleanup to run when its stream ends.
 */
export function attachClient(clock: Clock, connection: SseConnection, lastEventId: string | null): () => void {
  const resume = clock.topic.subscribe(connection, lastEventId, (result, cursor) => {
    const verb = result.kind === 'replayed' ? 'Reconnected' : 'Connected';
    connection.send(clockEvent('message', `${verb} to the clock: ${clock.topic.size + 1} listening, ticking every ${clock.config.intervalMs} ms.`, cursor));
    if (result.kind === 'reset') {
      connection.send(clockEvent('reset', { reason: result.reason, lastEventId: lastEventId ?? '', latestId: clock.topic.lastId }));
    }
  });
  // Tell the client what the resume did (EventSource cannot see comments, so an event), under
  // the id of the newest event, which the replay has just delivered.
  if (resume.kind === 'replayed') {
    connection.send(clockEvent('resumed', { after: lastEventId ?? '', replayed: resume.count }, clock.topic.lastId));
  }
  // Only a listener that is still here once subscribed is due a notification.
  if (!connection.closed) clock.dueNotifications.set(connection, Date.now() + clock.config.notificationDelayMs);
  return () => {
    clock.topic.unsubscribe(connection);
    clock.dueNotifications.delete(connection);
  };
}
