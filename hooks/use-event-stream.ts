'use client';

import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import { connectEventStream, type EventStreamOptions, type ReconnectInfo } from '@/lib/sse/client';
import { EventStreamError } from '@/lib/sse/errors';
import type { SseEvent } from '@/lib/sse/types';
import type { SourceState } from './use-event-source';

/** One request for {@link useEventStream}; a new `key` (or url, method, body) opens a new stream. */
export interface EventStreamRequest {
  url: string;
  method?: string;
  body?: string;
  /** Headers, or a function called before every attempt (fresh tokens). */
  headers?: EventStreamOptions['headers'];
  /** Distinguishes two requests that are otherwise equal, such as "regenerate". */
  key?: string | number;
}

/** Options of {@link useEventStream}: the fetch client's, less what the request carries. */
export interface UseEventStreamOptions
  extends Pick<
    EventStreamOptions,
    'resumable' | 'reconnect' | 'maxRetryMs' | 'maxRetries' | 'livenessTimeoutMs' | 'lastEventId' | 'retryMs'
  > {
  onEvent?: (event: SseEvent) => void;
  onChunk?: (text: string) => void;
  onReconnect?: (info: ReconnectInfo) => void;
  onOpen?: (response: Response) => void;
  /** Called once when the stream ends for good, with the error if it failed. */
  onDone?: (error?: EventStreamError | Error) => void;
}

/** What {@link useEventStream} returns. */
export interface UseEventStreamResult {
  state: SourceState;
  lastEventId: string;
  error: Error | undefined;
  /** Reconnections since the stream opened. */
  reconnects: number;
  /** Opens the current request again (after close, or to retry after an error). */
  open: () => void;
  /** Aborts the request: the fetch, the reading and any back-off wait. */
  close: () => void;
}

/**
 * `fetch()` + SSE Lab's parser and reconnecting client as a hook: any method, headers and body,
 * back-off with jitter, `Last-Event-ID` resume and liveness checks. Aborts on unmount.
 */
export function useEventStream(request: EventStreamRequest | null, options: UseEventStreamOptions = {}): UseEventStreamResult {
  const [lastEventId, setLastEventId] = useState(options.lastEventId ?? '');
  // Bumped by open(); 0 means closed by the user.
  const [session, setSession] = useState(1);
  const handleRef = useRef<ReturnType<typeof connectEventStream>>(undefined);

  const url = request?.url;
  const method = request?.method;
  const body = request?.body;
  const key = request?.key;
  // Which connection the reported status belongs to: a new request or session starts afresh
  // ('connecting', no error, no reconnects) without the effect having to reset state.
  const identity = url && session > 0 ? `${session}\n${method}\n${url}\n${key}\n${body}` : null;
  const [status, setStatus] = useState<{ identity: string | null; state: SourceState; error?: Error; reconnects: number }>({
    identity: null,
    state: 'idle',
    reconnects: 0,
  });
  const { resumable, reconnect, maxRetryMs, maxRetries, livenessTimeoutMs, retryMs } = options;

  const onEvent = useEffectEvent((event: SseEvent) => {
    setLastEventId(event.lastEventId);
    options.onEvent?.(event);
  });
  const onChunk = useEffectEvent((text: string) => options.onChunk?.(text));
  const onOpen = useEffectEvent((response: Response) => options.onOpen?.(response));
  const onReconnect = useEffectEvent((info: ReconnectInfo) => options.onReconnect?.(info));
  const onDone = useEffectEvent((failure?: Error) => options.onDone?.(failure));
  const readHeaders = useEffectEvent(() => request?.headers);
  const readLastEventId = useEffectEvent(() => options.lastEventId);

  useEffect(() => {
    if (!identity || !url) return;
    let reconnectCount = 0;
    // False once this connection is closed: nothing it reports after that may touch the state.
    let active = true;
    const report = (state: SourceState, error?: Error) => {
      if (active) setStatus({ identity, state, error, reconnects: reconnectCount });
    };
    const handle = connectEventStream({
      url,
      method,
      body,
      // Read on every attempt, so the newest headers (a refreshed token) are sent.
      headers: async () => {
        const headers = readHeaders();
        return (typeof headers === 'function' ? await headers() : headers) ?? {};
      },
      resumable,
      reconnect,
      maxRetryMs,
      maxRetries,
      livenessTimeoutMs,
      retryMs,
      lastEventId: readLastEventId(),
      onEvent,
      onChunk,
      onOpen,
      onReconnect: (info) => {
        if (!active) return;
        reconnectCount++;
        onReconnect(info);
      },
      onStateChange: (next) => report(next),
    });
    handleRef.current = handle;
    handle.done.then(
      () => {
        if (active) onDone();
      },
      (failure: Error) => {
        if (!active) return;
        report('error', failure);
        onDone(failure);
      },
    );
    return () => {
      active = false;
      handle.close();
      if (handleRef.current === handle) handleRef.current = undefined;
    };
    // identity covers url, method, body, key and session.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [identity, resumable, reconnect, maxRetryMs, maxRetries, livenessTimeoutMs, retryMs]);

  const [opened, setOpened] = useState(1);
  const open = useCallback(() => {
    setSession(opened + 1);
    setOpened(opened + 1);
  }, [opened]);
  // Closes at once, not when React gets to the effect's cleanup: a stream that ends meanwhile
  // (the server closing after `done`) must not be taken for a drop and reconnected.
  const close = useCallback(() => {
    handleRef.current?.close();
    setSession(0);
  }, []);

  const current = status.identity === identity;
  let state: SourceState = 'idle';
  if (identity) state = current ? status.state : 'connecting';
  else if (url && status.identity) state = status.state === 'error' ? 'error' : 'closed';
  return {
    state,
    lastEventId,
    error: current || !identity ? status.error : undefined,
    // After close() the last connection's count stays on show.
    reconnects: current || !identity ? status.reconnects : 0,
    open,
    close,
  };
}
