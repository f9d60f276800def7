'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { dropConnection, newClientTag } from '@/components/fault-injection';
import { useEventSource } from '@/hooks/use-event-source';
import { useEventStream, type EventStreamRequest } from '@/hooks/use-event-stream';
import type { SseEvent } from '@/lib/sse/types';
import { CHAT_EVENT_TYPES, streamIdOf } from '@/lib/chat/protocol';
import { cancelStream, useChatSession } from './use-chat-session';

/** One question as both columns receive it. */
export interface Ask {
  prompt: string;
  seed: number;
  delayMs: number;
}

type Message = { role: 'user' | 'assistant'; content: string };

/** What a chat column shows and can do, whichever transport is behind it. */
export interface TransportChat {
  session: ReturnType<typeof useChatSession>;
  /** `backoff` is the wait before the latest reconnect, as the transport knows it. */
  transport: { state: string; lastEventId: string; reconnects: number; backoff: string };
  ask: (ask: Ask) => void;
  regenerate: (ask: Ask) => void;
  stop: () => void;
  clear: () => void;
  drop: () => void;
}

/** What a column keeps in sessionStorage while an answer streams, to pick it up after a reload. */
interface InFlight {
  prompt: string;
  seed: number;
  streamId?: string;
}

function storageKey(column: string): string {
  return `sse-lab:chat:${column}`;
}

function readInFlight(column: string): InFlight | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(storageKey(column)) ?? 'null') as InFlight | null;
    return value && typeof value.prompt === 'string' && typeof value.streamId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeInFlight(column: string, value: InFlight | undefined): void {
  try {
    if (value) sessionStorage.setItem(storageKey(column), JSON.stringify(value));
    else sessionStorage.removeItem(storageKey(column));
  } catch {
    // Storage can be full or off (private mode); reload-resume is a nicety.
  }
}

function isFinal(event: SseEvent): boolean {
  return event.type === 'done' || event.type === 'error';
}

/**
 * Shared by both transports: remembers the answer in flight (prompt, seed, stream id) so that a
 * reload reattaches to it through `GET /api/chat/<streamId>`, and forgets it once it ends.
 */
function useInFlight(column: string, session: ReturnType<typeof useChatSession>) {
  const track = useCallback(
    (event: SseEvent) => {
      const stored = readInFlight(column) ?? undefined;
      if (isFinal(event)) writeInFlight(column, undefined);
      else if (!stored?.streamId && session.current) {
        const streamId = streamIdOf(event.lastEventId);
        if (streamId) writeInFlight(column, { prompt: session.current.prompt, seed: session.current.seed, streamId });
      }
    },
    [column, session],
  );
  return {
    track,
    begin: (ask: Ask) => writeInFlight(column, { prompt: ask.prompt, seed: ask.seed }),
    end: () => writeInFlight(column, undefined),
  };
}

/** Runs `resume` once per page with the answer that was streaming before a reload, if any. */
function useRestoreInFlight(column: string, resume: (stored: InFlight & { streamId: string }) => void): void {
  const restored = useRef(false);
  useEffect(() => {
    // Once per page: StrictMode runs mount effects twice in development. sessionStorage exists
    // only in the browser, so this cannot happen during render.
    if (restored.current) return;
    restored.current = true;
    const stored = readInFlight(column);
    if (stored?.streamId) resume({ ...stored, streamId: stored.streamId });
    // Once, on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}

type Start = (ask: Ask, earlier: Message[], replace: boolean) => void;

/** What a user can do in a column, the same over either transport. */
function actions({
  session,
  inFlight,
  start,
  close,
  tag,
  headers,
}: {
  session: ReturnType<typeof useChatSession>;
  inFlight: ReturnType<typeof useInFlight>;
  start: Start;
  close: () => void;
  tag: string;
  headers?: Record<string, string>;
}): Omit<TransportChat, 'session' | 'transport'> {
  return {
    ask: (ask) => start(ask, session.history, false),
    regenerate: (ask) => start(ask, session.historyBeforeLast, true),
    stop: () => {
      close();
      session.stop();
      inFlight.end();
      cancelStream(session.current?.streamId, headers);
    },
    clear: () => {
      close();
      session.clear();
    },
    drop: () => void dropConnection(tag, headers).catch((error: Error) => session.fail(error.message)),
  };
}

/** The chat over the browser's `EventSource`: GET with the question in the URL, cookies only. */
export function useEventSourceChat(): TransportChat {
  const session = useChatSession();
  const inFlight = useInFlight('es', session);
  const [tag] = useState(() => newClientTag('es-chat'));
  const [url, setUrl] = useState<string | null>(null);
  const unloading = useRef(false);
  useEffect(() => {
    const mark = () => {
      unloading.current = true;
    };
    window.addEventListener('beforeunload', mark);
    window.addEventListener('pagehide', mark);
    return () => {
      window.removeEventListener('beforeunload', mark);
      window.removeEventListener('pagehide', mark);
    };
  }, []);
  const source = useEventSource(url, {
    autoConnect: false,
    eventTypes: CHAT_EVENT_TYPES,
    onEvent: (event) => {
      session.onEvent(event);
      inFlight.track(event);
      // The server ends the stream after `done`; without close() the browser would reconnect.
      if (isFinal(event)) source.close();
    },
    onError: ({ reconnecting }) => {
      // Leaving the page also fails the connection; the answer must stay resumable then.
      if (reconnecting || unloading.current) return;
      inFlight.end();
      session.fail('The connection failed and EventSource gave up (the stream may have expired).');
    },
  });

  const start = useCallback(
    ({ prompt, seed, delayMs }: Ask, earlier: Message[], replace: boolean) => {
      const key = session.begin(prompt, seed, replace);
      inFlight.begin({ prompt, seed, delayMs });
      const params = new URLSearchParams({ prompt, seed: String(seed), delayMs: String(delayMs), client: tag });
      if (earlier.length > 0) params.set('history', JSON.stringify(earlier));
      // `turn` makes every question a new URL, so asking the same thing twice opens a new stream.
      params.set('turn', String(key));
      setUrl(`/api/chat?${params}`);
      source.open();
    },
    [session, source, tag, inFlight],
  );

  // After a reload, pick up the answer that was streaming.
  useRestoreInFlight('es', (stored) => {
    session.begin(stored.prompt, stored.seed, false);
    setUrl(`/api/chat/${encodeURIComponent(stored.streamId)}?client=${tag}`);
    source.open();
  });

  return {
    session,
    // EventSource waits the server's retry: (1000 ms here) and does not tell; no back-off growth.
    transport: { state: source.state, lastEventId: source.lastEventId, reconnects: source.reconnects, backoff: 'retry: 1000 ms' },
    ...actions({ session, inFlight, start, close: source.close, tag }),
  };
}

/** The chat over `fetch()`: POST with a JSON body and an `Authorization` header, our own reconnect. */
export function useFetchChat(token: string): TransportChat {
  const session = useChatSession();
  const inFlight = useInFlight('fetch', session);
  const [tag] = useState(() => newClientTag('fetch-chat'));
  const [request, setRequest] = useState<EventStreamRequest | null>(null);
  const [backoff, setBackoff] = useState('—');
  const authorization = useMemo(() => (token ? { Authorization: `Bearer ${token}` } : undefined), [token]);
  // Requests read the token when they are sent, so a reconnect carries the newest one.
  const latestAuthorization = useRef(authorization);
  useEffect(() => {
    latestAuthorization.current = authorization;
  }, [authorization]);
  const stream = useEventStream(request, {
    // The server resumes a chat from Last-Event-ID, so re-sending the POST is safe.
    resumable: true,
    onReconnect: (info) => setBackoff(`${info.delayMs} ms (${info.reason})`),
    onEvent: (event) => {
      session.onEvent(event);
      inFlight.track(event);
      if (isFinal(event)) stream.close();
    },
    onDone: (error) => {
      if (!session.current) return;
      inFlight.end();
      // A 204 ends the client quietly: the server has nothing (more) of this stream.
      session.fail(error?.message ?? 'The server has no more of this stream (it ended or expired).');
    },
  });

  const start = useCallback(
    ({ prompt, seed, delayMs }: Ask, earlier: Message[], replace: boolean) => {
      const key = session.begin(prompt, seed, replace);
      inFlight.begin({ prompt, seed, delayMs });
      setRequest({
        url: `/api/chat?client=${tag}`,
        method: 'POST',
        key,
        body: JSON.stringify({ messages: [...earlier, { role: 'user', content: prompt }], options: { delayMs, seed } }),
        headers: () => ({ 'Content-Type': 'application/json', ...latestAuthorization.current }),
      });
      stream.open();
    },
    [session, stream, tag, inFlight],
  );

  useRestoreInFlight('fetch', (stored) => {
    const key = session.begin(stored.prompt, stored.seed, false);
    setRequest({ url: `/api/chat/${encodeURIComponent(stored.streamId)}?client=${tag}`, key, headers: () => ({ ...latestAuthorization.current }) });
    stream.open();
  });

  return {
    session,
    transport: { state: stream.state, lastEventId: stream.lastEventId, reconnects: stream.reconnects, backoff },
    ...actions({ session, inFlight, start, close: stream.close, tag, headers: authorization }),
  };
}
