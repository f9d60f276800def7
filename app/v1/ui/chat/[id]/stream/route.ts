import { UI_MESSAGE_STREAM_HEADERS } from '@/lib/chat/formats/ui-message';
import { STREAM_ID } from '@/lib/chat/protocol';
import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { streamUiChat } from '@/lib/server/ui-chat-runs';

/**
 * `GET /v1/ui/chat/<id>/stream`: the AI SDK's resume (`useChat({ resume: true })`). Replays run
 * `<id>` of the resumable log from its start and follows it; 204 when there is nothing to resume.
 * The client asks with the run id it got in `X-Stream-Id`, or with its chat id when it has none
 * (never a run id, so 204).
 */
export const GET = route({ opensStream: true }, async (request, caller, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!STREAM_ID.test(id)) throw new ApiError('invalid_parameter', 'Not a stream or chat id.');
  return streamUiChat(request, caller, id, { ...streamSettings(caller), headers: { ...UI_MESSAGE_STREAM_HEADERS } });
});

export const OPTIONS = preflight(['GET']);
export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
