// What a chat column needs from a transport, framework-free (the shape of the AI SDK's
// `ChatTransport`): open a stream for a question, reattach to one after a reload, stop. The React
// binding (use-chat.ts) holds state; a transport holds only its connection.

import type { ChatMessage } from '@/lib/chat/protocol';
import type { SseEvent } from '@/lib/sse/types';

/** One question as both columns receive it. */
export interface Ask {
  prompt: string;
  seed: number;
  delayMs: number;
}

/** A question to open a stream for: the ask, the conversation before it, and the turn's key. */
export interface OpenRequest {
  ask: Ask;
  history: ChatMessage[];
  /** Makes every question a new request, so asking the same thing twice opens a new stream. */
  turn: number;
}

/** What a column keeps across a reload to pick up the answer in flight. */
export interface InFlight {
  prompt: string;
  seed: number;
  streamId: string;
}

/**
 * Where a column's connection is. Besides the hooks' states: `finished`, the server has nothing
 * (more) of the stream (204: it ended or expired); `lost`, the server lost it in a restart (410).
 */
export type TransportState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'error' | 'finished' | 'lost';

/** A transport's connection as shown in its column. */
export interface TransportStatus {
  state: TransportState;
  /** Reconnections of the current stream. */
  reconnects: number;
  /** The wait before the latest reconnect, as the transport knows it. */
  backoff: string;
}

/** How a stream ended when no final event (`done`, `error`) ended it. */
export type StreamEnd = { kind: 'finished' } | { kind: 'lost' } | { kind: 'failed'; message: string };

/** Told everything a transport's stream does. */
export interface TransportListener {
  onEvent(event: SseEvent): void;
  onStatus(status: TransportStatus): void;
  /** Once, when the stream ends without a final event and without `stop()`. */
  onEnd(end: StreamEnd): void;
}

/** One column's way to the server. After a final event it closes by itself. */
export interface ChatTransport {
  /** Names this transport's connections for fault injection's "drop connection". */
  readonly tag: string;
  /** Headers that authenticate this transport's other API calls (Stop, drop). */
  headers(): Record<string, string>;
  /** Opens a stream for a question, closing any open one. */
  open(request: OpenRequest): void;
  /** Reattaches to a stream from its first event, as after a page reload. */
  reattach(inFlight: InFlight): void;
  /** Closes the connection (the server's generation goes on; Stop also cancels it). */
  stop(): void;
}

/** Makes a column's transport, telling `listener` what its streams do. */
export type TransportFactory = (listener: TransportListener) => ChatTransport;
