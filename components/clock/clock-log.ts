import type { LogEntry } from '@/components/stream-panel';
import type { SseEvent } from '@/lib/sse/types';

/** Event types the clock sends; counts start at zero for each. */
export const CLOCK_EVENT_TYPES = ['message', 'update', 'notification', 'reset', 'resumed'] as const;

/** How many log lines a panel keeps: the log must not grow for as long as the tab stays open. */
export const LOG_LIMIT = 50;

let nextKey = 0;

/** Turns a clock event into a readable log line. */
export function describeClockEvent(event: SseEvent): LogEntry {
  let text = event.data;
  try {
    const data = JSON.parse(event.data) as Record<string, unknown>;
    if (event.type === 'update') text = `${new Date(String(data.timestamp)).toLocaleTimeString()} · random ${data.random}`;
    else if (event.type === 'notification') text = `${data.title}: ${data.message}`;
    else if (event.type === 'reset') text = `missed events (${data.reason}); continuing live from #${data.latestId}`;
    else if (event.type === 'resumed') text = `resumed after #${data.after}: ${data.replayed} missed events replayed`;
  } catch {
    // Not JSON (the greeting): show it as sent.
  }
  return {
    key: nextKey++,
    time: new Date().toLocaleTimeString(),
    type: event.type,
    text: event.lastEventId && event.type !== 'message' ? `#${event.lastEventId} · ${text}` : text,
  };
}

/** Adds an entry at the top of a bounded log. */
export function pushLog(log: readonly LogEntry[], entry: LogEntry): LogEntry[] {
  return [entry, ...log.slice(0, LOG_LIMIT - 1)];
}
