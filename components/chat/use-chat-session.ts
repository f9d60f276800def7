'use client';

import { useCallback, useEffect, useReducer, useRef } from 'react';
import { decodeChatEvent } from '@/lib/chat/protocol';
import type { SseEvent } from '@/lib/sse/types';
import { chatReducer, currentTurn, history, INITIAL_CHAT } from './chat-state';

/**
 * A chat column's state, fed with stream events. Token text is batched: tokens arriving within one
 * animation frame become one state update, so thousands of tokens a second cost one render a frame
 * and none is dropped. Any other event first flushes the batch, so order is kept.
 */
export function useChatSession() {
  const [state, dispatch] = useReducer(chatReducer, INITIAL_CHAT);
  // Tokens not yet rendered, and when the first of them arrived (the metrics want arrival times).
  const pending = useRef({ text: '', count: 0, lastEventId: '', firstAt: 0 });
  const frame = useRef<number | null>(null);
  const nextKey = useRef(1);

  const flush = useCallback(() => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    const batch = pending.current;
    if (batch.count === 0) return;
    pending.current = { text: '', count: 0, lastEventId: '', firstAt: 0 };
    dispatch({ type: 'tokens', text: batch.text, count: batch.count, lastEventId: batch.lastEventId, at: batch.firstAt });
  }, []);

  const onEvent = useCallback(
    (event: SseEvent) => {
      const decoded = decodeChatEvent(event.type, event.data);
      if (decoded?.type === 'token') {
        const batch = pending.current;
        if (batch.count === 0) batch.firstAt = performance.now();
        batch.text += decoded.data.text;
        batch.count++;
        batch.lastEventId = event.lastEventId;
        frame.current ??= requestAnimationFrame(flush);
        return;
      }
      // The reducer decodes the event again: it takes events as they come off the wire.
      flush();
      dispatch({ type: 'event', event, at: performance.now() });
    },
    [flush],
  );

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const begin = useCallback((prompt: string, seed: number, replace: boolean) => {
    pending.current = { text: '', count: 0, lastEventId: '', firstAt: 0 };
    const key = nextKey.current++;
    const at = performance.now();
    dispatch(replace ? { type: 'regenerate', key, seed, at } : { type: 'submit', key, prompt, seed, at });
    return key;
  }, []);

  const stop = useCallback(() => {
    flush();
    dispatch({ type: 'stop', at: performance.now() });
  }, [flush]);

  const fail = useCallback(
    (message: string) => {
      flush();
      dispatch({ type: 'fail', message, at: performance.now() });
    },
    [flush],
  );

  const clear = useCallback(() => {
    pending.current = { text: '', count: 0, lastEventId: '', firstAt: 0 };
    dispatch({ type: 'clear' });
  }, []);

  return {
    state,
    current: currentTurn(state),
    /** The messages before a new question. */
    history: history(state.turns),
    /** The messages before the last question, to ask it again. */
    historyBeforeLast: history(state.turns.slice(0, -1)),
    onEvent,
    begin,
    stop,
    fail,
    clear,
    flush,
  };
}
