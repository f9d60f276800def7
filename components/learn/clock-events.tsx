'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { CLOCK_EVENT_TYPES } from '@/lib/clock/protocol';

interface Received {
  type: string;
  id: string;
  data: string;
}

const KEEP = 6;

/** A live EventSource on /api/clock: its readyState and the last events it dispatched. */
export function ClockEvents() {
  const t = useTranslations('widgets');
  const [open, setOpen] = useState(true);
  const [readyState, setReadyState] = useState<number>(0);
  const [count, setCount] = useState(0);
  const [events, setEvents] = useState<Received[]>([]);

  useEffect(() => {
    if (!open) return;
    const source = new EventSource('/api/clock');
    const onEvent = (event: MessageEvent<string>) => {
      setCount((n) => n + 1);
      setEvents((list) => [{ type: event.type, id: event.lastEventId, data: event.data }, ...list].slice(0, KEEP));
    };
    for (const type of CLOCK_EVENT_TYPES) source.addEventListener(type, onEvent);
    source.onopen = () => setReadyState(source.readyState);
    source.onerror = () => setReadyState(source.readyState);
    return () => {
      source.close();
      setReadyState(source.readyState);
    };
  }, [open]);

  return (
    <section className="widget" data-testid="widget-clock-events" aria-label={t('clockEvents.title')}>
      <h3>{t('clockEvents.title')}</h3>
      <p className="status">
        {t('state')}: <strong data-testid="ready-state">{t(`readyState.${readyState}` as 'readyState.0')}</strong> ({readyState}) ·{' '}
        {t('events')}: <span data-testid="event-count">{count}</span>{' '}
        <button type="button" onClick={() => {
            // A new EventSource starts CONNECTING; closing sets CLOSED in the effect's cleanup.
            if (!open) setReadyState(0);
            setOpen(!open);
          }} data-testid="toggle">
          {open ? t('close') : t('connect')}
        </button>
      </p>
      <div className="log log-stream" role="log" aria-live="off" tabIndex={0}>
        {events.length === 0
          ? t('waiting')
          : events.map((event, index) => (
              <div key={`${event.id}-${event.type}-${index}`}>
                {event.type} #{event.id} {event.data}
              </div>
            ))}
      </div>
    </section>
  );
}
