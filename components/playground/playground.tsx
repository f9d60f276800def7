'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useId, useState, useSyncExternalStore } from 'react';
import { PLAYGROUND_CASES, splitBytes } from '@/lib/playground/cases';
import { escapeStream, unescapeStream } from '@/lib/playground/escape';
import { naiveParse } from '@/lib/playground/naive';
import { createParser } from '@/lib/sse/parser';
import type { SseEvent } from '@/lib/sse/types';

interface Run {
  key: number;
  bytes: Uint8Array;
  splitAt: number[];
  ours: SseEvent[];
  retries: number[];
  comments: string[];
  naive: SseEvent[];
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * EventSource needs a listener per event type. The types a stream can dispatch are named on its
 * `event` lines, so every such line gives a candidate (with and without the one optional space).
 */
function candidateTypes(text: string): string[] {
  const types = new Set(['message']);
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!line.startsWith('event:')) continue;
    const value = line.slice('event:'.length);
    types.add(value.startsWith(' ') ? value.slice(1) : value);
  }
  types.delete('');
  return [...types];
}

function same(a: SseEvent | undefined, b: SseEvent | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.data === b.data && a.lastEventId === b.lastEventId;
}

function EventList({ events, against, testId }: { events: SseEvent[] | undefined; against?: SseEvent[]; testId: string }) {
  const t = useTranslations('playground');
  if (!events) return <p className="status">{t('waiting')}</p>;
  return (
    <ol className="log" data-testid={testId} data-events={JSON.stringify(events)}>
      {events.length === 0 && <li>{t('none')}</li>}
      {events.map((event, index) => {
        const wrong = against && !same(event, against[index]);
        return (
          <li key={index} className={wrong ? 'differs' : undefined}>
            {wrong && <strong>{t('differs')} </strong>}
            <code>{event.type}</code> · id <code>{JSON.stringify(event.lastEventId)}</code> · <code>{JSON.stringify(event.data)}</code>
          </li>
        );
      })}
      {against && against.length > events.length && <li className="differs">{t('missing', { count: against.length - events.length })}</li>}
    </ol>
  );
}

const noSubscribe = () => () => {};

/** Type or pick a raw stream; see what the browser, our parser and a naive parser dispatch. */
export function Playground() {
  const t = useTranslations('playground');
  const inputId = useId();
  const first = PLAYGROUND_CASES[0]!;
  const [caseId, setCaseId] = useState(first.id);
  const [text, setText] = useState(escapeStream(first.text));
  const [run, setRun] = useState<Run | undefined>();
  const [browser, setBrowser] = useState<{ key: number; events: SseEvent[]; done: boolean } | undefined>();
  // The controls wait for hydration: text typed into the server-rendered textarea before React
  // takes it over is merged with the case's text (the typed stream ran with the first case's events
  // after it), and a click on Run before then does nothing.
  const hydrated = useSyncExternalStore(noSubscribe, () => true, () => false);

  function start(source: string, splitAt: number[]) {
    const raw = unescapeStream(source);
    const bytes = new TextEncoder().encode(raw);
    const chunks = splitBytes(bytes, splitAt);
    const ours: SseEvent[] = [];
    const retries: number[] = [];
    const comments: string[] = [];
    const parser = createParser({ onEvent: (e) => ours.push(e), onRetry: (ms) => retries.push(ms), onComment: (c) => comments.push(c) });
    for (const chunk of chunks) parser.feed(chunk);
    setRun({ key: Date.now(), bytes, splitAt, ours, retries, comments, naive: naiveParse(chunks) });
  }

  function pick(id: string) {
    const chosen = PLAYGROUND_CASES.find((c) => c.id === id);
    if (!chosen) return;
    setCaseId(id);
    setText(escapeStream(chosen.text));
    start(escapeStream(chosen.text), chosen.splitAt ?? []);
  }

  // The browser's own EventSource reads the same bytes through a real stream route.
  useEffect(() => {
    if (!run) return;
    const params = new URLSearchParams({ b: toBase64Url(run.bytes) });
    if (run.splitAt.length > 0) params.set('split', run.splitAt.join(','));
    const source = new EventSource(`/api/playground/echo?${params}`);
    const events: SseEvent[] = [];
    const onEvent = (event: MessageEvent<string>) => {
      events.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
      setBrowser({ key: run.key, events: [...events], done: false });
    };
    for (const type of candidateTypes(new TextDecoder().decode(run.bytes))) source.addEventListener(type, onEvent);
    // The echo answers once and ends; EventSource would reconnect and read it all again.
    source.onerror = () => {
      source.close();
      setBrowser({ key: run.key, events: [...events], done: true });
    };
    return () => source.close();
  }, [run]);

  const browserEvents = browser && run && browser.key === run.key && browser.done ? browser.events : undefined;
  const edited = text !== escapeStream(PLAYGROUND_CASES.find((c) => c.id === caseId)?.text ?? '');

  return (
    <div className="playground">
      <div className="playground-input">
        <label>
          {t('case')}{' '}
          <select value={caseId} onChange={(e) => pick(e.target.value)} disabled={!hydrated} data-testid="case">
            {PLAYGROUND_CASES.map((c) => (
              <option key={c.id} value={c.id}>
                {t(`cases.${c.id}` as 'cases.basic')}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={inputId}>{t('input')}</label>
        <textarea
          id={inputId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          readOnly={!hydrated}
          rows={8}
          spellCheck={false}
          data-testid="input"
        />
        <p className="status">{t('escapes')}</p>
        <button
          type="button"
          disabled={!hydrated}
          onClick={() => start(text, edited ? [] : (PLAYGROUND_CASES.find((c) => c.id === caseId)?.splitAt ?? []))}
          data-testid="run"
        >
          {t('run')}
        </button>
        {run && run.splitAt.length > 0 && <p className="status">{t('chunks', { offsets: run.splitAt.join(', ') })}</p>}
      </div>
      {run && (
        <div className="playground-results" key={run.key}>
          <section aria-labelledby={`${inputId}-browser`}>
            <h2 id={`${inputId}-browser`}>{t('browser')}</h2>
            <EventList events={browserEvents} testId="browser-events" />
          </section>
          <section aria-labelledby={`${inputId}-ours`}>
            <h2 id={`${inputId}-ours`}>{t('ours')}</h2>
            <EventList events={run.ours} testId="our-events" />
            <p className="status" data-testid="our-extras">
              {t('retries')}: {run.retries.length ? run.retries.join(', ') : '—'} · {t('comments')}:{' '}
              {run.comments.length ? run.comments.map((c) => JSON.stringify(c)).join(', ') : '—'}
            </p>
          </section>
          <section aria-labelledby={`${inputId}-naive`}>
            <h2 id={`${inputId}-naive`}>{t('naive')}</h2>
            <EventList events={run.naive} against={run.ours} testId="naive-events" />
            <p className="status">{t('naiveNote')}</p>
          </section>
        </div>
      )}
    </div>
  );
}
