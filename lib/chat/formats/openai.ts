/**
 * The OpenAI Chat Completions wire format: a model turn as `chat.completion.chunk` frames ending
 * with `data: [DONE]`, as one `chat.completion` object, and errors as `{ error: { message, type,
 * param, code } }`. Pure functions; the route sends the frames through the encoder.
 */

import type { ApiError } from '../../http/errors';
import type { ChatUsage } from '../protocol';
import type { Frame } from './frame';
// Our turn's ends (`stop`, `length`, `tool_calls`) are OpenAI's `finish_reason` names already.
import { RequestError } from './request';
import type { Turn } from './turn';

/** What every frame of one completion repeats. */
export interface OpenAiContext {
  /** `chatcmpl-…`, the same on every chunk. */
  id: string;
  /** The model name the client asked for, echoed back. */
  model: string;
  /** Unix seconds. */
  created: number;
  /** `stream_options.include_usage`: every chunk carries `usage: null` and a last chunk the counts. */
  includeUsage: boolean;
}

/** OpenAI's usage object. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function usage({ promptTokens, completionTokens }: ChatUsage): OpenAiUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/**
 * A turn as streamed chunks. The first chunk carries `role` (with `content: ""`, or with the
 * tool call's id and name and `content: null`), then one chunk per token (`delta.content`) or per
 * piece of the tool input (`delta.tool_calls[0].function.arguments`), then `delta: {}` with the
 * `finish_reason`, the usage chunk (`choices: []`) when asked for, and `[DONE]`. A model failure
 * mid-answer sends `{ error }` instead of the rest, and no `[DONE]`, as OpenAI does.
 */
export function openAiChunks(turn: Turn, context: OpenAiContext): Frame[] {
  const { id, model, created, includeUsage } = context;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });

  const frames: Frame[] = [];
  let started = false;
  for (const event of turn.events) {
    switch (event.type) {
      case 'text':
        if (!started) frames.push({ data: chunk([choice({ role: 'assistant', content: '' })]), delayMs: event.delayMs });
        frames.push({ data: chunk([choice({ content: event.text })]), delayMs: started ? event.delayMs : 0 });
        break;
      case 'tool-start': {
        const call = { index: 0, id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        const delta = started ? { tool_calls: [call] } : { role: 'assistant', content: null, tool_calls: [call] };
        frames.push({ data: chunk([choice(delta)]), delayMs: event.delayMs });
        break;
      }
      case 'tool-input':
        frames.push({ data: chunk([choice({ tool_calls: [{ index: 0, function: { arguments: event.json } }] })]), delayMs: event.delayMs });
        break;
      case 'finish':
        if (!started) frames.push({ data: chunk([choice({ role: 'assistant', content: '' })]), delayMs: event.delayMs });
        frames.push({ data: chunk([choice({}, event.reason)]), delayMs: started ? event.delayMs : 0 });
        if (includeUsage) frames.push({ data: chunk([], { usage: usage(event.usage) }), delayMs: 0 });
        frames.push({ data: '[DONE]', delayMs: 0 });
        return frames;
      case 'error':
        frames.push({ data: openAiErrorBody(event.message, 'server_error', null, event.code), delayMs: event.delayMs });
        return frames;
    }
    started = true;
  }
  return frames;
}

/** A whole `chat.completion`, or the model's failure when the answer broke off midway. */
export type OpenAiCompletionResult =
  | { ok: true; completion: Record<string, unknown> }
  | { ok: false; code: string; message: string };

/** A turn as one `chat.completion` object (the `stream: false` answer). */
export function openAiCompletion(turn: Turn, { id, model, created }: Omit<OpenAiContext, 'includeUsage'>): OpenAiCompletionResult {
  let content = '';
  let call: { id: string; type: 'function'; function: { name: string; arguments: string } } | undefined;
  for (const event of turn.events) {
    switch (event.type) {
      case 'text':
        content += event.text;
        break;
      case 'tool-start':
        call = { id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        break;
      case 'tool-input':
        if (call) call.function.arguments += event.json;
        break;
      case 'error':
        return { ok: false, code: event.code, message: event.message };
      case 'finish': {
        const message = call
          ? { role: 'assistant', content: null, refusal: null, tool_calls: [call] }
          : { role: 'assistant', content, refusal: null };
        return {
          ok: true,
          completion: {
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [{ index: 0, message, logprobs: null, finish_reason: event.reason }],
            usage: usage(event.usage),
          },
        };
      }
    }
  }
  return { ok: false, code: 'model_error', message: 'The model ended without finishing its answer.' };
}

/** OpenAI's error body. */
export function openAiErrorBody(message: string, type: string, param: string | null, code: string | null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** OpenAI's error `type` for an HTTP status, as its API uses them. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** An error response in OpenAI's shape, with the status and headers (`Retry-After`, …) of ours. */
export function openAiErrorResponse(error: ApiError): Response {
  const param = error instanceof RequestError ? error.param : null;
  return Response.json(openAiErrorBody(error.message, openAiErrorType(error.status), param, error.code), {
    status: error.status,
    headers: { 'Cache-Control': 'no-store', ...error.headers },
  });
}
