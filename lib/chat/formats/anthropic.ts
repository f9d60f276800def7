/**
 * The Anthropic Messages wire format: a model turn as named events (`message_start`, content
 * blocks with `text_delta` or `input_json_delta`, `message_delta` with the stop reason and usage,
 * `message_stop`), as one `message` object, and errors as `{ type: "error", error: { type,
 * message } }`. Pure functions; the route sends the frames through the encoder.
 */

import type { ApiError } from '../../http/errors';
import type { Frame } from './frame';
import type { Turn, TurnFinish } from './turn';

/** What the frames of one message repeat. */
export interface AnthropicContext {
  /** `msg_…`. */
  id: string;
  /** The model name the client asked for, echoed back. */
  model: string;
}

/** Anthropic's error body. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Our turn's end as Anthropic's `stop_reason`. */
function stopReason(reason: TurnFinish): 'end_turn' | 'max_tokens' | 'tool_use' {
  if (reason === 'tool_calls') return 'tool_use';
  return reason === 'length' ? 'max_tokens' : 'end_turn';
}

function frame(type: string, body: Record<string, unknown>, delayMs: number): Frame {
  // The event name repeats the data's `type`, as Anthropic sends it.
  return { event: type, data: { type, ...body }, delayMs };
}

/**
 * A turn as streamed events: `message_start` (with the prompt's `input_tokens`), a `ping`, then
 * one content block: `text` with a `text_delta` per token, or `tool_use` with an
 * `input_json_delta` per piece of its input; `content_block_stop`, `message_delta` with
 * `stop_reason` and `usage.output_tokens`, and `message_stop`. A model failure mid-answer sends an
 * `error` event instead of the rest, as Anthropic does.
 */
export function anthropicEvents(turn: Turn, { id, model }: AnthropicContext): Frame[] {
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: turn.promptTokens, output_tokens: 0 },
  };
  const frames: Frame[] = [frame('message_start', { message }, 0), frame('ping', {}, 0)];
  let block: 'text' | 'tool_use' | undefined;
  for (const event of turn.events) {
    switch (event.type) {
      case 'text': {
        let delayMs = event.delayMs;
        if (!block) {
          block = 'text';
          frames.push(frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }, delayMs));
          delayMs = 0;
        }
        frames.push(frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: event.text } }, delayMs));
        break;
      }
      case 'tool-start':
        block = 'tool_use';
        frames.push(
          frame('content_block_start', { index: 0, content_block: { type: 'tool_use', id: event.id, name: event.name, input: {} } }, event.delayMs),
        );
        break;
      case 'tool-input':
        frames.push(frame('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: event.json } }, event.delayMs));
        break;
      case 'finish':
        if (block) frames.push(frame('content_block_stop', { index: 0 }, event.delayMs));
        frames.push(
          frame(
            'message_delta',
            { delta: { stop_reason: stopReason(event.reason), stop_sequence: null }, usage: { output_tokens: event.usage.completionTokens } },
            block ? 0 : event.delayMs,
          ),
        );
        frames.push(frame('message_stop', {}, 0));
        return frames;
      case 'error':
        frames.push({ event: 'error', data: anthropicErrorBody('api_error', event.message), delayMs: event.delayMs });
        return frames;
    }
  }
  return frames;
}

/** A whole `message`, or the model's failure when the answer broke off midway. */
export type AnthropicMessageResult =
  | { ok: true; message: Record<string, unknown> }
  | { ok: false; code: string; message: string };

/** A turn as one `message` object (the answer without `stream`). */
export function anthropicMessage(turn: Turn, { id, model }: AnthropicContext): AnthropicMessageResult {
  let text = '';
  let call: { type: 'tool_use'; id: string; name: string; json: string } | undefined;
  for (const event of turn.events) {
    switch (event.type) {
      case 'text':
        text += event.text;
        break;
      case 'tool-start':
        call = { type: 'tool_use', id: event.id, name: event.name, json: '' };
        break;
      case 'tool-input':
        if (call) call.json += event.json;
        break;
      case 'error':
        return { ok: false, code: event.code, message: event.message };
      case 'finish': {
        const content = call
          ? [{ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.json) as unknown }]
          : [{ type: 'text', text }];
        return {
          ok: true,
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content,
            stop_reason: stopReason(event.reason),
            stop_sequence: null,
            usage: { input_tokens: event.usage.promptTokens, output_tokens: event.usage.completionTokens },
          },
        };
      }
    }
  }
  return { ok: false, code: 'model_error', message: 'The model ended without finishing its answer.' };
}

/** Anthropic's error body. */
export function anthropicErrorBody(type: string, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message } };
}

/** Anthropic's error `type` for an HTTP status, as its API documents them. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** An error response in Anthropic's shape, with the status and headers (`Retry-After`, …) of ours. */
export function anthropicErrorResponse(error: ApiError): Response {
  return Response.json(anthropicErrorBody(anthropicErrorType(error.status), error.message), {
    status: error.status,
    headers: { 'Cache-Control': 'no-store', ...error.headers },
  });
}
