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
      <pre className="log" tabIndex={0} aria-label={t('streamHeaders.title')} data-testid="headers">
        {headers
          ? SHOWN.map((name) => `${name}: ${headers.get(name) ?? t('streamHeaders.missing')}`).join('\n')
          : t('waiting')}
      </pre>
    </section>
  );
}
