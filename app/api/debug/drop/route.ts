import { readJsonBody } from '@/lib/http/body';
import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { faultInjectionEnabled, parseFaults } from '@/lib/http/faults';
import { preflight, route } from '@/lib/http/route';
import { dropTagged } from '@/lib/sse/server';

/**
 * `POST /api/debug/drop` with `{ "client": "<tag>" }`: ends that client's open streams abruptly,
 * as a network failure would, so its reconnect and resume can be watched. Off with
 * `SSE_FAULT_INJECTION=off`.
 */
export const POST = route({}, async (request) => {
  if (!faultInjectionEnabled()) throw new ApiError('not_found', 'Fault injection is off on this server.');
  const body = (await readJsonBody(request, 1024)) as { client?: unknown } | null;
  const { tag } = parseFaults(new URLSearchParams(typeof body?.client === 'string' ? { client: body.client } : {}));
  if (!tag) throw new ApiError('bad_request', 'Send { "client": "<tag>" }.');
  return Response.json({ dropped: dropTagged(tag) }, { headers: { 'Cache-Control': 'no-store' } });
});

export const GET = methodNotAllowed(['POST']);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
export const OPTIONS = preflight(['POST']);
