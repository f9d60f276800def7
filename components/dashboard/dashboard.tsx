'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decodeMetricsEvent, METRICS_EVENT_TYPES, type MetricsEvent, type MetricsSample as Sample } from '@/lib/metrics/protocol';
import { FRAME_BUDGET_MS, createFrameTimes, type FrameTimes } from './frame-times';

const POINTS = 600;
const ROUTES = ['clock', 'chat', 'metrics', 'other'] as const;
const MB = 1024 * 1024;

interface ChartSpec {
  key: string;
  series: string[];
  values: (sample: Sample) => number[];
}

const CHARTS: ChartSpec[] = [
  {
    key: 'streams',
    series: [...ROUTES],
    values: (s) => {
      const known = ROUTES.slice(0, 3).map((route) => s.openByRoute[route] ?? 0);
      const all = Object.values(s.openByRoute).reduce((a, b) => a + b, 0);
      return [...known, all - known.reduce((a, b) => a + b, 0)];
    },
  },
  { key: 'events', series: ['eventsPerSecond'], values: (s) => [s.eventsPerSecond] },
  { key: 'loop', series: ['p99'], values: (s) => [s.loopDelayP99Ms] },
  { key: 'memory', series: ['heap', 'rss'], values: (s) => [s.heapUsedBytes / MB, s.rssBytes / MB] },
  { key: 'chat', series: ['running', 'held'], values: (s) => [s.chat.running, s.chat.held] },
  { key: 'slow', series: ['cutOff'], values: (s) => [s.slowClientsCutOff] },
];

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea'];

/** Axis and grid colours, read from the page's CSS variables so the charts follow dark mode. */
interface ChartTheme {
  text: string;
  grid: string;
}

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--muted').trim() || '#5b6472',
    grid: style.getPropertyValue('--border').trim() || '#dde1e7',
  };
}

/** The columns of one chart: x (seconds) then one array per series. */
type Columns = number[][];

/**
 * The server's own metrics, live: one EventSource on /api/metrics, samples kept in plain arrays,
 * and every chart redrawn at most once per animation frame however many samples arrived.
 */
export function Dashboard() {
  const t = useTranslations('dashboard');
  const containers = useRef<(HTMLDivElement | null)[]>([]);
  const [latest, setLatest] = useState<Sample | undefined>();
  const [status, setStatus] = useState<{ state: number; lastEventId: string; resumes: number; replayed: number; reset: boolean }>({
    state: 0,
    lastEventId: '',
    resumes: 0,
    replayed: 0,
    reset: false,
  });
  const [generation, setGeneration] = useState(0);
  const lastIdRef = useRef('');
  const columns = useRef<Columns[]>(CHARTS.map((chart) => [[], ...chart.series.map(() => [])]));
  const plots = useRef<uPlot[]>([]);
  const frame = useRef(0);
  const [frameTimes] = useState<FrameTimes>(createFrameTimes);
  const [frameP99, setFrameP99] = useState<number | undefined>();
  const [frameP50, setFrameP50] = useState<number | undefined>();

  // The charts, made once; uPlot touches the DOM when loaded, so it is imported here, in the browser.
  useEffect(() => {
    let cancelled = false;
    // uPlot paints a canvas, where CSS colours do not reach: its axes read this theme on every
    // draw, and a change of the system's colour scheme reads it again and redraws.
    const theme = { current: readTheme() };
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    const onScheme = () => {
      theme.current = readTheme();
      for (const plot of plots.current) plot.redraw(false, true);
    };
    scheme.addEventListener('change', onScheme);
    const axis = (): uPlot.Axis => ({
      stroke: () => theme.current.text,
      grid: { stroke: () => theme.current.grid, width: 1 },
      ticks: { stroke: () => theme.current.grid, width: 1 },
    });
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      plots.current = CHARTS.map((chart, index) => {
        const target = containers.current[index]!;
        return new UPlot(
          {
            width: Math.max(260, target.clientWidth),
            height: 160,
            // Route names are labels of the wire (lib/sse/server.ts); the other series are words.
            series: [
              {},
              ...chart.series.map((name, i) => ({
                label: chart.key === 'streams' ? name : t(`series.${name}` as 'series.p99'),
                stroke: COLOURS[i % COLOURS.length],
                width: 1.5,
              })),
            ],
            axes: [axis(), axis()],
            legend: { live: false },
          },
          columns.current[index] as uPlot.AlignedData,
          target,
        );
      });
    });
    return () => {
      cancelled = true;
      scheme.removeEventListener('change', onScheme);
      for (const plot of plots.current) plot.destroy();
      plots.current = [];
    };
    // Made again in the other language when the reader switches (the columns are kept in a ref).
  }, [t]);

  useEffect(() => {
    const params = new URLSearchParams();
    if (lastIdRef.current) params.set('lastEventId', lastIdRef.current);
    const source = new EventSource(`/api/metrics${params.size ? `?${params}` : ''}`);
    let pending: Sample | undefined;
    const draw = () => {
      frame.current = 0;
      // Immediate mode: uPlot draws now rather than in a microtask, so the time taken is the redraw's.
      const began = performance.now();
      plots.current.forEach((plot, index) => plot.batch(() => plot.setData(columns.current[index] as uPlot.AlignedData)));
      if (plots.current.length > 0) {
        frameTimes.add(performance.now() - began);
        setFrameP99(frameTimes.percentile(99));
        setFrameP50(frameTimes.percentile(50));
      }
      if (pending) setLatest(pending);
      setStatus((s) => ({ ...s, state: source.readyState, lastEventId: lastIdRef.current }));
    };
    const schedule = () => {
      if (!frame.current) frame.current = requestAnimationFrame(draw);
    };
    const onEvent = (event: MessageEvent<string>) => {
      const decoded = decodeMetricsEvent(event.type, event.data);
      if (decoded) receive(decoded, event.lastEventId);
    };
    const receive = (decoded: MetricsEvent, lastEventId: string) => {
      switch (decoded.type) {
        case 'sample': {
          const sample = decoded.data;
          lastIdRef.current = lastEventId;
          CHARTS.forEach((chart, index) => {
            const cols = columns.current[index]!;
            const values = chart.values(sample);
            cols[0]!.push(sample.at / 1000);
            values.forEach((value, i) => cols[i + 1]!.push(value));
            if (cols[0]!.length > POINTS) for (const col of cols) col.splice(0, col.length - POINTS);
          });
          pending = sample;
          schedule();
          return;
        }
        case 'resumed': {
          const { replayed } = decoded.data;
          setStatus((s) => ({ ...s, resumes: s.resumes + 1, replayed: s.replayed + replayed }));
          return;
        }
        case 'reset':
          setStatus((s) => ({ ...s, reset: true }));
          return;
      }
    };
    for (const type of METRICS_EVENT_TYPES) source.addEventListener(type, onEvent);
    source.onopen = schedule;
    source.onerror = schedule;
    return () => {
      source.close();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [generation, frameTimes]);

  const number = (value: number | undefined, digits = 0) => (value === undefined ? '—' : value.toFixed(digits));
  const openTotal = latest ? Object.values(latest.openByRoute).reduce((a, b) => a + b, 0) : undefined;

  return (
    <>
      <p className="status" data-testid="metrics-status">
        {t('state')}: <strong data-testid="metrics-state">{t(`readyState.${status.state}` as 'readyState.0')}</strong> · Last-Event-ID:{' '}
        <code data-testid="metrics-last-id">{status.lastEventId || '—'}</code> · {t('resumes', { count: status.resumes, replayed: status.replayed })}
        {status.reset && <> · {t('reset')}</>}{' '}
        <button type="button" className="button" onClick={() => setGeneration((g) => g + 1)} data-testid="reconnect">
          {t('reconnect')}
        </button>
      </p>
      <dl className="metrics-now" data-testid="metrics-now">
        <div>
          <dt>{t('now.open')}</dt>
          <dd data-testid="now-open">{number(openTotal)}</dd>
        </div>
        <div>
          <dt>{t('now.events')}</dt>
          <dd data-testid="now-events">{number(latest?.eventsPerSecond, 1)}</dd>
        </div>
        <div>
          <dt>{t('now.bytes')}</dt>
          <dd data-testid="now-bytes">{latest?.bytesPerSecond == null ? t('notCounted') : number(latest.bytesPerSecond)}</dd>
        </div>
        <div>
          <dt>{t('now.loop')}</dt>
          <dd data-testid="now-loop">{number(latest?.loopDelayP99Ms, 2)}</dd>
        </div>
        <div>
          <dt>{t('now.heap')}</dt>
          <dd data-testid="now-heap">{number(latest && latest.heapUsedBytes / MB, 1)}</dd>
        </div>
        <div>
          <dt>{t('now.chat')}</dt>
          <dd data-testid="now-chat">{latest ? `${latest.chat.running} / ${latest.chat.held}` : '—'}</dd>
        </div>
        <div>
          <dt>{t('now.slow')}</dt>
          <dd data-testid="now-slow">{number(latest?.slowClientsCutOff)}</dd>
        </div>
      </dl>
      <p className="status" data-testid="frame-budget" data-p50={frameP50?.toFixed(2)} data-state={frameP99 === undefined ? 'unknown' : frameP99 <= FRAME_BUDGET_MS ? 'within' : 'over'}>
        {t('frame.p99')}: <strong data-testid="frame-p99">{number(frameP99, 1)}</strong> {t('frame.unit')} ·{' '}
        {t('frame.budget', { budget: FRAME_BUDGET_MS })}
        {frameP99 !== undefined && <> · {t(frameP99 <= FRAME_BUDGET_MS ? 'frame.within' : 'frame.over')}</>}
      </p>
      <section className="instances" aria-labelledby="instances-title" data-testid="instances">
        <h2 id="instances-title">{t('instances.title')}</h2>
        {latest === undefined ? (
          <p className="status">—</p>
        ) : latest.cluster === null ? (
          <p className="status" data-testid="single-process">
            {t('instances.single', { instance: latest.instance })}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('instances.instance')}</th>
                <th scope="col">{t('instances.open')}</th>
              </tr>
            </thead>
            <tbody>
              {latest.cluster.map((entry) => (
                <tr key={entry.instance} data-testid="instance-row" data-instance={entry.instance}>
                  <td>
                    <code>{entry.instance}</code>
                    {entry.instance === latest.instance && <> ({t('instances.this')})</>}
                  </td>
                  <td data-testid="instance-open">{entry.openStreams}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div className="charts">
        {CHARTS.map((chart, index) => (
          <figure key={chart.key} className="chart">
            <figcaption>{t(`charts.${chart.key}` as 'charts.streams')}</figcaption>
            <div
              ref={(element) => {
                containers.current[index] = element;
              }}
              data-testid={`chart-${chart.key}`}
            />
          </figure>
        ))}
      </div>
    </>
  );
}
