'use client';

import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { SseEvent } from '@/lib/sse/types';

/** Where a browser `EventSource` is, as the hooks report it. */
export type SourceState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'error';

/** Options of {@link useEventSource}. */
export interface UseEventSourceOptions {
  /** Named event types to listen for besides `message` (`addEventListener` for each). */
  eventTypes?: readonly string[];
  /** Send cookies cross-origin. */
  withCredentials?: boolean;
  /** Open as soon as the component mounts. Default true. */
  autoConnect?: boolean;
  onEvent?: (event: SseEvent) => void;
  /** Each `error` event, with whether the browser is retrying by itself. */
  onError?: (info: { reconnecting: boolean }) => void;
  onOpen?: () => void;
}

/** What {@link useEventSource} returns. */
export interface UseEventSourceResult {
  state: SourceState;
  lastEventId: string;
  /** How many times the browser reconnected by itself. */
  reconnects: number;
  open: () => void;
  close: () => void;
}

/**
 * The browser's `EventSource` as a hook: GET only, no custom headers, the browser's own parsing
 * and reconnection. Closes on unmount and when `url` changes.
 */
export function useEventSource(url: string | null, options: UseEventSourceOptions = {}): UseEventSourceResult {
  const [lastEventId, setLastEventId] = useState('');
  const sourceRef = useRef<EventSource>(undefined);
  // Bumped by open(): a new value makes the effect open a new EventSource; 0 means closed.
  const [session, setSession] = useState(options.autoConnect === false ? 0 : 1);
  // What the current EventSource reported. Tagged with its session, so a new session starts
  // from 'connecting' without the effect having to reset state.
  const [status, setStatus] = useState({ session: -1, state: 'idle' as SourceState, reconnects: 0 });
  const typesKey = (options.eventTypes ?? []).join('\n');
  const withCredentials = options.withCredentials ?? false;

  const handleEvent = useEffectEvent((event: MessageEvent<string>) => {
    setLastEventId(event.lastEventId);
    options.onEvent?.({ type: event.type, data: event.data, lastEventId: event.lastEventId });
  });
  const handleError = useEffectEvent((reconnecting: boolean) => options.onError?.({ reconnecting }));
  const handleOpen = useEffectEvent(() => options.onOpen?.());

  useEffect(() => {
    if (!url || session === 0) return;
    const source = new EventSource(url, { withCredentials });
    sourceRef.current = source;
    const types = ['message', ...(typesKey ? typesKey.split('\n') : [])];
    // A server event named `error` and the connection's own `error` share one listener name; only
    // MessageEvents carry data from the server.
    const listener = (event: Event) => {
      if (event instanceof MessageEvent) handleEvent(event as MessageEvent<string>);
    };
    for (const type of types) source.addEventListener(type, listener);
    let opens = 0;
    source.onopen = () => {
      opens++;
      setStatus({ session, state: 'open', reconnects: opens - 1 });
      handleOpen();
    };
    source.onerror = (event) => {
      // A server event named `error` also reaches onerror (it is the handler for every event of
      // that type); only a plain Event is the connection's own error.
      if (event instanceof MessageEvent) return;
      // [spec] CONNECTING after an error means the browser will reconnect on its own; CLOSED
      // means it failed the connection (non-200, wrong type, 204) and gave up.
      const reconnecting = source.readyState === EventSource.CONNECTING;
      setStatus({ session, state: reconnecting ? 'reconnecting' : 'error', reconnects: Math.max(0, opens - 1) });
      handleError(reconnecting);
    };
    return () => {
      source.close();
      if (sourceRef.current === source) sourceRef.current = undefined;
    };
  }, [url, session, typesKey, withCredentials]);

  const open = useCallback(() => setSession((current) => Math.max(current, status.session) + 1), [status.session]);
  // Closes at once, not when React gets to the effect's cleanup, so the browser cannot start a
  // reconnect in between (after a final event, say).
  const close = useCallback(() => {
    sourceRef.current?.close();
    setSession(0);
  }, []);

  let state: SourceState = 'idle';
  if (url && session === 0) state = status.state === 'error' ? 'error' : status.session === -1 ? 'idle' : 'closed';
  else if (url) state = status.session === session ? status.state : 'connecting';
  return { state, lastEventId, reconnects: status.reconnects, open, close };
}
