'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { connectEventStream } from '@/lib/sse/client';

const KEEP = 8;

/** Shows line ends so the reader sees where each frame ends. */
function visible(text: string): string {
  return text.replaceAll('\r', '␍').replaceAll('\n', '␊\n');
}

/** A live fetch stream on /api/clock, showing the raw chunks as they arrive and the events parsed from them. */
export function FetchStream() {
  const t = useTranslations('widgets');
  const [open, setOpen] = useState(true);
  const [chunks, setChunks] = useState<string[]>([]);
  const [count, setCount] = useState(0);
  const [state, setState] = useState('connecting');

  useEffect(() => {
    if (!open) return;
    const stream = connectEventStream({
      url: '/api/clock',
      onChunk: (text) => setChunks((list) => [...list, text].slice(-KEEP)),
      onEvent: () => setCount((n) => n + 1),
      onStateChange: setState,
    });
    return () => stream.close();
  }, [open]);

  return (
    <section className="widget" data-testid="widget-fetch-stream" aria-label={t('fetchStream.title')}>
      <h3>{t('fetchStream.title')}</h3>
      <p className="status">
        {t('state')}: <strong data-testid="fetch-state">{state}</strong> · {t('events')}: <span data-testid="event-count">{count}</span>{' '}
        <button type="button" onClick={() => setOpen((o) => !o)} data-testid="toggle">
          {open ? t('close') : t('connect')}
        </button>
      </p>
      <pre className="log log-stream" tabIndex={0} aria-label={t('fetchStream.title')}>
        {chunks.length === 0 ? t('waiting') : chunks.map(visible).join('')}
      </pre>
    </section>
  );
}
