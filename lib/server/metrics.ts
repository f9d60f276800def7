import 'server-only';

import { setting } from '@/lib/http/config';
import { createSseResponse, getStreamStats, type StreamSettings } from '@/lib/sse/server';
import { metricsEvent, type MetricsSample } from '@/lib/metrics/protocol';
import { chatStats } from './chat-runs';
import { eventLoopDelay } from './event-loop';
import { clusterStreams } from './redis';
import { instanceId } from './redis/instance';
import { createTopic, type Topic } from './topic';

interface Metrics {
  intervalMs: number;
  topic: Topic;
  timer: ReturnType<typeof setInterval> | undefined;
  previous: { at: number; eventsSent: number } | undefined;
}

async function sample(metrics: Metrics): Promise<MetricsSample> {
  const [chat, cluster] = await Promise.all([chatStats(), clusterStreams()]);
  const streams = getStreamStats();
  const at = Date.now();
  const previous = metrics.previous;
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const eventsPerSecond = previous && seconds > 0 ? (streams.eventsSent - previous.eventsSent) / seconds : 0;
  metrics.previous = { at, eventsSent: streams.eventsSent };
  const memory = process.memoryUsage();
  return {
    at,
    instance: instanceId(),
    cluster: cluster ?? null,
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
        // A sample that cannot be taken (Redis unreachable for the chat or cluster figures) is
        // skipped: the charts show a gap, and the next tick tries again.
        metrics.timer ??= setInterval(() => publishSample(metrics).catch(() => {}), metrics.intervalMs);
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
  if (metrics.timer !== undefined) metrics.topic.publish(metricsEvent('sample', data));
}

/** The process's one metrics producer, on globalThis so dev reloads and route modules share it. */
export function getMetrics(): Metrics {
  const store = globalThis as { __sseMetrics?: Metrics };
  return (store.__sseMetrics ??= createMetrics());
}

/**
 * Opens a metrics stream (lib/metrics/protocol.ts): one `sample` event a second from one shared timer, whoever listens. With
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
        const latestId = metrics.topic.lastId;
        connection.send(metricsEvent('reset', { reason: resume.reason, lastEventId, latestId }, latestId));
      } else if (resume.kind === 'replayed') {
        connection.send(metricsEvent('resumed', { after: lastEventId ?? '', replayed: resume.count }, metrics.topic.lastId));
      }
      return () => metrics.topic.unsubscribe(connection);
    },
  });
}
