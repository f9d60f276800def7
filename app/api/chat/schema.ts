import { ApiError } from '@/lib/http/errors';
import { DEFAULT_DELAY_MS } from '@/lib/chat/simulate';
import { parseEventId, type ChatCursor, type ChatMessage, type ChatRequest } from '@/lib/chat/protocol';

/** The most a POST body may be. */
export const MAX_BODY_BYTES = 32 * 1024;
/** The most a GET prompt may be, in characters: URLs must stay well under proxies' limits. */
export const MAX_PROMPT_LENGTH = 4000;
/** The most the GET `history` parameter may be, in characters. */
export const MAX_HISTORY_LENGTH = 16_000;
const MAX_SEED = 0xffff_ffff;
const MAX_MESSAGES = 100;

function invalid(message: string): ApiError {
  return new ApiError('invalid_parameter', message);
}

function checkInteger(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

// Query values arrive as strings: only plain decimal digits count ("1e3", " 5", "0x10" do not).
function queryInteger(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  return checkInteger(name, Number(raw), min, max);
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

function checkMessages(messages: unknown[], name: string): ChatMessage[] {
  if (messages.length > MAX_MESSAGES) throw new ApiError('bad_request', `At most ${MAX_MESSAGES} messages.`);
  return messages.map((message: unknown, index): ChatMessage => {
    const { role, content } = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    if (role !== 'user' && role !== 'assistant') {
      throw new ApiError('bad_request', `${name}[${index}].role must be "user" or "assistant".`);
    }
    if (typeof content !== 'string') throw new ApiError('bad_request', `${name}[${index}].content must be a string.`);
    return { role, content };
  });
}

/** Validates a POST body: `{ messages: [{ role, content }], options?: { delayMs?, seed? } }`. */
export function parseChatBody(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('bad_request', 'The body must be a JSON object with a "messages" array.');
  }
  const { messages, options } = body as { messages?: unknown; options?: unknown };
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ApiError('bad_request', '"messages" must be a non-empty array.');
  }
  const checked = checkMessages(messages, 'messages');
  if (checked.at(-1)!.role !== 'user') throw new ApiError('bad_request', 'The last message must be from the user.');

  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ApiError('bad_request', '"options" must be an object.');
  }
  const { delayMs, seed } = (options ?? {}) as Record<string, unknown>;
  return {
    messages: checked,
    delayMs: checkInteger('options.delayMs', delayMs, 0, 1000) ?? DEFAULT_DELAY_MS,
    seed: checkInteger('options.seed', seed, 0, MAX_SEED) ?? randomSeed(),
  };
}

/**
 * Validates a GET query: `?prompt=...&delayMs=...&seed=...`, with earlier turns as an optional
 * `history` JSON array (EventSource can only send GET, so the conversation rides in the URL).
 */
export function parseChatQuery(params: URLSearchParams): ChatRequest {
  const prompt = params.get('prompt');
  if (prompt === null || prompt.trim() === '') throw new ApiError('bad_request', 'The "prompt" query parameter is required.');
  if (prompt.length > MAX_PROMPT_LENGTH) throw invalid(`prompt must be at most ${MAX_PROMPT_LENGTH} characters.`);
  const rawHistory = params.get('history');
  let history: ChatMessage[] = [];
  if (rawHistory !== null) {
    if (rawHistory.length > MAX_HISTORY_LENGTH) throw invalid(`history must be at most ${MAX_HISTORY_LENGTH} characters.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHistory);
    } catch {
      throw invalid('history must be a JSON array of { role, content } messages.');
    }
    if (!Array.isArray(parsed)) throw invalid('history must be a JSON array of { role, content } messages.');
    history = checkMessages(parsed, 'history');
  }
  return {
    messages: [...history, { role: 'user', content: prompt }],
    delayMs: queryInteger(params, 'delayMs', 0, 1000) ?? DEFAULT_DELAY_MS,
    seed: queryInteger(params, 'seed', 0, MAX_SEED) ?? randomSeed(),
  };
}


/** Reads `Last-Event-ID` (header, or `lastEventId` query parameter); undefined when absent or empty. */
export function parseCursor(request: Request, params: URLSearchParams): ChatCursor | undefined {
  const raw = request.headers.get('last-event-id') ?? params.get('lastEventId');
  if (raw === null || raw === '') return undefined;
  const cursor = parseEventId(raw);
  if (!cursor) throw invalid('Last-Event-ID must look like "<streamId>:<seq>".');
  return cursor;
}
