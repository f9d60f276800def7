import 'server-only';

import { ApiError } from '@/lib/http/errors';
import { createSseResponse, type StreamSettings } from '@/lib/sse/server';
import type { ChatCursor, ChatRequest } from '@/lib/chat/protocol';
import { atCapacity, attach, detach, hasMoreAfter, startRun } from './chat-runs';

/**
 * Answers a chat request: resumes the run named by `resume` (from the event after it), or starts a
 * new generation. A run that is gone, or has nothing after `resume`, answers 204 so that both
 * EventSource and the fetch client stop instead of retrying.
 */
export function chatResponse(request: Request, input: ChatRequest, resume?: ChatCursor, settings: StreamSettings = {}): Response {
  if (resume) return runResponse(request, resume.streamId, resume.seq, settings);
  if (atCapacity()) {
    throw new ApiError('unavailable', 'Too many chat generations are running; try again shortly.', { 'Retry-After': '5' });
  }
  return runResponse(request, startRun(input), 0, settings);
}


/** Streams an existing run after `afterSeq`, or 204 when there is nothing (more) to stream. */
export function runResponse(request: Request, streamId: string, afterSeq: number, settings: StreamSettings = {}): Response {
  if (!hasMoreAfter(streamId, afterSeq)) return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  return createSseResponse({
    ...settings,
    signal: request.signal,
    label: 'chat',
    headers: { 'X-Stream-Id': streamId },
    start(connection) {
      attach(streamId, connection, afterSeq);
      return () => detach(streamId, connection);
    },
  });
}
