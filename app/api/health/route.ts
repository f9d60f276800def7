import { methodNotAllowed } from '@/lib/http/errors';
import { getStreamStats } from '@/lib/sse/server';

/**
 * `GET /api/health`: liveness for load balancers and the test runner, with the open stream count.
 * Unguarded on purpose: a balancer has no token, and it must keep working when clients are limited.
 */
export function GET(): Response {
  const { openStreams } = getStreamStats();
  return Response.json(
    { status: 'ok', uptimeSeconds: Math.round(process.uptime()), openStreams },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
