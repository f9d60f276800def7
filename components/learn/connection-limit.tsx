'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { CLOCK_EVENT_TYPES } from '@/lib/clock/protocol';

const STREAMS = 7;

interface Slot {
  readyState: number;
  events: number;
}

/**
 * Opens seven EventSource streams to /api/clock on this origin. Over HTTP/1.1 the browser gives
 * one origin six connections, so the seventh stays CONNECTING until another closes.
 */
export function ConnectionLimit() {
  const t = useTranslations('widgets');
  const [open, setOpen] = useState(false);
  const [slots, setSlots] = useState<Slot[]>([]);
  const [protocol, setProtocol] = useState<string | undefined>();

  useEffect(() => {
    if (!open) return;
    const sources = Array.from({ length: STREAMS }, () => new EventSource('/api/clock'));
    const update = () => setSlots(sources.map((source, i) => ({ readyState: source.readyState, events: counts[i] ?? 0 })));
    const counts = sources.map(() => 0);
    sources.forEach((source, i) => {
      source.onopen = update;
      source.onerror = update;
      const onEvent = () => {
        counts[i] = (counts[i] ?? 0) + 1;
        update();
      };
      for (const type of CLOCK_EVENT_TYPES) source.addEventListener(type, onEvent);
    });
    update();
    return () => {
      for (const source of sources) source.close();
      setSlots([]);
    };
  }, [open]);

  return (
    <section className="widget" data-testid="widget-connection-limit" aria-label={t('connectionLimit.title')}>
      <h3>{t('connectionLimit.title')}</h3>
      <p className="status">
        {protocol && <span data-testid="protocol">{t('connectionLimit.note', { protocol })} </span>}
        <button
          type="button"
          onClick={() => {
            const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
            setProtocol(navigation?.nextHopProtocol || 'HTTP');
            setOpen(!open);
          }}
          data-testid="toggle"
        >
          {open ? t('close') : t('connectionLimit.open')}
        </button>
      </p>
      <ol className="log">
        {slots.map((slot, index) => (
          <li key={index} data-testid="stream-slot" data-ready-state={slot.readyState}>
            {t('connectionLimit.stream', { n: index + 1 })}: <strong>{t(`readyState.${slot.readyState}` as 'readyState.0')}</strong> ·{' '}
            {t('events')}: {slot.events}
          </li>
        ))}
      </ol>
    </section>
  );
}
