import { handle, methodNotAllowed } from '@/lib/http/errors';
import { readJsonBody } from '@/lib/http/body';
import { parseFaults } from '@/lib/http/faults';
import { chatResponse } from '@/lib/server/chat-stream';
import { MAX_BODY_BYTES, parseChatBody, parseChatQuery, parseCursor } from './schema';

/**
 * `POST /api/chat`: `{ messages, options? }` answered with the simulated model's event stream.
 * With `Last-Event-ID: <streamId>:<seq>` it resumes that stream instead of starting a new one.
 */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const params = new URL(request.url).searchParams;
    const faults = parseFaults(params);
    const chat = parseChatBody(await readJsonBody(request, MAX_BODY_BYTES));
    return chatResponse(request, chat, parseCursor(request, params), faults);
  });
}

/** `GET /api/chat?prompt=...`: the same stream for `EventSource`, which can only send GET. */
export function GET(request: Request): Promise<Response> {
  return handle(() => {
    const params = new URL(request.url).searchParams;
    const chat = parseChatQuery(params);
    return chatResponse(request, chat, parseCursor(request, params), parseFaults(params));
  });
}

export const PUT = methodNotAllowed(['GET', 'POST']);
export const PATCH = PUT;
export const DELETE = PUT;
