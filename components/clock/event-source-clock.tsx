'use client';

import { useTranslations } from 'next-intl';
import { useState, type ReactNode } from 'react';
import { StreamPanel } from '@/components/stream-panel';
import { useEventSource } from '@/hooks/use-event-source';
import { ClockControls, clockStats } from './clock-parts';
import { newClientTag } from '@/components/fault-injection';
import { dropConnection } from '@/lib/client/api';
import { useClockFeed } from './use-clock-feed';
import { NAMED_CLOCK_EVENT_TYPES } from '@/lib/clock/protocol';

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/** The clock through the browser's `EventSource`: `onmessage` plus a listener per named type. */
export function EventSourceClock({ url }: { url: string }) {
  const t = useTranslations('clock');
  const feed = useClockFeed();
  const [tag] = useState(() => newClientTag('es'));
  const source = useEventSource(`${url}${url.includes('?') ? '&' : '?'}client=${tag}`, {
    eventTypes: NAMED_CLOCK_EVENT_TYPES,
    onEvent: feed.record,
    onError: ({ reconnecting }) =>
      feed.note('error', reconnecting ? t('es.lost') : t('es.failed')),
  });

  return (
    <StreamPanel
      testId="es"
      title="EventSource"
      subtitle={t.rich('es.subtitle', { code })}
      state={source.state}
      stats={clockStats(t, feed, { lastEventId: source.lastEventId, reconnects: source.reconnects })}
      controls={
        <ClockControls
          testId="es"
          state={source.state}
          onOpen={source.open}
          onClose={source.close}
          onDrop={() => dropConnection(tag).catch((error: Error) => feed.note('error', error.message))}
        />
      }
      log={feed.log}
    />
  );
}
