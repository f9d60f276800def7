'use client';

import { useEffect, useRef, useState } from 'react';
import { bearer, cancelChat, dropConnection } from '@/lib/client/api';
import type { Ask, StreamEnd, TransportFactory, TransportStatus } from './chat-transport';
import { createEventSourceTransport } from './event-source-transport';
import { createFetchTransport } from './fetch-transport';
import { readInFlight, writeInFlight } from './in-flight';
import { useChatSession } from './use-chat-session';

/** What a chat column shows and can do, whichever transport is behind it. */
export interface ChatColumnModel {
  session: ReturnType<typeof useChatSession>;
  transport: TransportStatus & { lastEventId: string };
  ask: (ask: Ask) => void;
  regenerate: (ask: Ask) => void;
  stop: () => void;
  clear: () => void;
  drop: () => void;
}

const END_MESSAGES: Record<StreamEnd['kind'], string> = {
  finished: 'Finished: the server has no more of this answer (it ended or expired before this column got it).',
  lost: 'Lost: the server lost this answer in a restart; ask again.',
  failed: '',
};

/**
 * Binds a column's transport to React: the conversation state (token text batched a frame at a
 * time), the connection's status, the user's actions, and the answer in flight kept in
 * sessionStorage so that a reload reattaches to it.
 */
export function useChat(column: string, createTransport: TransportFactory): ChatColumnModel {
  const session = useChatSession();
  const { onEvent, fail, begin } = session;
  const [status, setStatus] = useState<TransportStatus>({ state: 'idle', reconnects: 0, backoff: '—' });
  const [transport] = useState(() =>
    createTransport({
      onEvent,
      onStatus: setStatus,
      onEnd: (end) => fail(end.kind === 'failed' ? end.message : END_MESSAGES[end.kind]),
    }),
  );

  // After a reload, reattach to the answer that was streaming. The stored answer outlives the
  // cleanup (only its end forgets it), so StrictMode's second mount reattaches too, without a
  // second turn.
  const restored = useRef(false);
  useEffect(() => {
    const stored = readInFlight(column);
    if (stored) {
      if (!restored.current) begin(stored.prompt, stored.seed, false);
      restored.current = true;
      transport.reattach(stored);
    }
    return () => transport.stop();
  }, [column, transport, begin]);

  // Remember the answer in flight once its stream id is known; forget it when it ends.
  const current = session.current;
  const live = current !== undefined;
  const { streamId, prompt, seed } = current ?? {};
  const wasLive = useRef(false);
  useEffect(() => {
    if (live) {
      wasLive.current = true;
      if (streamId && prompt !== undefined && seed !== undefined) writeInFlight(column, { prompt, seed, streamId });
    } else if (wasLive.current) {
      wasLive.current = false;
      writeInFlight(column, undefined);
    }
  }, [column, live, streamId, prompt, seed]);

  return {
    session,
    transport: { ...status, lastEventId: session.state.turns.at(-1)?.lastEventId ?? '' },
    ask: (ask) => transport.open({ ask, history: session.history, turn: begin(ask.prompt, ask.seed, false) }),
    regenerate: (ask) => transport.open({ ask, history: session.historyBeforeLast, turn: begin(ask.prompt, ask.seed, true) }),
    stop: () => {
      const stopped = current?.streamId;
      transport.stop();
      session.stop();
      cancelChat(stopped, transport.headers());
    },
    clear: () => {
      transport.stop();
      session.clear();
    },
    drop: () => void dropConnection(transport.tag, transport.headers()).catch((error: Error) => fail(error.message)),
  };
}

/** The chat over the browser's `EventSource`. */
export function useEventSourceChat(): ChatColumnModel {
  return useChat('es', createEventSourceTransport);
}

/** The chat over `fetch()`, authenticated with `token` as a bearer token. */
export function useFetchChat(token: string): ChatColumnModel {
  // Requests read the token when they are sent, so a reconnect carries the newest one.
  const latestToken = useRef(token);
  useEffect(() => {
    latestToken.current = token;
  }, [token]);
  return useChat('fetch', (listener) => createFetchTransport(listener, { authorization: () => bearer(latestToken.current) }));
}
