'use client';

import { useTranslations } from 'next-intl';
import { useRef, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import { AuthBar } from '@/components/auth-bar';
import { AiSdkColumn, type AiSdkColumnHandle } from './ai-sdk-column';
import { ChatColumn } from './chat-column';
import type { Ask } from './chat-transport';
import { useEventSourceChat, useFetchChat } from './use-chat';

// Prompts, so English in every language: the simulated model answers English only.
const SUGGESTIONS = [
  'What are server-sent events?',
  'Should I use EventSource or fetch streaming?',
  'Look up the latest docs on Last-Event-ID',
  'Explain heartbeats behind nginx /error',
];

function newSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}

const noSubscribe = () => () => {};

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/**
 * One prompt box driving three columns: EventSource (GET), fetch (POST + Authorization) and the
 * AI SDK's `useChat` (POST /v1/ui/chat), with the same prompt and seed.
 */
export function ChatPlayground() {
  const t = useTranslations('chatPage');
  const [prompt, setPrompt] = useState('');
  const [delayMs, setDelayMs] = useState(30);
  const [seedText, setSeedText] = useState('');
  const [token, setToken] = useState('demo-token');
  const [lastAsk, setLastAsk] = useState<Ask>();
  const es = useEventSourceChat();
  const fx = useFetchChat(token);
  const ai = useRef<AiSdkColumnHandle>(null);
  const [aiBusy, setAiBusy] = useState(false);
  // The useChat column renders in the browser only: it reads the answer in flight from sessionStorage.
  const inBrowser = useSyncExternalStore(noSubscribe, () => true, () => false);
  const busy = es.session.current !== undefined || fx.session.current !== undefined || aiBusy;

  function submit(event: FormEvent) {
    event.preventDefault();
    const text = prompt.trim();
    if (!text || busy) return;
    const seed = /^\d+$/.test(seedText) ? Number(seedText) : newSeed();
    const ask = { prompt: text, seed, delayMs };
    setLastAsk(ask);
    es.ask(ask);
    fx.ask(ask);
    ai.current?.ask(ask);
    setPrompt('');
  }

  return (
    <>
      <AuthBar token={token} onTokenChange={setToken} />
      <form className="panel chat-form" onSubmit={submit} data-testid="chat-form">
        <label htmlFor="prompt" className="sr-only">
          {t('promptLabel')}
        </label>
        <textarea
          id="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) submit(event);
          }}
          placeholder={t('placeholder')}
          rows={2}
          data-testid="prompt"
        />
        <div className="chat-options">
          <label>
            {t('delay')}{' '}
            <input type="number" min={0} max={1000} value={delayMs} onChange={(event) => setDelayMs(Number(event.target.value))} data-testid="delay" />{' '}
            {t('msPerToken')}
          </label>
          <label>
            {t('seed')}{' '}
            <input value={seedText} onChange={(event) => setSeedText(event.target.value)} placeholder={t('seedRandom')} inputMode="numeric" data-testid="seed" />
          </label>
          <button type="submit" className="primary" disabled={busy || !prompt.trim()} data-testid="send">
            {t('send')}
          </button>
          <button
            type="button"
            onClick={() => {
              es.clear();
              fx.clear();
              ai.current?.clear();
            }}
            disabled={busy}
            data-testid="clear"
          >
            {t('clear')}
          </button>
        </div>
        <div className="suggestions" role="group" aria-label={t('suggestionsLabel')}>
          {SUGGESTIONS.map((text) => (
            <button type="button" key={text} onClick={() => setPrompt(text)} className="chip">
              {text}
            </button>
          ))}
        </div>
      </form>
      <div className="grid-3">
        <ChatColumn
          testId="es"
          title={t('columns.es.title')}
          subtitle={t.rich('columns.es.subtitle', { code })}
          chat={es}
          lastAsk={lastAsk}
          onRegenerate={() => lastAsk && es.regenerate({ ...lastAsk, seed: newSeed() })}
        />
        <ChatColumn
          testId="fetch"
          title={t('columns.fetch.title')}
          subtitle={t.rich('columns.fetch.subtitle', { code })}
          chat={fx}
          lastAsk={lastAsk}
          onRegenerate={() => lastAsk && fx.regenerate({ ...lastAsk, seed: newSeed() })}
        />
        {inBrowser ? <AiSdkColumn ref={ai} token={token} onBusyChange={setAiBusy} /> : <section className="panel chat-column" aria-label={t('columns.ai.title')} />}
      </div>
    </>
  );
}
