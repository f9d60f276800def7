import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';

/** One line of a panel's event log. */
export interface LogEntry {
  key: number;
  time: string;
  type: string;
  text: string;
}

/** Props of {@link StreamPanel}. */
export interface StreamPanelProps {
  /** Prefix of every `data-testid` in the panel, such as `es` or `fetch`. */
  testId: string;
  title: string;
  subtitle: ReactNode;
  state: string;
  stats: ReadonlyArray<{ label: string; value: ReactNode; testId: string }>;
  controls: ReactNode;
  log: readonly LogEntry[];
  children?: ReactNode;
}

/** The frame both transports share: state, figures, controls and a readable event log. */
export function StreamPanel({ testId, title, subtitle, state, stats, controls, log, children }: StreamPanelProps) {
  const t = useTranslations('streamPanel');
  // States are the hooks' own words; one without a translation is shown as it is.
  const stateKey = `state.${state}` as 'state.open';
  return (
    <section className="panel" data-testid={`${testId}-panel`} aria-label={title}>
      <div className="panel-head">
        <h2>{title}</h2>
        <span className="badge" data-state={state} data-testid={`${testId}-state`} role="status">
          {t.has(stateKey) ? t(stateKey) : state}
        </span>
      </div>
      <p className="panel-sub">{subtitle}</p>
      <dl className="stats">
        {stats.map((stat) => (
          <div className="stat" key={stat.testId}>
            <dt>{stat.label}</dt>
            <dd data-testid={`${testId}-${stat.testId}`}>{stat.value}</dd>
          </div>
        ))}
      </dl>
      <div className="controls">{controls}</div>
      <ol className="log" data-testid={`${testId}-log`} aria-label={t('eventLog', { title })}>
        {log.length === 0 ? <li className="empty">{t('empty')}</li> : null}
        {log.map((entry) => (
          <li key={entry.key}>
            <span className="time">{entry.time}</span>
            <span className="type" data-type={entry.type}>
              {entry.type}
            </span>
            <span className="text">{entry.text}</span>
          </li>
        ))}
      </ol>
      {children}
    </section>
  );
}
