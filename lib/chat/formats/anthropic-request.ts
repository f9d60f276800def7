/**
 * Reads an Anthropic Messages request body into what the model needs, refusing what it cannot
 * serve with the field at fault.
 */

import type { ChatMessage } from '../protocol';
import { isObject, MODEL_TOOL, RequestError } from './request';

/** A validated Messages request. */
export interface AnthropicRequest {
  model: string;
  /** The conversation as the model reads it: user and assistant text, in order. */
  messages: ChatMessage[];
  stream: boolean;
  /** `max_tokens`, which Anthropic requires. */
  maxTokens: number;
  /** The client offered `web_search` and has not sent a `tool_result` yet in this turn. */
  callTool: boolean;
}

/** The text of a message's `content` (a string, or blocks of which the text ones count); whether it holds a tool result. */
function readContent(content: unknown, param: string): { text: string; toolResult: boolean } {
  if (typeof content === 'string') return { text: content, toolResult: false };
  if (!Array.isArray(content)) throw new RequestError(`${param} must be a string or an array of content blocks.`, param);
  let text = '';
  let toolResult = false;
  content.forEach((block: unknown, index) => {
    const at = `${param}[${index}]`;
    if (!isObject(block) || typeof block.type !== 'string') throw new RequestError(`${at} must be a content block with a type.`, at);
    if (block.type === 'text') {
      if (typeof block.text !== 'string') throw new RequestError(`${at}.text must be a string.`, `${at}.text`);
      text += block.text;
    } else if (block.type === 'tool_result') {
      if (typeof block.tool_use_id !== 'string') throw new RequestError(`${at}.tool_use_id must be a string.`, `${at}.tool_use_id`);
      toolResult = true;
    }
  });
  return { text, toolResult };
}

/** Whether the client offers the model's tool (a client tool named `web_search`), and lets the model choose it. */
function offersModelTool(tools: unknown, choice: unknown): boolean {
  if (choice !== undefined && (!isObject(choice) || typeof choice.type !== 'string' || !['auto', 'any', 'tool', 'none'].includes(choice.type))) {
    throw new RequestError('tool_choice.type: must be one of auto, any, tool, none.', 'tool_choice');
  }
  if (tools === undefined) return false;
  if (!Array.isArray(tools)) throw new RequestError('tools must be an array.', 'tools');
  let offered = false;
  tools.forEach((tool: unknown, index) => {
    if (!isObject(tool) || typeof tool.name !== 'string' || tool.name === '') {
      throw new RequestError(`tools.${index}.name must be a non-empty string.`, `tools.${index}.name`);
    }
    // Anthropic's own server tools carry a versioned `type`; the model can only call a client tool.
    const clientTool = tool.type === undefined || tool.type === 'custom';
    if (clientTool && tool.name === MODEL_TOOL) offered = true;
  });
  if (choice === undefined) return offered;
  if (choice.type === 'none') return false;
  if (choice.type === 'tool') return offered && choice.name === MODEL_TOOL;
  return offered;
}

/**
 * Validates a Messages body. `system` is accepted and not read (the model answers the users'
 * words); the last message must be from the user, and when it carries a `tool_result` the model
 * continues with its answer.
 *
 * @throws {RequestError} naming the field at fault.
 */
export function parseAnthropicRequest(body: unknown): AnthropicRequest {
  if (!isObject(body)) throw new RequestError('The body must be a JSON object.', null);
  if (typeof body.model !== 'string' || body.model === '') throw new RequestError('model: must be a non-empty string.', 'model');
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens < 1) {
    throw new RequestError('max_tokens: must be an integer of at least 1.', 'max_tokens', 'invalid_parameter');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new RequestError('messages: must be a non-empty array.', 'messages');
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    throw new RequestError('system: must be a string or an array of text blocks.', 'system');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw new RequestError('stream: must be a boolean.', 'stream', 'invalid_parameter');

  const messages: ChatMessage[] = [];
  let last: { role: string; toolResult: boolean } = { role: '', toolResult: false };
  body.messages.forEach((message: unknown, index) => {
    const param = `messages.${index}`;
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      throw new RequestError(`${param}.role: must be "user" or "assistant".`, `${param}.role`);
    }
    const { text, toolResult } = readContent(message.content, `${param}.content`);
    last = { role: message.role, toolResult };
    // A message that only carried a tool call or a tool result said nothing the model reads.
    if (text !== '' || (message.role === 'user' && !toolResult)) messages.push({ role: message.role, content: text });
  });
  if (last.role !== 'user') throw new RequestError('messages: the last message must be from the user.', 'messages');

  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    maxTokens,
    callTool: offersModelTool(body.tools, body.tool_choice) && !last.toolResult,
  };
}
