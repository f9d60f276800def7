import { methodNotAllowed } from '@/lib/http/errors';
import { activeGenerations, heldRuns } from '@/lib/server/chat-runs';
import { getClock } from '@/lib/server/clock';
import { preflight, route } from '@/lib/http/route';
import { redisHealth } from '@/lib/server/redis';
import { instanceId } from '@/lib/server/redis/instance';
import { getStreamStats } from '@/lib/sse/server';

/** `GET /api/stats`: what the server holds open right now, for dashboards, tests and the soak bench. */
export const GET = route({}, async () => {
  const streams = getStreamStats();
  const redis = await redisHealth();
  return Response.json(
    {
      instance: instanceId(),
      redis,
      openStreams: streams.openStreams,
      openStreamsByRoute: streams.openByLabel,
      topicSubscribers: { clock: getClock().topic.size },
      chat: { activeGenerations: activeGenerations(), heldRuns: heldRuns() },
      eventsSent: streams.eventsSent,
      closedByReason: streams.closedByReason,
      droppedSlowClients: streams.closedByReason.slow,
      memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
    },
    { headers: { 'Cache-Control': 'no-store' } },
  );
});

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
export const OPTIONS = preflight(['GET']);
