/**
 * Reads the body `DefaultChatTransport` posts (`{ id, messages: UIMessage[], trigger, messageId }`)
 * into the conversation the model reads.
 */

import type { ChatMessage } from '../protocol';
import { isObject, RequestError } from './request';

const MAX_MESSAGES = 100;

/**
 * The user and assistant text of the UI messages (their `text` parts; tool, file and data parts
 * are left out, as are system messages). The last message must be the user's.
 *
 * @throws {RequestError} naming the field at fault.
 */
export function parseUiChatRequest(body: unknown): ChatMessage[] {
  if (!isObject(body)) throw new RequestError('The body must be a JSON object with a "messages" array.', null);
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) throw new RequestError('"messages" must be a non-empty array.', 'messages');
  if (messages.length > MAX_MESSAGES) throw new RequestError(`At most ${MAX_MESSAGES} messages.`, 'messages');
  const conversation: ChatMessage[] = [];
  let lastRole = '';
  messages.forEach((message: unknown, index) => {
    const at = `messages[${index}]`;
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant' && message.role !== 'system')) {
      throw new RequestError(`${at}.role must be "user", "assistant" or "system".`, `${at}.role`);
    }
    if (!Array.isArray(message.parts)) throw new RequestError(`${at}.parts must be an array.`, `${at}.parts`);
    let text = '';
    message.parts.forEach((part: unknown, partIndex) => {
      if (!isObject(part) || typeof part.type !== 'string') throw new RequestError(`${at}.parts[${partIndex}] must have a type.`, `${at}.parts`);
      if (part.type !== 'text') return;
      if (typeof part.text !== 'string') throw new RequestError(`${at}.parts[${partIndex}].text must be a string.`, `${at}.parts`);
      text += part.text;
    });
    lastRole = message.role;
    if (message.role !== 'system') conversation.push({ role: message.role, content: text });
  });
  if (lastRole !== 'user') throw new RequestError('The last message must be from the user.', 'messages');
  return conversation;
}
