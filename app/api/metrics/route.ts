import { methodNotAllowed } from '@/lib/http/errors';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { createMetricsResponse } from '@/lib/server/metrics';

/**
 * `GET /api/metrics`: this server's own metrics, one `sample` event a second. `Last-Event-ID` (or
 * `?lastEventId=`) resumes after that sample.
 */
export const GET = route({ opensStream: true }, (request, caller) => {
  const lastEventId = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  return createMetricsResponse(request.signal, lastEventId, streamSettings(caller));
});

export const OPTIONS = preflight(['GET']);
export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
