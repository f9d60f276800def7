import { abortableDelay, backoffDelay, parseRetryAfter } from './backoff';
import { EventStreamError, ParseError } from './errors';
import { createParser } from './parser';
import type { SseEvent } from './types';

/** Where a connection is, as shown to users. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the client is about to reconnect. */
export type ReconnectReason = 'network-error' | 'end-of-stream' | 'http-status' | 'liveness-timeout';

/** Told to {@link EventStreamOptions.onReconnect} before each wait. */
export interface ReconnectInfo {
  /** Reconnections since the last healthy connection, from 1. */
  attempt: number;
  /** How long the client waits before it tries again. */
  delayMs: number;
  reason: ReconnectReason;
  /** The error behind the reason, where there was one. */
  error?: unknown;
  /** Sent as `Last-Event-ID` on the next request. */
  lastEventId: string;
}

/** Options of {@link connectEventStream}. */
export interface EventStreamOptions {
  url: string | URL;
  /** Default GET. Non-GET requests are retried only when `resumable` is true. */
  method?: string;
  /**
   * Request headers, or a function called before every attempt, so that a token refreshed
   * between attempts is sent. `Accept` and `Last-Event-ID` are set by the client.
   */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /** Request body, sent again on every attempt. */
  body?: string;
  /** Aborting it ends everything: the request, the reading, and any wait. */
  signal?: AbortSignal;
  /** True when the server resumes this request from `Last-Event-ID`, so a POST may be sent again. */
  resumable?: boolean;
  /** False turns reconnection off entirely. Default true. */
  reconnect?: boolean;
  /** Base delay until the server sends `retry:`. Default 1000 ms. */
  retryMs?: number;
  /** Cap of any back-off delay. Default 30 s. */
  maxRetryMs?: number;
  /** Failed attempts in a row before giving up with `retries-exhausted`. Default unlimited. */
  maxRetries?: number;
  /**
   * With no bytes at all (events or heartbeat comments) for this long, the connection counts as
   * dead and is reopened. Set it to a few heartbeat intervals. Default 0: off.
   */
  livenessTimeoutMs?: number;
  /** The last event ID to start from, as after a page reload. */
  lastEventId?: string;
  /** Most characters of one pending event; see the parser's `maxBufferSize`. */
  maxBufferSize?: number;
  onOpen?: (response: Response) => void;
  onEvent: (event: SseEvent) => void;
  onRetry?: (ms: number) => void;
  onComment?: (text: string) => void;
  /** Every chunk of text as received, for inspecting the raw wire. */
  onChunk?: (text: string) => void;
  onReconnect?: (info: ReconnectInfo) => void;
  onStateChange?: (state: ConnectionState) => void;
  /** The `fetch` to use; default the global one. */
  fetch?: typeof fetch;
  /** A number in [0, 1) for jitter; default `Math.random`. */
  random?: () => number;
}

/** A running event stream from {@link connectEventStream}. */
export interface EventStreamHandle {
  /** Ends the stream for good (idempotent). `done` then resolves. */
  close(): void;
  /**
   * Settles when the client stops for good: resolves on `close()`, abort, 204, or an end of stream
   * with reconnection off; rejects with an {@link EventStreamError} on a failure it does not retry.
   */
  readonly done: Promise<void>;
  readonly lastEventId: string;
  readonly state: ConnectionState;
}

type Attempt =
  | { outcome: 'stop' }
  | { outcome: 'retry'; reason: ReconnectReason; error?: unknown; retryAfterMs?: number; healthy: boolean };

/**
 * Opens an event stream with `fetch()` and keeps it open: the WHATWG reconnection rules of
 * `EventSource`, plus what `EventSource` lacks: any method, headers and body, exponential back-off
 * with full jitter on top of the server's `retry:`, `Retry-After`, a liveness timeout, and a clear
 * error instead of a silent retry where retrying cannot help.
 *
 * - Reconnects after a network error, an end of stream, a 408, 429 or 5xx, or a liveness timeout,
 *   sending `Last-Event-ID`. The back-off resets after a connection that delivered an event.
 * - Stops quietly on 204; fails on any other 4xx, a non-`text/event-stream` type or no body.
 */
export function connectEventStream(options: EventStreamOptions): EventStreamHandle {
  const controller = new AbortController();
  const { signal } = controller;
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();

  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const random = options.random ?? Math.random;
  const method = (options.method ?? 'GET').toUpperCase();
  const mayRetry = (options.reconnect ?? true) && (method === 'GET' || options.resumable === true);
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;
  let retryMs = options.retryMs ?? 1000;
  let lastEventId = options.lastEventId ?? '';
  let state: ConnectionState = 'connecting';

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  }

  async function attempt(): Promise<Attempt> {
    // A per-attempt controller, so a liveness timeout can end this request without ending the client.
    const request = new AbortController();
    const endRequest = () => request.abort();
    signal.addEventListener('abort', endRequest, { once: true });
    let livenessTimer: ReturnType<typeof setTimeout> | undefined;
    let livenessExpired = false;
    let healthy = false;
    try {
      const headers = new Headers(typeof options.headers === 'function' ? await options.headers() : options.headers);
      headers.set('Accept', 'text/event-stream');
      // [spec] Let lastEventIDValue be the EventSource object's last event ID string, encoded as
      // UTF-8. Headers take byte strings, and one past U+00FF would make every attempt throw.
      if (lastEventId !== '') headers.set('Last-Event-ID', utf8ByteString(lastEventId));
      if (signal.aborted) return { outcome: 'stop' };

      const liveness = options.livenessTimeoutMs ?? 0;
      let lastActivity = Date.now();
      // One timer per attempt, re-armed only when it fires, not on every chunk. Armed before the
      // request, so a server that never answers at all counts as silent too.
      const watch = (delay: number) => {
        livenessTimer = setTimeout(() => {
          const idle = Date.now() - lastActivity;
          if (idle >= liveness) {
            livenessExpired = true;
            request.abort();
          } else {
            watch(liveness - idle);
          }
        }, delay);
      };
      if (liveness > 0) watch(liveness);

      const response = await fetchImpl(options.url, {
        method,
        headers,
        body: options.body,
        signal: request.signal,
        cache: 'no-store',
      });
      lastActivity = Date.now();

      // [spec] HTTP 204 No Content ... must cause the user agent to fail the connection: no retry.
      if (response.status === 204) {
        await response.body?.cancel();
        return { outcome: 'stop' };
      }
      // [spec] Any other HTTP response code than 200 ... must cause the user agent to fail the
      // connection. Beyond EventSource, 408, 429 and 5xx are worth another try.
      if (response.status !== 200) {
        const detail = await readErrorDetail(response);
        const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
        const error = new EventStreamError('http-status', `HTTP ${response.status}${detail}`, response.status);
        if (!retryable) throw error;
        const retryAfterMs =
          response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
        return { outcome: 'retry', reason: 'http-status', error, retryAfterMs, healthy };
      }
      const type = response.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\s*(;|$)/i.test(type.trim())) {
        await response.body?.cancel();
        throw new EventStreamError('content-type', `Expected text/event-stream, got "${type || 'no content type'}".`, response.status);
      }
      if (!response.body) throw new EventStreamError('no-body', 'The response has no body.', response.status);

      setState('open');
      options.onOpen?.(response);

      const parser = createParser({
        onEvent(event) {
          lastEventId = event.lastEventId;
          healthy = true;
          options.onEvent(event);
        },
        onRetry(ms) {
          retryMs = ms;
          options.onRetry?.(ms);
        },
        onComment: options.onComment,
        maxBufferSize: options.maxBufferSize,
      });

      const decoder = options.onChunk ? new TextDecoder() : undefined;
      const reader = response.body.getReader();
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          lastActivity = Date.now();
          if (decoder) options.onChunk!(decoder.decode(value, { stream: true }));
          parser.feed(value);
          if (signal.aborted) return { outcome: 'stop' };
        }
      } finally {
        reader.releaseLock();
      }
      return { outcome: 'retry', reason: 'end-of-stream', healthy };
    } catch (error) {
      if (signal.aborted) return { outcome: 'stop' };
      if (livenessExpired) return { outcome: 'retry', reason: 'liveness-timeout', healthy };
      if (error instanceof ParseError) throw new EventStreamError('parse', error.message, undefined, { cause: error });
      if (error instanceof EventStreamError) throw error;
      return { outcome: 'retry', reason: 'network-error', error, healthy };
    } finally {
      clearTimeout(livenessTimer);
      signal.removeEventListener('abort', endRequest);
      request.abort();
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    try {
      while (!signal.aborted) {
        const result = await attempt();
        if (result.outcome === 'stop' || signal.aborted) return;
        if (!mayRetry) {
          // Without reconnection an end of stream is the normal finish; anything else is a failure
          // that is not retried, so `done` must reject rather than look like success.
          if (result.reason === 'end-of-stream') return;
          if (result.error instanceof EventStreamError) throw result.error;
          throw new EventStreamError('retries-exhausted', 'Gave up at once: reconnection is off for this request.', undefined, {
            cause: result.error,
          });
        }
        failures = result.healthy ? 1 : failures + 1;
        if (failures > maxRetries) {
          throw new EventStreamError('retries-exhausted', `Gave up after ${maxRetries} failed reconnections.`, undefined, {
            cause: result.error,
          });
        }
        const delayMs =
          result.retryAfterMs ?? backoffDelay({ baseMs: retryMs, capMs: maxRetryMs, failures: failures - 1, random });
        setState('reconnecting');
        options.onReconnect?.({ attempt: failures, delayMs, reason: result.reason, error: result.error, lastEventId });
        await abortableDelay(delayMs, signal);
        if (!signal.aborted) setState('connecting');
      }
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      controller.abort();
      setState('closed');
    }
  }

  const done = run();
  // Callers that only use close() must not see an unhandled rejection.
  done.catch(() => {});
  return {
    close: () => controller.abort(),
    done,
    get lastEventId() {
      return lastEventId;
    },
    get state() {
      return state;
    },
  };
}

async function readErrorDetail(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 500);
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? `: ${parsed.error.message}` : '';
  } catch {
    return '';
  }
}

// One character per UTF-8 byte, the form in which `Headers` carries bytes beyond ASCII.
function utf8ByteString(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}
