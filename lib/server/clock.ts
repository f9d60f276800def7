import 'server-only';

import { createSseResponse, type StreamSettings } from '@/lib/sse/server';
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

interface Clock {
  config: ClockConfig;
  topic: Topic;
  timer: ReturnType<typeof setInterval> | undefined;
  // When each recent connection is due its notification, oldest first. All share one delay, so
  // appending keeps it sorted, and the shared tick pops the due ones: no timer per connection.
  dueNotifications: number[];
}

function readConfig(): ClockConfig {
  return {
    intervalMs: setting('CLOCK_INTERVAL_MS'),
    notificationDelayMs: setting('CLOCK_NOTIFICATION_MS'),
    bufferSize: setting('CLOCK_BUFFER_SIZE'),
  };
}

function createClock(): Clock {
  const config = readConfig();
  const clock: Clock = {
    config,
    timer: undefined,
    dueNotifications: [],
    topic: createTopic({
      bufferSize: config.bufferSize,
      onActive: () => {
        clock.timer ??= setInterval(() => tick(clock), config.intervalMs);
      },
      onIdle: () => {
        clearInterval(clock.timer);
        clock.timer = undefined;
        clock.dueNotifications.length = 0;
      },
    }),
  };
  return clock;
}

function tick(clock: Clock): void {
  const now = Date.now();
  clock.topic.publish('update', {
    timestamp: new Date(now).toISOString(),
    random: Math.floor(Math.random() * 100),
  });
  let due = 0;
  while (due < clock.dueNotifications.length && clock.dueNotifications[due]! <= now) due++;
  if (due === 0) return;
  clock.dueNotifications.splice(0, due);
  // Notifications are topic events like updates, so every client sees one id sequence without
  // gaps and a resuming client gets them replayed. Listeners who joined in the same tick share one.
  const seconds = Math.round(clock.config.notificationDelayMs / 1000);
  clock.topic.publish('notification', {
    title: due === 1 ? 'New listener' : `${due} new listeners`,
    message: `${due === 1 ? 'A listener' : `${due} listeners`} joined ${seconds} s ago; ${clock.topic.size} listening now.`,
    time: new Date(now).toISOString(),
  });
}

/** The process's one clock, on globalThis so dev reloads and route modules share it. */
export function getClock(): Clock {
  const store = globalThis as { __sseClock?: Clock };
  return (store.__sseClock ??= createClock());
}

/**
 * Opens a clock stream: a `message` greeting, then the shared `update` ticks and `notification`
 * events. With `lastEventId`, missed events are replayed first (or a `reset` says they are gone).
 */
export function createClockResponse(signal: AbortSignal, lastEventId: string | null, settings: StreamSettings = {}): Response {
  const clock = getClock();
  return createSseResponse({
    ...settings,
    signal,
    label: 'clock',
    start(connection) {
      const resume = clock.topic.subscribe(connection, lastEventId, (result, cursor) => {
        const verb = result.kind === 'replayed' ? 'Reconnected' : 'Connected';
        connection.send({
          id: cursor,
          data: `${verb} to the clock: ${clock.topic.size + 1} listening, ticking every ${clock.config.intervalMs} ms.`,
        });
      });
      // Tell the client what the resume did (EventSource cannot see comments, so an event), under
      // the id of the newest event, which the replay has just delivered.
      if (resume.kind === 'replayed') {
        connection.send({ event: 'resumed', id: clock.topic.lastId, data: { after: lastEventId, replayed: resume.count } });
      }
      // Only a listener that is still here once subscribed gets announced.
      if (!connection.closed) clock.dueNotifications.push(Date.now() + clock.config.notificationDelayMs);
      return () => clock.topic.unsubscribe(connection);
    },
  });
}
