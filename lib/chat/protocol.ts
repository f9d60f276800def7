/**
 * The chat stream's wire protocol, shared by the route, the run log, the model, the hooks, the
 * pages, the CLI and the tests: event names, each event's data, the id format and a typed decoder.
 * Nothing else spells a chat event name.
 */

import { decodeJsonObject, isJsonObject, type JsonObject } from '../json-data';

/** Who wrote a message. */
export type ChatRole = 'user' | 'assistant';

/** One turn of the conversation. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A validated chat request: what a generation needs. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Mean pause before each token, 0 to 1000 ms. */
  delayMs: number;
  /** Picks the phrasing and the jitter, an unsigned 32-bit integer. */
  seed: number;
}

/** What the model is busy with, shown before the first token. */
export type ChatStage = 'thinking' | 'searching' | 'generating';

/** Why an answer ended: `stop` (complete), `length` (token cap), `abort` (the user's Stop). */
export type FinishReason = 'stop' | 'length' | 'abort';

/** Token counts of one answer. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * A tool call: its input as it is written (`input-streaming`, one piece of the input's JSON text
 * per event; the pieces joined are the input's JSON), announced whole (`call`) and answered
 * (`result`). A client shows the input filling in by parsing the text so far as partial JSON.
 */
export type ToolEventData =
  | { id: string; name: string; state: 'input-streaming'; inputTextDelta: string }
  | { id: string; name: string; state: 'call'; input: Record<string, unknown> }
  | { id: string; name: string; state: 'result'; output: Record<string, unknown> };

/** The data of each chat event, by event name. */
export interface ChatEventMap {
  status: { stage: ChatStage };
  tool: ToolEventData;
  token: { text: string };
  done: { finishReason: FinishReason; usage: ChatUsage };
  /** `code`: one of {@link CHAT_ERROR_CODES}. */
  error: { code: string; message: string };
  /** Sent after a replay: what the resume did, under the id of the last event replayed. */
  resumed: { after: string; replayed: number };
}

/**
 * The codes of a stream's `error` event: the log outgrew its limit, the generation failed, or the
 * instance producing it died and it was not taken over (`CHAT_TAKEOVER=0`, with Redis).
 */
export const CHAT_ERROR_CODES = ['too_large', 'internal', 'producer_lost'] as const;

/** A chat event name. */
export type ChatEventType = keyof ChatEventMap;

/** Every chat event name, for `EventSource.addEventListener` and for counting. */
export const CHAT_EVENT_TYPES = ['status', 'tool', 'token', 'done', 'error', 'resumed'] as const satisfies readonly ChatEventType[];

/** A decoded chat event. */
export type ChatEvent = { [K in ChatEventType]: { type: K; data: ChatEventMap[K] } }[ChatEventType];

/** The events the model produces (everything but `resumed`, which the run log adds). */
export type ModelEventType = Exclude<ChatEventType, 'resumed'>;

/** One step of a generated answer: send `data` as event `type` after waiting `delayMs`. */
export type ChatStep = { [K in ModelEventType]: { type: K; data: ChatEventMap[K]; delayMs: number } }[ModelEventType];

/** Events after which the stream ends. */
export function isTerminal(type: string): boolean {
  return type === 'done' || type === 'error';
}

// ---------------------------------------------------------------------------------------------
// Ids: every chat event's id is `<streamId>:<seq>`, seq counting from 1 within the stream.

/** Where a client left off: the `<streamId>:<seq>` of its last event. */
export interface ChatCursor {
  streamId: string;
  seq: number;
}

const STREAM_ID_SOURCE = '[A-Za-z0-9_-]{1,64}';
/** A chat stream id, as it may appear in a URL or an event id. */
export const STREAM_ID = new RegExp(`^${STREAM_ID_SOURCE}$`);
const CURSOR = new RegExp(`^(${STREAM_ID_SOURCE}):(\\d{1,9})$`);

/** The id of event `seq` of stream `streamId`. */
export function formatEventId(streamId: string, seq: number): string {
  return `${streamId}:${seq}`;
}

/** Reads a `<streamId>:<seq>` event id; undefined when it is not one. */
export function parseEventId(id: string): ChatCursor | undefined {
  const match = CURSOR.exec(id);
  return match ? { streamId: match[1]!, seq: Number(match[2]) } : undefined;
}

/** The stream id of a chat event id `<streamId>:<seq>`. */
export function streamIdOf(lastEventId: string): string | undefined {
  return parseEventId(lastEventId)?.streamId;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const STAGES: readonly string[] = ['thinking', 'searching', 'generating'] satisfies ChatStage[];
const FINISH_REASONS: readonly string[] = ['stop', 'length', 'abort'] satisfies FinishReason[];

function isUsage(value: unknown): value is ChatUsage {
  return isJsonObject(value) && Number.isInteger(value.promptTokens) && Number.isInteger(value.completionTokens);
}

function isTool(value: JsonObject): value is ToolEventData {
  if (typeof value.id !== 'string' || typeof value.name !== 'string') return false;
  return (
    (value.state === 'input-streaming' && typeof value.inputTextDelta === 'string') ||
    (value.state === 'call' && isJsonObject(value.input)) ||
    (value.state === 'result' && isJsonObject(value.output))
  );
}

const CHECKS: { [K in ChatEventType]: (data: JsonObject) => boolean } = {
  status: (data) => typeof data.stage === 'string' && STAGES.includes(data.stage),
  tool: isTool,
  token: (data) => typeof data.text === 'string',
  done: (data) => typeof data.finishReason === 'string' && FINISH_REASONS.includes(data.finishReason) && isUsage(data.usage),
  error: (data) => typeof data.code === 'string' && typeof data.message === 'string',
  resumed: (data) => typeof data.after === 'string' && Number.isInteger(data.replayed),
};

/**
 * Decodes one received event (its type and its `data` text) into a typed chat event; undefined
 * for an unknown type, data that is not JSON, or JSON of the wrong shape.
 */
export function decodeChatEvent(type: string, data: string): ChatEvent | undefined {
  if (!Object.hasOwn(CHECKS, type)) return undefined;
  const value = decodeJsonObject(data, CHECKS[type as ChatEventType]);
  return value && ({ type, data: value } as ChatEvent);
}
