/**
 * Reads an OpenAI Chat Completions request body into what the model needs, refusing what it
 * cannot serve with the field at fault.
 */

import type { ChatMessage } from '../protocol';
import { isObject, MAX_SEED, MODEL_TOOL, RequestError } from './request';

/** A validated Chat Completions request. */
export interface OpenAiRequest {
  model: string;
  /** The conversation as the model reads it: user and assistant text, in order. */
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  seed: number | undefined;
  /** `max_completion_tokens`, or the older `max_tokens`. */
  maxTokens: number | undefined;
  /** The client offered `web_search` and has not sent a result for it yet in this turn. */
  callTool: boolean;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

/** The text of a message's `content`: a string, or an array of parts of which the text ones count. */
function contentText(content: unknown, param: string, nullable: boolean): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && nullable) return '';
  if (!Array.isArray(content)) throw new RequestError(`${param} must be a string or an array of content parts.`, param);
  return content
    .map((part: unknown, index) => {
      if (!isObject(part) || typeof part.type !== 'string') throw new RequestError(`${param}[${index}] must be a content part with a type.`, `${param}[${index}]`);
      if (part.type !== 'text') return '';
      if (typeof part.text !== 'string') throw new RequestError(`${param}[${index}].text must be a string.`, `${param}[${index}].text`);
      return part.text;
    })
    .join('');
}

function optionalInteger(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RequestError(`${name} must be an integer from ${min} to ${max}.`, name, 'invalid_parameter');
  }
  return value;
}

function optionalBoolean(value: unknown, param: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new RequestError(`${param} must be a boolean.`, param, 'invalid_parameter');
  return value;
}

/** Whether the client offers the model's tool, and lets the model choose it. */
function offersModelTool(tools: unknown, choice: unknown): boolean {
  const chosen = toolChoice(choice);
  if (tools === undefined || tools === null) return false;
  if (!Array.isArray(tools)) throw new RequestError('tools must be an array.', 'tools');
  let offered = false;
  tools.forEach((tool: unknown, index) => {
    if (!isObject(tool) || typeof tool.type !== 'string') throw new RequestError(`tools[${index}] must be a tool with a type.`, `tools[${index}]`);
    if (tool.type !== 'function') return;
    if (!isObject(tool.function) || typeof tool.function.name !== 'string' || tool.function.name === '') {
      throw new RequestError(`tools[${index}].function.name must be a non-empty string.`, `tools[${index}].function.name`);
    }
    if (tool.function.name === MODEL_TOOL) offered = true;
  });
  return offered && (chosen === 'any' || chosen === MODEL_TOOL);
}

/** `tool_choice` as `any` (the model may pick), `none`, or the one function's name it must call. */
function toolChoice(choice: unknown): string {
  if (choice === undefined || choice === null || choice === 'auto' || choice === 'required') return 'any';
  if (choice === 'none') return 'none';
  if (isObject(choice) && choice.type === 'function' && isObject(choice.function) && typeof choice.function.name === 'string') {
    return choice.function.name;
  }
  throw new RequestError('tool_choice must be "none", "auto", "required" or { type: "function", function: { name } }.', 'tool_choice');
}

/**
 * Validates a Chat Completions body. System, developer and tool messages are accepted and not
 * read (the model answers the users' words); the last message must be from the user, or be a
 * tool's result, after which the model continues with its answer.
 *
 * @throws {RequestError} naming the field at fault.
 */
export function parseOpenAiRequest(body: unknown): OpenAiRequest {
  if (!isObject(body)) throw new RequestError('The body must be a JSON object.', null);
  if (typeof body.model !== 'string' || body.model === '') throw new RequestError('model must be a non-empty string.', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new RequestError('messages must be a non-empty array.', 'messages');

  const messages: ChatMessage[] = [];
  let lastRole = '';
  body.messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message) || typeof message.role !== 'string' || !ROLES.includes(message.role)) {
      throw new RequestError(`${param}.role must be one of ${ROLES.join(', ')}.`, `${param}.role`);
    }
    lastRole = message.role;
    const hasCalls = message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    const text = contentText(message.content, `${param}.content`, hasCalls);
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      throw new RequestError(`${param}.tool_call_id must be a string.`, `${param}.tool_call_id`);
    }
    if (message.role === 'user') messages.push({ role: 'user', content: text });
    // An assistant turn that only called a tool said nothing the model needs to read back.
    else if (message.role === 'assistant' && text !== '') messages.push({ role: 'assistant', content: text });
  });
  if (lastRole !== 'user' && lastRole !== 'tool') {
    throw new RequestError('The last message must be from the user or a tool result.', 'messages');
  }

  const stream = optionalBoolean(body.stream, 'stream');
  if (body.stream_options !== undefined && body.stream_options !== null && !isObject(body.stream_options)) {
    throw new RequestError('stream_options must be an object.', 'stream_options');
  }
  const includeUsage = optionalBoolean((body.stream_options as Record<string, unknown> | null | undefined)?.include_usage, 'stream_options.include_usage');
  const maxTokens = optionalInteger(body, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER) ?? optionalInteger(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER);
  return {
    model: body.model,
    messages,
    stream,
    includeUsage: stream && includeUsage,
    seed: optionalInteger(body, 'seed', 0, MAX_SEED),
    maxTokens,
    callTool: offersModelTool(body.tools, body.tool_choice) && lastRole !== 'tool',
  };
}
