'use client';

import { useCallback, useState } from 'react';
import type { LogEntry } from '@/components/stream-panel';
import type { SseEvent } from '@/lib/sse/types';
import { CLOCK_EVENT_TYPES, describeClockEvent, pushLog } from './clock-log';

const ZERO_COUNTS = Object.fromEntries(CLOCK_EVENT_TYPES.map((type) => [type, 0])) as Record<string, number>;

/** Counts per event type and a bounded log, fed one event at a time. */
export function useClockFeed() {
  const [counts, setCounts] = useState<Record<string, number>>(ZERO_COUNTS);
  const [log, setLog] = useState<LogEntry[]>([]);

  const record = useCallback((event: SseEvent) => {
    setCounts((current) => ({ ...current, [event.type]: (current[event.type] ?? 0) + 1 }));
    setLog((current) => pushLog(current, describeClockEvent(event)));
  }, []);

  const note = useCallback((type: string, text: string) => {
    setLog((current) => pushLog(current, { key: Date.now() + Math.random(), time: new Date().toLocaleTimeString(), type, text }));
  }, []);

  return { counts, log, record, note };
}
