'use client';

import { useCallback, useState } from 'react';
import { StreamPanel } from '@/components/stream-panel';
import { useEventStream } from '@/hooks/use-event-stream';
import { ClockControls, clockStats } from './clock-parts';
import { newClientTag } from '@/components/fault-injection';
import { bearer, dropConnection } from '@/lib/client/api';
import { useClockFeed } from './use-clock-feed';

// The raw view keeps only the tail of the wire, however long the tab stays open.
const RAW_LIMIT = 4000;

/** The clock through `fetch()` + SSE Lab's parser, with the raw frames it received. */
export function FetchClock({ url, token }: { url: string; token: string }) {
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
        feed.note('reconnect', `attempt ${info.attempt} after ${info.reason}; waiting ${info.delayMs} ms, resuming after #${info.lastEventId || '—'}`);
      },
      onDone: (error) => {
        if (error) feed.note('error', error.message);
      },
    },
  );

  return (
    <StreamPanel
      testId="fetch"
      title="fetch() + parser"
      subtitle={
        <>
          <code>fetch()</code> reads <code>response.body</code> through <code>lib/sse</code>: any method and headers, our own
          back-off with jitter, <code>Last-Event-ID</code> and a liveness timeout.
        </>
      }
      state={stream.state}
      stats={clockStats(feed, { lastEventId: stream.lastEventId, reconnects: stream.reconnects, backoff })}
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
        <summary>Raw frames received</summary>
        <pre className="raw" data-testid="fetch-raw">
          {raw || '(nothing yet)'}
        </pre>
      </details>
    </StreamPanel>
  );
}
