'use client';

import { useChat as useAiSdkChat } from '@ai-sdk/react';
import type { UIMessage, UIMessageChunk } from 'ai';
import { useTranslations } from 'next-intl';
import { useEffect, useImperativeHandle, useRef, useState, type ReactNode, type Ref } from 'react';
import { bearer, cancelChat } from '@/lib/client/api';
import type { FinishReason } from '@/lib/chat/protocol';
import { createAiSdkTransport, type ChunkSource } from './ai-sdk-transport';
import { TurnView } from './chat-column';
import type { ToolCard, Turn, TurnStatus } from './chat-state';
import type { Ask } from './chat-transport';
import { readInFlight, writeInFlight } from './in-flight';

const COLUMN = 'ai-sdk';

/** What the playground can do with this column. */
export interface AiSdkColumnHandle {
  ask(ask: Ask): void;
  clear(): void;
}

/** What this column measures of each answer, beside what `useChat` keeps. */
interface TurnMeta {
  prompt: string;
  seed: number;
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
  tokens: number;
  finishReason?: FinishReason;
  resumed: boolean;
  /** Chunks read on resume streams: the server replays the run from its first chunk, then goes on live. */
  resumeChunks: number;
}

// The AI SDK's tool part states, as our card's.
function toolCards(message: UIMessage | undefined): ToolCard[] {
  if (!message) return [];
  return message.parts.flatMap((part): ToolCard[] => {
    if (!part.type.startsWith('tool-') || !('toolCallId' in part)) return [];
    const name = part.type.slice('tool-'.length);
    const base = { id: part.toolCallId, name, input: part.input };
    if (part.state === 'input-streaming') return [{ ...base, state: 'input-streaming' }];
    if (part.state === 'output-available') return [{ ...base, state: 'result', output: part.output }];
    return [{ ...base, state: 'call' }];
  });
}

// The resumes asked for since the page loaded, in order: `204` (nothing to resume) or `replay`.
function resumeAsksText(asks: readonly ('stream' | 'nothing')[]): string {
  return asks.length === 0 ? '—' : asks.map((outcome) => (outcome === 'stream' ? 'replay' : '204')).join(', ');
}

function textOf(message: UIMessage | undefined): string {
  return message ? message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('') : '';
}

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/**
 * The chat through the AI SDK's `useChat` over `POST /v1/ui/chat` (`DefaultChatTransport`), with
 * `resume: true`: after a reload it asks `GET /v1/ui/chat/<run id>/stream` for the answer that was
 * streaming, which the server replays from its run log. Renders only in the browser (the answer in
 * flight is read from sessionStorage before the first render).
 */
export function AiSdkColumn({ token, onBusyChange, ref }: { token: string; onBusyChange: (busy: boolean) => void; ref?: Ref<AiSdkColumnHandle> }) {
  const t = useTranslations('chatPage');
  const latestToken = useRef(token);
  useEffect(() => {
    latestToken.current = token;
  }, [token]);

  const [restored] = useState(() => readInFlight(COLUMN));
  const runId = useRef(restored?.streamId);
  const [shownRunId, setShownRunId] = useState(restored?.streamId);
  const [metas, setMetas] = useState<TurnMeta[]>(() =>
    restored ? [{ prompt: restored.prompt, seed: restored.seed, startedAt: performance.now(), tokens: 0, resumed: false, resumeChunks: 0 }] : [],
  );
  const current = useRef<Omit<Ask, 'delayMs'> | undefined>(restored);
  // Every resume useChat asked for since the page loaded, and what the server had.
  const [resumeAsks, setResumeAsks] = useState<('stream' | 'nothing')[]>([]);
  const delay = useRef(30);

  const forget = () => {
    runId.current = undefined;
    writeInFlight(COLUMN, undefined);
  };
  const updateLast = (update: (meta: TurnMeta) => TurnMeta) => setMetas((list) => (list.length ? [...list.slice(0, -1), update(list.at(-1)!)] : list));
  // Chunk counts not yet shown, applied once an animation frame (as the other columns batch their
  // tokens): a fast answer's chunks arrive hundreds at a time, and one render each would hold the
  // main thread for seconds.
  const counts = useRef({ tokens: 0, resumeChunks: 0, firstTokenAt: undefined as number | undefined });
  const frame = useRef<number | null>(null);
  const flushCounts = () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    const { tokens, resumeChunks, firstTokenAt } = counts.current;
    if (tokens === 0 && resumeChunks === 0) return;
    counts.current = { tokens: 0, resumeChunks: 0, firstTokenAt: undefined };
    updateLast((meta) => ({
      ...meta,
      tokens: meta.tokens + tokens,
      resumed: meta.resumed || resumeChunks > 0,
      resumeChunks: meta.resumeChunks + resumeChunks,
      firstTokenAt: meta.firstTokenAt ?? firstTokenAt,
    }));
  };
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  // The refs are read when a request is sent or a chunk arrives, never during render.
  // eslint-disable-next-line react-hooks/refs
  const [transport] = useState(() =>
    createAiSdkTransport(
      {
        onChunk(chunk: UIMessageChunk, source: ChunkSource) {
          const at = performance.now();
          if (source === 'resume') counts.current.resumeChunks++;
          if (chunk.type === 'text-delta') {
            counts.current.tokens++;
            counts.current.firstTokenAt ??= at;
          }
          if (chunk.type !== 'finish' && chunk.type !== 'error') {
            frame.current ??= requestAnimationFrame(flushCounts);
            return;
          }
          flushCounts();
          // The server ended the answer: nothing left to resume. (Not useChat's onFinish, which
          // also runs when a reload cuts the connection, the very case resuming is for.)
          forget();
          if (chunk.type === 'finish') {
            const finishReason: FinishReason = chunk.finishReason === 'length' ? 'length' : 'stop';
            updateLast((meta) => ({ ...meta, finishReason, endedAt: at }));
          } else if (chunk.type === 'error') updateLast((meta) => ({ ...meta, endedAt: at }));
        },
        onRunId(id) {
          runId.current = id;
          setShownRunId(id);
          const ask = current.current;
          if (ask) writeInFlight(COLUMN, { prompt: ask.prompt, seed: ask.seed, streamId: id });
        },
        onResume(outcome) {
          setResumeAsks((asks) => [...asks, outcome]);
        },
      },
      {
        headers: () => ({ ...bearer(latestToken.current), 'X-Seed': String(current.current?.seed ?? 0), 'X-Delay-Ms': String(delay.current) }),
        runId: () => runId.current,
      },
    ),
  );

  const chat = useAiSdkChat({
    transport,
    resume: true,
    // At most one render every 50 ms while an answer streams: without it useChat renders once per
    // chunk, and a fast answer's chunks arrive hundreds to a network read.
    experimental_throttle: 50,
    messages: restored ? [{ id: 'restored-user', role: 'user', parts: [{ type: 'text', text: restored.prompt }] }] : [],
  });
  const { messages, status, error, sendMessage, stop, setMessages } = chat;
  const busy = status === 'submitted' || status === 'streaming';

  useEffect(() => onBusyChange(busy), [busy, onBusyChange]);

  useImperativeHandle(ref, () => ({
    ask(ask) {
      flushCounts();
      current.current = ask;
      delay.current = ask.delayMs;
      setMetas((list) => [...list, { prompt: ask.prompt, seed: ask.seed, startedAt: performance.now(), tokens: 0, resumed: false, resumeChunks: 0 }]);
      void sendMessage({ text: ask.prompt });
    },
    clear() {
      flushCounts();
      setMessages([]);
      setMetas([]);
    },
  }));

  // One turn per user message, with the assistant message after it.
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    const ordinal = turns.length;
    const meta = metas[ordinal];
    const next: UIMessage | undefined = messages[index + 1];
    const answer = next?.role === 'assistant' ? next : undefined;
    const last = index === messages.findLastIndex((m) => m.role === 'user');
    const turnStatus: TurnStatus = last ? status : 'ready';
    turns.push({
      key: ordinal,
      prompt: textOf(message),
      seed: meta?.seed ?? 0,
      status: turnStatus,
      tools: toolCards(answer),
      text: textOf(answer),
      tokens: meta?.tokens ?? 0,
      error: last && error ? error.message : undefined,
      stopped: false,
      finishReason: meta?.finishReason,
      lastEventId: '',
      replayed: 0,
      startedAt: meta?.startedAt ?? 0,
      firstTokenAt: meta?.firstTokenAt,
      endedAt: meta?.endedAt,
    });
  });
  const lastMeta = metas.at(-1);

  return (
    <section className="panel chat-column" data-testid="ai-panel" aria-label={t('columns.ai.title')}>
      <div className="panel-head">
        <h2>{t('columns.ai.title')}</h2>
        <span className="badge" data-state={busy ? 'open' : status === 'error' ? 'error' : 'idle'} data-testid="ai-connection" role="status">
          {status}
        </span>
      </div>
      <p className="panel-sub">{t.rich('columns.ai.subtitle', { code, streamPath: 'GET /v1/ui/chat/<id>/stream' })}</p>
      <dl className="stats">
        <div className="stat">
          <dt>{t('stats.runId')}</dt>
          <dd data-testid="ai-run-id">{shownRunId ? `${shownRunId.slice(0, 9)}…` : '—'}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.lastEventId')}</dt>
          <dd data-testid="ai-last-id">{t('stats.none')}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.reconnects')}</dt>
          <dd data-testid="ai-reconnects">{t('stats.none')}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.backoff')}</dt>
          <dd data-testid="ai-backoff">{t('stats.none')}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.resumed')}</dt>
          <dd data-testid="ai-resumed">{t(lastMeta?.resumed ? 'stats.yes' : 'stats.no')}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.replayed')}</dt>
          <dd data-testid="ai-replayed">{lastMeta?.resumed ? t('stats.chunks', { count: lastMeta.resumeChunks }) : 0}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.resumeAsks')}</dt>
          <dd data-testid="ai-resume-asks">{resumeAsksText(resumeAsks)}</dd>
        </div>
      </dl>
      <p className="note" data-testid="ai-stats-note">
        {t.rich('columns.ai.statsNote', { code, strong: (chunks) => <strong>{chunks}</strong>, em: (chunks) => <em>{chunks}</em> })}
      </p>
      <div className="controls">
        <button
          type="button"
          onClick={() => {
            // Aborting useChat's fetch only closes the connection: the run is ended on the server too.
            const stopped = runId.current;
            forget();
            void stop();
            cancelChat(stopped, bearer(latestToken.current), '/v1/ui/chat');
          }}
          disabled={!busy}
          data-testid="ai-stop"
        >
          {t('stop')}
        </button>
      </div>
      <div className="turns">
        {turns.length === 0 ? <p className="note">{t('empty')}</p> : null}
        {turns.map((turn, index) => (
          <TurnView key={turn.key} turn={turn} testId="ai" live={index === turns.length - 1} />
        ))}
      </div>
    </section>
  );
}
