'use client';

import { useState } from 'react';
import { StreamPanel } from '@/components/stream-panel';
import { useEventSource } from '@/hooks/use-event-source';
import { dropConnection, newClientTag, useClockFeed } from './use-clock-feed';

const EVENT_TYPES = ['update', 'notification', 'reset', 'resumed'];

/** The clock through the browser's `EventSource`: `onmessage` plus a listener per named type. */
export function EventSourceClock({ url }: { url: string }) {
  const feed = useClockFeed();
  const [tag] = useState(() => newClientTag('es'));
  const source = useEventSource(`${url}${url.includes('?') ? '&' : '?'}client=${tag}`, {
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
        { label: 'replayed', value: feed.ids.replayed, testId: 'replayed' },
        { label: 'id gaps', value: feed.ids.gaps, testId: 'gaps' },
        { label: 'duplicates', value: feed.ids.duplicates, testId: 'duplicates' },
      ]}
      controls={
        <>
          <button type="button" className="primary" onClick={source.open} disabled={source.state === 'open'} data-testid="es-connect">
            Connect
          </button>
          <button type="button" onClick={source.close} disabled={source.state === 'closed' || source.state === 'idle'} data-testid="es-close">
            Close
          </button>
          <button
            type="button"
            onClick={() => dropConnection(tag).catch((error: Error) => feed.note('error', error.message))}
            disabled={source.state !== 'open'}
            data-testid="es-drop"
          >
            Drop connection
          </button>
        </>
      }
      log={feed.log}
    />
  );
}
