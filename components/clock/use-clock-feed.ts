'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useRef, useState } from 'react';
import type { LogEntry } from '@/components/stream-panel';
import { CLOCK_EVENT_TYPES, decodeClockEvent, parseClockId, SEQUENCED_CLOCK_EVENT_TYPES } from '@/lib/clock/protocol';
import type { SseEvent } from '@/lib/sse/types';
import { describeClockEvent, pushLog } from './clock-log';

const ZERO_COUNTS = Object.fromEntries(CLOCK_EVENT_TYPES.map((type) => [type, 0])) as Record<string, number>;

/** How the ids a panel saw line up: the proof that a resume lost and repeated nothing. */
export interface IdCheck {
  /** Times an id skipped ahead of the one expected. */
  gaps: number;
  /** Times an id came again, or went back. */
  duplicates: number;
  /** Events the server replayed after resumes, from its `resumed` events. */
  replayed: number;
}

/** Counts per event type, an id check and a bounded log, fed one event at a time. */
export function useClockFeed() {
  const t = useTranslations('clock');
  const [counts, setCounts] = useState<Record<string, number>>(ZERO_COUNTS);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [ids, setIds] = useState<IdCheck>({ gaps: 0, duplicates: 0, replayed: 0 });
  const lastId = useRef<number | undefined>(undefined);

  const record = useCallback((event: SseEvent) => {
    const decoded = decodeClockEvent(event.type, event.data);
    setCounts((current) => ({ ...current, [event.type]: (current[event.type] ?? 0) + 1 }));
    setLog((current) => pushLog(current, describeClockEvent(t, event, decoded)));
    if (decoded?.type === 'resumed') {
      const { replayed } = decoded.data;
      setIds((current) => ({ ...current, replayed: current.replayed + replayed }));
    } else if (decoded?.type === 'reset') {
      // The server said events were lost: start checking afresh from the next id.
      lastId.current = undefined;
    } else if (decoded && SEQUENCED_CLOCK_EVENT_TYPES.includes(decoded.type)) {
      // Only the shared sequence is checked: a notification carries no id of its own, so a
      // parser reports the previous one with it, which is no repeat.
      const id = parseClockId(event.lastEventId);
      const previous = lastId.current;
      if (id === undefined) return;
      if (previous !== undefined && id > previous + 1) setIds((current) => ({ ...current, gaps: current.gaps + 1 }));
      if (previous !== undefined && id <= previous) setIds((current) => ({ ...current, duplicates: current.duplicates + 1 }));
      lastId.current = id;
    }
  }, [t]);

  const note = useCallback((type: string, text: string) => {
    setLog((current) => pushLog(current, { key: Date.now() + Math.random(), time: new Date().toLocaleTimeString(), type, text }));
  }, []);

  return { counts, log, ids, record, note };
}
