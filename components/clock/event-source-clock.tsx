'use client';

import { StreamPanel } from '@/components/stream-panel';
import { useEventSource } from '@/hooks/use-event-source';
import { useClockFeed } from './use-clock-feed';

const EVENT_TYPES = ['update', 'notification', 'reset'];

/** The clock through the browser's `EventSource`: `onmessage` plus a listener per named type. */
export function EventSourceClock({ url }: { url: string }) {
  const feed = useClockFeed();
  const source = useEventSource(url, {
    eventTypes: EVENT_TYPES,
    onEvent: feed.record,
    onError: ({ reconnecting }) =>
      feed.note('error', reconnecting ? 'Connection lost; the browser reconnects by itself.' : 'Connection failed; the browser gave up.'),
  });

  return (
    <StreamPanel
      testId="es"
      title="EventSource"
      subtitle={
        <>
          <code>new EventSource(url)</code>: GET only, no custom headers; the browser parses and reconnects, sending{' '}
          <code>Last-Event-ID</code> itself.
        </>
      }
      state={source.state}
      stats={[
        { label: 'message', value: feed.counts.message, testId: 'count-message' },
        { label: 'update', value: feed.counts.update, testId: 'count-update' },
        { label: 'notification', value: feed.counts.notification, testId: 'count-notification' },
        { label: 'last event id', value: source.lastEventId || '—', testId: 'last-id' },
        { label: 'reconnects', value: source.reconnects, testId: 'reconnects' },
      ]}
      controls={
        <>
          <button type="button" className="primary" onClick={source.open} disabled={source.state === 'open'} data-testid="es-connect">
            Connect
          </button>
          <button type="button" onClick={source.close} disabled={source.state === 'closed' || source.state === 'idle'} data-testid="es-close">
            Close
          </button>
        </>
      }
      log={feed.log}
    />
  );
}
