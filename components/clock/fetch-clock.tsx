'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useState, type ReactNode } from 'react';
import { StreamPanel } from '@/components/stream-panel';
import { useEventStream } from '@/hooks/use-event-stream';
import { ClockControls, clockStats } from './clock-parts';
import { newClientTag } from '@/components/fault-injection';
import { bearer, dropConnection } from '@/lib/client/api';
import { useClockFeed } from './use-clock-feed';

// The raw view keeps only the tail of the wire, however long the tab stays open.
const RAW_LIMIT = 4000;

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/** The clock through `fetch()` + SSE Lab's parser, with the raw frames it received. */
export function FetchClock({ url, token }: { url: string; token: string }) {
  const t = useTranslations('clock');
  const feed = useClockFeed();
  const [tag] = useState(() => newClientTag('fetch'));
  const [raw, setRaw] = useState('');
  const [backoff, setBackoff] = useState<string>('—');
  const onChunk = useCallback((text: string) => setRaw((current) => (current + text).slice(-RAW_LIMIT)), []);

  const stream = useEventStream(
    {
      url: `${url}${url.includes('?') ? '&' : '?'}client=${tag}`,
      // Read on every attempt: a token changed while connected is sent on the next reconnect.
      headers: () => bearer(token),
    },
    {
      livenessTimeoutMs: 45_000,
      onEvent: feed.record,
      onChunk,
      onReconnect: (info) => {
        setBackoff(`${info.delayMs} ms`);
        feed.note(
          'reconnect',
          t('fetch.reconnect', { attempt: info.attempt, reason: info.reason, delay: info.delayMs, lastId: info.lastEventId || '—' }),
        );
      },
      onDone: (error) => {
        if (error) feed.note('error', error.message);
      },
    },
  );

  return (
    <StreamPanel
      testId="fetch"
      title={t('fetch.title')}
      subtitle={t.rich('fetch.subtitle', { code })}
      state={stream.state}
      stats={clockStats(t, feed, { lastEventId: stream.lastEventId, reconnects: stream.reconnects, backoff })}
      controls={
        <ClockControls
          testId="fetch"
          state={stream.state}
          onOpen={stream.open}
          onClose={stream.close}
          onDrop={() =>
            dropConnection(tag, bearer(token)).catch((error: Error) => feed.note('error', error.message))
          }
        />
      }
      log={feed.log}
    >
      <details open>
        <summary>{t('fetch.raw')}</summary>
        <pre className="raw" data-testid="fetch-raw">
          {raw || t('fetch.rawEmpty')}
        </pre>
      </details>
    </StreamPanel>
  );
}
