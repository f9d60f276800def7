import { methodNotAllowed } from '@/lib/http/errors';
import { parseFaults } from '@/lib/http/faults';
import { createClockResponse } from '@/lib/server/clock';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';

/**
 * `GET /api/clock`: the live clock. `Last-Event-ID` (or `?lastEventId=` for clients that cannot
 * set headers) resumes after that event.
 */
export const GET = route({ opensStream: true }, (request, caller) => {
  const params = new URL(request.url).searchParams;
  const lastEventId = request.headers.get('last-event-id') ?? params.get('lastEventId');
  return createClockResponse(request.signal, lastEventId, { ...streamSettings(caller), ...parseFaults(params) });
});

export const OPTIONS = preflight(['GET']);
export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
