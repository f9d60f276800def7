'use client';

import { useCallback, useRef, useState } from 'react';
import type { LogEntry } from '@/components/stream-panel';
import type { SseEvent } from '@/lib/sse/types';
import { CLOCK_EVENT_TYPES, describeClockEvent, pushLog } from './clock-log';

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
  const [counts, setCounts] = useState<Record<string, number>>(ZERO_COUNTS);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [ids, setIds] = useState<IdCheck>({ gaps: 0, duplicates: 0, replayed: 0 });
  const lastId = useRef<number | undefined>(undefined);

  const record = useCallback((event: SseEvent) => {
    setCounts((current) => ({ ...current, [event.type]: (current[event.type] ?? 0) + 1 }));
    setLog((current) => pushLog(current, describeClockEvent(event)));
    if (event.type === 'resumed') {
      const replayed = Number((JSON.parse(event.data) as { replayed?: unknown }).replayed) || 0;
      setIds((current) => ({ ...current, replayed: current.replayed + replayed }));
    } else if (event.type === 'reset') {
      // The server said events were lost: start checking afresh from the next id.
      lastId.current = undefined;
    } else if (event.type === 'update' || event.type === 'notification') {
      const id = Number(event.lastEventId);
      const previous = lastId.current;
      if (previous !== undefined && id > previous + 1) setIds((current) => ({ ...current, gaps: current.gaps + 1 }));
      if (previous !== undefined && id <= previous) setIds((current) => ({ ...current, duplicates: current.duplicates + 1 }));
      lastId.current = id;
    }
  }, []);

  const note = useCallback((type: string, text: string) => {
    setLog((current) => pushLog(current, { key: Date.now() + Math.random(), time: new Date().toLocaleTimeString(), type, text }));
  }, []);

  return { counts, log, ids, record, note };
}
