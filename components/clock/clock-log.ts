import type { useTranslations } from 'next-intl';
import type { LogEntry } from '@/components/stream-panel';
import { decodeClockEvent, type ClockEvent } from '@/lib/clock/protocol';
import type { SseEvent } from '@/lib/sse/types';

/** How many log lines a panel keeps: the log must not grow for as long as the tab stays open. */
export const LOG_LIMIT = 50;

let nextKey = 0;

/** The clock namespace of the messages: log lines are UI text, the payloads they quote are not. */
export type ClockTranslator = ReturnType<typeof useTranslations<'clock'>>;

function describe(t: ClockTranslator, event: ClockEvent): string {
  switch (event.type) {
    case 'message':
      return event.data;
    case 'update':
      return t('log.update', { time: new Date(event.data.timestamp).toLocaleTimeString(), random: event.data.random });
    case 'notification':
      return `${event.data.title}: ${event.data.message}`;
    case 'reset':
      return t('log.reset', { reason: event.data.reason, latestId: event.data.latestId });
    case 'resumed':
      return t('log.resumed', { after: event.data.after, replayed: event.data.replayed });
  }
}

/**
 * Turns a received clock event into a readable log line. Events that advance the id sequence show
 * their id; one the protocol does not know is shown as sent.
 */
export function describeClockEvent(t: ClockTranslator, event: SseEvent, decoded = decodeClockEvent(event.type, event.data)): LogEntry {
  const text = decoded ? describe(t, decoded) : event.data;
  const numbered = decoded?.type === 'update' && event.lastEventId;
  return { key: nextKey++, time: new Date().toLocaleTimeString(), type: event.type, text: numbered ? `#${event.lastEventId} · ${text}` : text };
}

/** Adds an entry at the top of a bounded log. */
export function pushLog(log: readonly LogEntry[], entry: LogEntry): LogEntry[] {
  return [entry, ...log.slice(0, LOG_LIMIT - 1)];
}
