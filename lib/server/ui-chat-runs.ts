import 'server-only';

import type { Frame } from '@/lib/chat/formats/frame';
import { uiMessageChunks } from '@/lib/chat/formats/ui-message';
import type { ChatMessage } from '@/lib/chat/protocol';
import { simulateChat } from '@/lib/chat/simulate';
import { ApiError } from '@/lib/http/errors';
import type { Caller } from '@/lib/http/guard';
import { abortableDelay } from '@/lib/sse/backoff';
import { createSseResponse, type StreamSettings } from '@/lib/sse/server';
import type { EventInput } from '@/lib/sse/types';
import { setting } from '@/lib/http/config';
import { chatLimits, chooseRunStore, deferredRunLog, newRunId } from './chat-runs';
import { createRunLog, type RunLog } from './run-log/run-log';

/** What one UI message stream run is made from. */
export interface UiChatInput {
  messages: ChatMessage[];
  delayMs: number;
  seed: number;
  messageId: string;
}

/** The UI message chunks of one answer, each after its pause (but the first `replayed`, logged already). */
async function* uiChatEvents({ messages, delayMs, seed, messageId }: UiChatInput, signal: AbortSignal, replayed = 0): AsyncGenerator<EventInput> {
  const frames: Frame[] = uiMessageChunks([...simulateChat(messages, { delayMs, seed })], { messageId });
  let index = 0;
  try {
    for (const { delayMs: pause, ...event } of frames) {
      // Even a pause of 0 yields a turn, so aborts and other requests get one.
      await abortableDelay(index++ < replayed ? 0 : pause, signal);
      if (signal.aborted) return;
      yield event;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

function uiRunLog(): RunLog<UiChatInput> {
  const holder = globalThis as { __sseUiChatRuns?: RunLog<UiChatInput> };
  // The same run log as /api/chat's, with the chat's limits and the UI message stream as its
  // producer, over a store of its own (so /api/stats still counts /api/chat's runs alone). A UI
  // stream carries no ids the AI SDK reads; the log's `id:` lines are harmless to its parser, and
  // a resume replays the run from its start.
  // With Redis, its runs live under a prefix of their own, shared and taken over like the chat's.
  holder.__sseUiChatRuns ??= deferredRunLog(chooseRunStore('sse:uirun'), (store) =>
    createRunLog<UiChatInput>({
      store,
      limits: chatLimits(),
      takeover: setting('CHAT_TAKEOVER') === 1,
      producerLost: { data: { type: 'error', errorText: 'The server producing this answer went away; ask again.' } },
      makeStream: uiChatEvents,
      eventId: (runId, seq) => `${runId}:${seq}`,
      tooLarge: { data: { type: 'error', errorText: 'The answer outgrew the server’s per-stream log limit.' } },
      failed: { data: { type: 'error', errorText: 'The generation failed on the server.' } },
    }),
  );
  return holder.__sseUiChatRuns;
}

const NOTHING_TO_RESUME = { status: 204, headers: { 'Cache-Control': 'no-store' } } as const;

/**
 * Starts an answer as a run of the resumable log and streams it. The run's id goes out in
 * `X-Stream-Id`, for the client to resume with after a reload.
 */
export async function startUiChat(request: Request, caller: Caller, input: Omit<UiChatInput, 'messageId'>, settings: StreamSettings & { headers: Record<string, string> }): Promise<Response> {
  const id = newRunId();
  const started = await uiRunLog().start(id, { ...input, messageId: `msg-${id}` }, { owner: caller.principal, client: caller.ip });
  if (!started.ok && started.reason === 'client_busy') {
    throw new ApiError('rate_limited', 'This client has as many chat generations running as it may; try again shortly.', { 'Retry-After': '5' });
  }
  if (!started.ok) throw new ApiError('unavailable', 'Too many chat generations are running; try again shortly.', { 'Retry-After': '5' });
  return streamUiChat(request, caller, id, settings, true);
}

/**
 * Streams run `id` from its start: replayed from the log, then live (a finished run is replayed
 * whole while it is kept). 204 when there is nothing to resume (no such run, expired, or someone
 * else's), which the AI SDK takes as "no active stream".
 */
export async function streamUiChat(request: Request, caller: Caller, id: string, settings: StreamSettings & { headers: Record<string, string> }, starting = false): Promise<Response> {
  const opened = await uiRunLog().open(id, 0, caller.principal, starting);
  if (opened.kind !== 'stream') return new Response(null, NOTHING_TO_RESUME);
  return createSseResponse({
    ...settings,
    signal: request.signal,
    label: 'ui-message',
    headers: { ...settings.headers, 'X-Stream-Id': id },
    source: opened.source,
  });
}

/**
 * The user's Stop for run `id`: its generation ends at once (the streams reading it end with it)
 * and no longer counts against its client's running generations. False when there is no such run
 * for this caller (unknown, expired or someone else's).
 */
export function cancelUiChat(id: string, caller: Caller): Promise<boolean> {
  return uiRunLog().cancel(id, caller.principal);
}
