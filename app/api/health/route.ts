import { getStreamStats } from '@/lib/sse/server';

/** `GET /api/health`: liveness for load balancers and the test runner, with the open stream count. */
export function GET(): Response {
  const { openStreams } = getStreamStats();
  return Response.json(
    { status: 'ok', uptimeSeconds: Math.round(process.uptime()), openStreams },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
