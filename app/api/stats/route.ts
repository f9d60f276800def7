import { methodNotAllowed } from '@/lib/http/errors';
import { chatStats } from '@/lib/server/chat-runs';
import { getClock } from '@/lib/server/clock';
import { eventLoopDelay, formatEventLoopLine } from '@/lib/server/event-loop';
import { preflight, route } from '@/lib/http/route';
import { clusterStreams, redisHealth } from '@/lib/server/redis';
import { instanceId } from '@/lib/server/redis/instance';
import { getStreamStats } from '@/lib/sse/server';

/**
 * `GET /api/stats`: what the server holds open right now, for dashboards, tests and the soak bench.
 * `?log=1` also writes the event-loop delay to the server log.
 */
export const GET = route({}, async (request) => {
  const streams = getStreamStats();
  const loop = eventLoopDelay();
  const redis = await redisHealth();
  if (new URL(request.url).searchParams.get('log') === '1') console.log(formatEventLoopLine(loop, streams.openStreams));
  return Response.json(
    {
      instance: instanceId(),
      redis,
      // With Redis: every live instance and its open streams.
      ...(redis.status !== 'off' && { cluster: await clusterStreams() }),
      openStreams: streams.openStreams,
      // Of those, the ones writing to Node's response directly (SSE_DIRECT_WRITES).
      directStreams: streams.directStreams,
      openStreamsByRoute: streams.openByLabel,
      topicSubscribers: { clock: getClock().topic.size },
      chat: await chatStats(),
      eventsSent: streams.eventsSent,
      closedByReason: streams.closedByReason,
      droppedSlowClients: streams.closedByReason.slow,
      memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
      eventLoopDelay: loop,
    },
    { headers: { 'Cache-Control': 'no-store' } },
  );
});

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
export const OPTIONS = preflight(['GET']);
