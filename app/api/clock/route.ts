import { handle } from '@/lib/http/errors';
import { parseFaults } from '@/lib/http/faults';
import { createClockResponse } from '@/lib/server/clock';

/**
 * `GET /api/clock`: the live clock. `Last-Event-ID` (or `?lastEventId=` for clients that cannot
 * set headers) resumes after that event.
 */
export function GET(request: Request): Promise<Response> {
  return handle(() => {
    const params = new URL(request.url).searchParams;
    const lastEventId = request.headers.get('last-event-id') ?? params.get('lastEventId');
    return createClockResponse(request.signal, lastEventId, parseFaults(params));
  });
}
