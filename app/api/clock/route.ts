import { createClockResponse } from '@/lib/server/clock';

/**
 * `GET /api/clock`: the live clock. `Last-Event-ID` (or `?lastEventId=` for clients that cannot
 * set headers) resumes after that event.
 */
export function GET(request: Request): Response {
  const lastEventId =
    request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  return createClockResponse(request.signal, lastEventId);
}
