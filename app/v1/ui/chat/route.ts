import { readModelHeaders } from '@/lib/chat/formats/request';
import { UI_MESSAGE_STREAM_HEADERS } from '@/lib/chat/formats/ui-message';
import { parseUiChatRequest } from '@/lib/chat/formats/ui-message-request';
import { DEFAULT_DELAY_MS } from '@/lib/chat/simulate';
import { readJsonBody } from '@/lib/http/body';
import { methodNotAllowed } from '@/lib/http/errors';
import { assertStreamCapacity, streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { startUiChat } from '@/lib/server/ui-chat-runs';
import { MAX_BODY_BYTES, randomSeed } from '../../limits';

/**
 * `POST /v1/ui/chat`: the simulated model as the AI SDK's UI message stream, for
 * `DefaultChatTransport` (`useChat`). `X-Seed` picks the answer, `X-Delay-Ms` the pacing. The
 * answer is a run of the resumable log; `X-Stream-Id` names it for `GET /v1/ui/chat/<id>/stream`.
 */
export const POST = route({ opensStream: true }, async (request, caller) => {
  const settings = readModelHeaders(request.headers);
  const messages = parseUiChatRequest(await readJsonBody(request, MAX_BODY_BYTES));
  // The counts may have moved while the body arrived.
  assertStreamCapacity(caller);
  const input = { messages, delayMs: settings.delayMs ?? DEFAULT_DELAY_MS, seed: settings.seed ?? randomSeed() };
  return startUiChat(request, caller, input, { ...streamSettings(caller), headers: { ...UI_MESSAGE_STREAM_HEADERS } });
});

export const OPTIONS = preflight(['POST']);
export const GET = methodNotAllowed(['POST']);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
