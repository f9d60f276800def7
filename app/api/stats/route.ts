import { activeGenerations, heldRuns } from '@/lib/server/chat-runs';
import { getClock } from '@/lib/server/clock';
import { getStreamStats } from '@/lib/sse/server';

/** `GET /api/stats`: what the server holds open right now, for dashboards, tests and the soak bench. */
export function GET(): Response {
  const streams = getStreamStats();
  return Response.json(
    {
      openStreams: streams.openStreams,
      openStreamsByRoute: streams.openByLabel,
      topicSubscribers: { clock: getClock().topic.size },
      chat: { activeGenerations: activeGenerations(), heldRuns: heldRuns() },
      eventsSent: streams.eventsSent,
      closedByReason: streams.closedByReason,
      droppedSlowClients: streams.closedByReason.slow,
    },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
