import { useTranslations } from 'next-intl';
import { DropButton } from '@/components/fault-injection';
import type { StreamPanelProps } from '@/components/stream-panel';
import { CLOCK_EVENT_TYPES } from '@/lib/clock/protocol';
import type { useClockFeed } from './use-clock-feed';

type Feed = ReturnType<typeof useClockFeed>;
type ClockTranslator = ReturnType<typeof useTranslations<'clock'>>;

/** The figures both clock panels show, with the transport's own in the middle. */
export function clockStats(
  t: ClockTranslator,
  feed: Feed,
  transport: { lastEventId: string; reconnects: number; backoff?: string },
): StreamPanelProps['stats'] {
  return [
    ...CLOCK_EVENT_TYPES.map((type) => ({ label: type, value: feed.counts[type] ?? 0, testId: `count-${type}` })),
    { label: t('stats.lastEventId'), value: transport.lastEventId || '—', testId: 'last-id' },
    { label: t('stats.reconnects'), value: transport.reconnects, testId: 'reconnects' },
    ...(transport.backoff === undefined ? [] : [{ label: t('stats.backoff'), value: transport.backoff, testId: 'backoff' }]),
    { label: t('stats.replayed'), value: feed.ids.replayed, testId: 'replayed' },
    { label: t('stats.gaps'), value: feed.ids.gaps, testId: 'gaps' },
    { label: t('stats.duplicates'), value: feed.ids.duplicates, testId: 'duplicates' },
  ];
}

/** Connect, Close and Drop connection, for either transport. */
export function ClockControls({ testId, state, onOpen, onClose, onDrop }: { testId: string; state: string; onOpen: () => void; onClose: () => void; onDrop: () => void }) {
  const t = useTranslations('clock');
  return (
    <>
      <button type="button" className="primary" onClick={onOpen} disabled={state === 'open'} data-testid={`${testId}-connect`}>
        {t('connect')}
      </button>
      <button type="button" onClick={onClose} disabled={state === 'closed' || state === 'idle'} data-testid={`${testId}-close`}>
        {t('close')}
      </button>
      <DropButton testId={testId} disabled={state !== 'open'} onDrop={onDrop} />
    </>
  );
}
