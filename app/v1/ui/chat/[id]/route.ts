import { STREAM_ID } from '@/lib/chat/protocol';
import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { preflight, route } from '@/lib/http/route';
import { cancelUiChat } from '@/lib/server/ui-chat-runs';

/**
 * `DELETE /v1/ui/chat/<id>`: the useChat column's Stop. Aborting the AI SDK's fetch only closes
 * the connection; the run would go on generating for the grace period and count against the
 * client's running generations. This ends it at once. 204, or 404 when there is no such run.
 */
export const DELETE = route({}, async (_request, caller, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!STREAM_ID.test(id)) throw new ApiError('invalid_parameter', 'Not a stream id.');
  if (!(await cancelUiChat(id, caller))) throw new ApiError('not_found', 'No such stream, or it has expired.');
  return new Response(null, { status: 204 });
});

export const OPTIONS = preflight(['DELETE']);
export const GET = methodNotAllowed(['DELETE']);
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
