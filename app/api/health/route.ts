import { methodNotAllowed } from '@/lib/http/errors';
import { redisHealth } from '@/lib/server/redis';
import { instanceId } from '@/lib/server/redis/instance';
import { getStreamStats } from '@/lib/sse/server';

/**
 * `GET /api/health`: liveness for load balancers and the test runner, with the open stream count.
 * Unguarded on purpose: a balancer has no token, and it must keep working when clients are limited.
 *
 * With `REDIS_URL` set, `status` is `degraded` with a `reason` while Redis is unreachable. The
 * answer stays 200: every instance shares that Redis, so taking this one out of the balancer would
 * help no one, and its new stream requests already answer 503 with `Retry-After`.
 */
export async function GET(): Promise<Response> {
  const { openStreams } = getStreamStats();
  const redis = await redisHealth();
  return Response.json(
    {
      status: redis.status === 'degraded' ? 'degraded' : 'ok',
      ...(redis.status === 'degraded' && { reason: redis.reason }),
      instance: instanceId(),
      redis: redis.status,
      uptimeSeconds: Math.round(process.uptime()),
      openStreams,
    },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
