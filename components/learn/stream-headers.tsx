'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';

const SHOWN = ['content-type', 'cache-control', 'x-accel-buffering', 'content-encoding'];

/** Opens /api/clock with fetch, reads the response headers, and closes the stream at once. */
export function StreamHeaders() {
  const t = useTranslations('widgets');
  const [headers, setHeaders] = useState<Headers | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const controller = new AbortController();
    fetch('/api/clock', { signal: controller.signal, headers: { Accept: 'text/event-stream' } })
      .then((response) => {
        setHeaders(response.headers);
        controller.abort();
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(String(reason));
      });
    return () => controller.abort();
  }, []);

  return (
    <section className="widget" data-testid="widget-stream-headers" aria-label={t('streamHeaders.title')}>
      <h3>{t('streamHeaders.title')}</h3>
      {error && <p role="alert">{error}</p>}
      {/* One line per header from the first render, so the answer fills the lines in rather than
          adding them: a widget that grew when it arrived moved the text below it (the reader's place). */}
      <pre className="log" tabIndex={0} aria-label={t('streamHeaders.title')} data-testid="headers">
        {SHOWN.map((name) => `${name}: ${headers ? (headers.get(name) ?? t('streamHeaders.missing')) : t('waiting')}`).join('\n')}
      </pre>
    </section>
  );
}
