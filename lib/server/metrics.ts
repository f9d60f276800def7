import 'server-only';

import { setting } from '@/lib/http/config';
import { createSseResponse, getStreamStats, type StreamSettings } from '@/lib/sse/server';
import { chatStats } from './chat-runs';
import { eventLoopDelay } from './event-loop';
import { createTopic, type Topic } from './topic';

/** One sample of the server's own metrics, sent as the data of a `sample` event. */
export interface MetricsSample {
  /** When it was taken (ms since the epoch). */
  at: number;
  /** Open event streams by route label. */
  openByRoute: Record<string, number>;
  /** Events written to all streams a second, over the last interval. */
  eventsPerSecond: number;
  /** Not counted: lib/sse/server.ts keeps no byte totals. Always null until it does. */
  bytesPerSecond: null;
  loopDelayP99Ms: number;
  heapUsedBytes: number;
  rssBytes: number;
  chat: { running: number; held: number };
  /** Slow clients cut off since the process started. */
  slowClientsCutOff: number;
}

interface Metrics {
  intervalMs: number;
  topic: Topic;
  timer: ReturnType<typeof setInterval> | undefined;
  previous: { at: number; eventsSent: number } | undefined;
}

async function sample(metrics: Metrics): Promise<MetricsSample> {
  const chat = await chatStats();
  const streams = getStreamStats();
  const at = Date.now();
  const previous = metrics.previous;
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const eventsPerSecond = previous && seconds > 0 ? (streams.eventsSent - previous.eventsSent) / seconds : 0;
  metrics.previous = { at, eventsSent: streams.eventsSent };
  const memory = process.memoryUsage();
  return {
    at,
    openByRoute: streams.openByLabel,
    eventsPerSecond: Math.round(eventsPerSecond * 10) / 10,
    bytesPerSecond: null,
    loopDelayP99Ms: eventLoopDelay().p99Ms,
    heapUsedBytes: memory.heapUsed,
    rssBytes: memory.rss,
    chat: { running: chat.activeGenerations, held: chat.heldRuns },
    slowClientsCutOff: streams.closedByReason.slow,
  };
}

function createMetrics(): Metrics {
  const metrics: Metrics = {
    intervalMs: setting('SSE_METRICS_INTERVAL_MS'),
    timer: undefined,
    previous: undefined,
    // Ten minutes of samples at the default interval: a reconnect within them resumes without a gap.
    topic: createTopic({
      bufferSize: 600,
      onActive: () => {
        metrics.timer ??= setInterval(() => void publishSample(metrics), metrics.intervalMs);
      },
      onIdle: () => {
        clearInterval(metrics.timer);
        metrics.timer = undefined;
        metrics.previous = undefined;
      },
    }),
  };
  return metrics;
}

async function publishSample(metrics: Metrics): Promise<void> {
  const data = await sample(metrics);
  // The last listener may have left while the sample was taken.
  if (metrics.timer !== undefined) metrics.topic.publish({ event: 'sample', data });
}

/** The process's one metrics producer, on globalThis so dev reloads and route modules share it. */
export function getMetrics(): Metrics {
  const store = globalThis as { __sseMetrics?: Metrics };
  return (store.__sseMetrics ??= createMetrics());
}

/**
 * Opens a metrics stream: one `sample` event a second from one shared timer, whoever listens. With
 * `lastEventId`, the samples missed meanwhile are replayed first and a `resumed` event says how
 * many; an id the buffer no longer covers gets a `reset` event.
 */
export function createMetricsResponse(signal: AbortSignal, lastEventId: string | null, settings: StreamSettings = {}): Response {
  const metrics = getMetrics();
  return createSseResponse({
    ...settings,
    signal,
    label: 'metrics',
    start(connection) {
      const resume = metrics.topic.subscribe(connection, lastEventId);
      if (resume.kind === 'reset') {
        connection.send({ event: 'reset', id: metrics.topic.lastId, data: { reason: resume.reason, lastEventId, latestId: metrics.topic.lastId } });
      } else if (resume.kind === 'replayed') {
        connection.send({ event: 'resumed', id: metrics.topic.lastId, data: { after: lastEventId, replayed: resume.count } });
      }
      return () => metrics.topic.unsubscribe(connection);
    },
  });
}
