import { readModelHeaders } from '@/lib/chat/formats/request';
import { UI_MESSAGE_STREAM_HEADERS, uiMessageChunks } from '@/lib/chat/formats/ui-message';
import { parseUiChatRequest } from '@/lib/chat/formats/ui-message-request';
import { DEFAULT_DELAY_MS, simulateChat } from '@/lib/chat/simulate';
import { readJsonBody } from '@/lib/http/body';
import { methodNotAllowed } from '@/lib/http/errors';
import { assertStreamCapacity, streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { pacedResponse } from '@/lib/server/paced-stream';
import { MAX_BODY_BYTES, randomId, randomSeed } from '../../limits';

/**
 * `POST /v1/ui/chat`: the simulated model as the AI SDK's UI message stream, for
 * `DefaultChatTransport` (`useChat`). `X-Seed` picks the answer, `X-Delay-Ms` the pacing.
 */
export const POST = route({ opensStream: true }, async (request, caller) => {
  const settings = readModelHeaders(request.headers);
  const messages = parseUiChatRequest(await readJsonBody(request, MAX_BODY_BYTES));
  const delayMs = settings.delayMs ?? DEFAULT_DELAY_MS;
  const steps = [...simulateChat(messages, { delayMs, seed: settings.seed ?? randomSeed() })];
  // The counts may have moved while the body arrived.
  assertStreamCapacity(caller);
  const frames = uiMessageChunks(steps, { messageId: `msg-${randomId()}` });
  return pacedResponse(request, frames, 'ui-message', { ...streamSettings(caller), headers: UI_MESSAGE_STREAM_HEADERS });
});

export const OPTIONS = preflight(['POST']);
export const GET = methodNotAllowed(['POST']);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
