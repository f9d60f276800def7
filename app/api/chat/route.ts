import { readJsonBody } from '@/lib/http/body';
import { methodNotAllowed } from '@/lib/http/errors';
import { parseFaults } from '@/lib/http/faults';
import { chatResponse } from '@/lib/server/chat-stream';
import { assertStreamCapacity, streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { MAX_BODY_BYTES, parseChatBody, parseChatQuery, parseCursor } from './schema';

/**
 * `POST /api/chat`: `{ messages, options? }` answered with the simulated model's event stream.
 * With `Last-Event-ID: <streamId>:<seq>` it resumes that stream instead of starting a new one.
 */
export const POST = route({ opensStream: true }, async (request, caller) => {
  const params = new URL(request.url).searchParams;
  const settings = { ...streamSettings(caller), ...parseFaults(params) };
  const chat = parseChatBody(await readJsonBody(request, MAX_BODY_BYTES));
  // The counts may have moved while the body arrived.
  assertStreamCapacity(caller);
  return chatResponse(request, caller, chat, parseCursor(request, params), settings);
});

/** `GET /api/chat?prompt=...`: the same stream for `EventSource`, which can only send GET. */
export const GET = route({ opensStream: true }, (request, caller) => {
  const params = new URL(request.url).searchParams;
  const settings = { ...streamSettings(caller), ...parseFaults(params) };
  return chatResponse(request, caller, parseChatQuery(params), parseCursor(request, params), settings);
});

export const OPTIONS = preflight(['GET', 'POST']);
export const PUT = methodNotAllowed(['GET', 'POST']);
export const PATCH = PUT;
export const DELETE = PUT;
