import 'server-only';

import { ApiError } from '@/lib/http/errors';
import type { Caller } from '@/lib/http/guard';
import { createSseResponse, type StreamSettings } from '@/lib/sse/server';
import type { ChatCursor, ChatRequest } from '@/lib/chat/protocol';
import { chatRunLog, isLost, newRunId } from './chat-runs';
import { redisEnabled } from './redis';
import { instanceId } from './redis/instance';

const NOTHING_MORE = { status: 204, headers: { 'Cache-Control': 'no-store' } } as const;

/**
 * Answers a chat request: resumes the run named by `resume` (from the event after it), or starts a
 * new generation bound to the caller. See {@link runResponse} for what a resume answers.
 */
export async function chatResponse(request: Request, caller: Caller, input: ChatRequest, resume?: ChatCursor, settings: StreamSettings = {}): Promise<Response> {
  if (resume) return runResponse(request, caller, resume.streamId, resume.seq, settings);
  const id = newRunId();
  const started = await chatRunLog().start(id, input, { owner: caller.principal, client: caller.ip });
  if (!started.ok && started.reason === 'client_busy') {
    throw new ApiError('rate_limited', 'This client has as many chat generations running as it may; try again shortly.', { 'Retry-After': '5' });
  }
  if (!started.ok) {
    throw new ApiError('unavailable', 'Too many chat generations are running; try again shortly.', { 'Retry-After': '5' });
  }
  return runResponse(request, caller, id, 0, settings, true);
}

/**
 * Streams run `streamId` after `afterSeq`, replaying from its log as the client reads, then
 * following it live. A run that has nothing more, is gone or is not the caller's answers 204, so
 * that EventSource and the fetch client stop instead of retrying; a run lost in a restart of the
 * server answers 410 `stream_lost`.
 */
export async function runResponse(request: Request, caller: Caller, streamId: string, afterSeq: number, settings: StreamSettings = {}, starting = false): Promise<Response> {
  const opened = await chatRunLog().open(streamId, afterSeq, caller.principal, starting);
  if (opened.kind === 'unknown' && isLost(streamId)) {
    throw new ApiError('stream_lost', 'This stream was lost when the server restarted; ask again.');
  }
  if (opened.kind !== 'stream') return new Response(null, NOTHING_MORE);
  return createSseResponse({
    ...settings,
    signal: request.signal,
    label: 'chat',
    // With Redis, which instance answered: a run it starts, it produces (until it dies).
    headers: redisEnabled() ? { 'X-Stream-Id': streamId, 'X-Instance': instanceId() } : { 'X-Stream-Id': streamId },
    source: opened.source,
  });
}
