import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { parseFaults } from '@/lib/http/faults';
import { chatRunLog } from '@/lib/server/chat-runs';
import { runResponse } from '@/lib/server/chat-stream';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { STREAM_ID } from '@/lib/chat/protocol';
import { parseCursor } from '../schema';

interface Context {
  params: Promise<{ streamId: string }>;
}

async function streamIdOf(context: Context): Promise<string> {
  const { streamId } = await context.params;
  if (!STREAM_ID.test(streamId)) throw new ApiError('invalid_parameter', 'Not a stream id.');
  return streamId;
}

/**
 * `GET /api/chat/<streamId>`: reattaches to a running or recently finished stream, from the start
 * or after `Last-Event-ID`, as after a page reload. Unknown, expired or someone else's streams
 * answer 204; one lost in a restart 410.
 */
export const GET = route<Context>({ opensStream: true }, async (request, caller, context) => {
  const streamId = await streamIdOf(context);
  const params = new URL(request.url).searchParams;
  const cursor = parseCursor(request, params);
  const afterSeq = cursor?.streamId === streamId ? cursor.seq : 0;
  return runResponse(request, caller, streamId, afterSeq, { ...streamSettings(caller), ...parseFaults(params) });
});

/** `DELETE /api/chat/<streamId>`: the user's Stop. Ends the generation for good. */
export const DELETE = route<Context>({}, async (_request, caller, context) => {
  const streamId = await streamIdOf(context);
  if (!(await chatRunLog().cancel(streamId, caller.principal))) throw new ApiError('not_found', 'No such stream, or it has expired.');
  return new Response(null, { status: 204 });
});

export const OPTIONS = preflight(['GET', 'DELETE']);
export const POST = methodNotAllowed(['GET', 'DELETE']);
export const PUT = POST;
export const PATCH = POST;
