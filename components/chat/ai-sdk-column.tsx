'use client';

import { useChat as useAiSdkChat } from '@ai-sdk/react';
import type { UIMessage, UIMessageChunk } from 'ai';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { bearer } from '@/lib/client/api';
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

/**
 * The chat through the AI SDK's `useChat` over `POST /v1/ui/chat` (`DefaultChatTransport`), with
 * `resume: true`: after a reload it asks `GET /v1/ui/chat/<run id>/stream` for the answer that was
 * streaming, which the server replays from its run log. Renders only in the browser (the answer in
 * flight is read from sessionStorage before the first render).
 */
export function AiSdkColumn({ token, onBusyChange, ref }: { token: string; onBusyChange: (busy: boolean) => void; ref?: Ref<AiSdkColumnHandle> }) {
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

  // The refs are read when a request is sent or a chunk arrives, never during render.
  // eslint-disable-next-line react-hooks/refs
  const [transport] = useState(() =>
    createAiSdkTransport(
      {
        onChunk(chunk: UIMessageChunk, source: ChunkSource) {
          const at = performance.now();
          if (source === 'resume') updateLast((meta) => ({ ...meta, resumed: true, resumeChunks: meta.resumeChunks + 1 }));
          // The server ended the answer: nothing left to resume. (Not useChat's onFinish, which
          // also runs when a reload cuts the connection, the very case resuming is for.)
          if (chunk.type === 'finish' || chunk.type === 'error') forget();
          if (chunk.type === 'text-delta') updateLast((meta) => ({ ...meta, tokens: meta.tokens + 1, firstTokenAt: meta.firstTokenAt ?? at }));
          else if (chunk.type === 'finish') {
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
    messages: restored ? [{ id: 'restored-user', role: 'user', parts: [{ type: 'text', text: restored.prompt }] }] : [],
  });
  const { messages, status, error, sendMessage, stop, setMessages } = chat;
  const busy = status === 'submitted' || status === 'streaming';

  useEffect(() => onBusyChange(busy), [busy, onBusyChange]);

  useImperativeHandle(ref, () => ({
    ask(ask) {
      current.current = ask;
      delay.current = ask.delayMs;
      setMetas((list) => [...list, { prompt: ask.prompt, seed: ask.seed, startedAt: performance.now(), tokens: 0, resumed: false, resumeChunks: 0 }]);
      void sendMessage({ text: ask.prompt });
    },
    clear() {
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
    <section className="panel chat-column" data-testid="ai-panel" aria-label="AI SDK useChat">
      <div className="panel-head">
        <h2>AI SDK useChat</h2>
        <span className="badge" data-state={busy ? 'open' : status === 'error' ? 'error' : 'idle'} data-testid="ai-connection" role="status">
          {status}
        </span>
      </div>
      <p className="panel-sub">
        <code>useChat</code> from <code>@ai-sdk/react</code> with <code>DefaultChatTransport</code>: <code>POST /v1/ui/chat</code>, the UI
        message stream; <code>resume: true</code> picks the answer up after a reload from <code>GET /v1/ui/chat/&lt;id&gt;/stream</code>.
      </p>
      <dl className="stats">
        <div className="stat">
          <dt>run id</dt>
          <dd data-testid="ai-run-id">{shownRunId ? `${shownRunId.slice(0, 9)}…` : '—'}</dd>
        </div>
        <div className="stat">
          <dt>last event id</dt>
          <dd data-testid="ai-last-id">none</dd>
        </div>
        <div className="stat">
          <dt>reconnects</dt>
          <dd data-testid="ai-reconnects">none</dd>
        </div>
        <div className="stat">
          <dt>back-off</dt>
          <dd data-testid="ai-backoff">none</dd>
        </div>
        <div className="stat">
          <dt>resumed</dt>
          <dd data-testid="ai-resumed">{lastMeta?.resumed ? 'yes' : 'no'}</dd>
        </div>
        <div className="stat">
          <dt>replayed</dt>
          <dd data-testid="ai-replayed">{lastMeta?.resumed ? `${lastMeta.resumeChunks} chunks` : 0}</dd>
        </div>
        <div className="stat">
          <dt>resume asks</dt>
          <dd data-testid="ai-resume-asks">{resumeAsksText(resumeAsks)}</dd>
        </div>
      </dl>
      <p className="note" data-testid="ai-stats-note">
        <strong>none</strong>: the AI SDK has no such thing. Its UI message stream carries no event ids, and <code>useChat</code> neither
        reconnects a dropped stream on its own nor backs off. It only resumes: once when the page loads (<code>resume: true</code>), and
        again when the tab becomes visible after a network drop. <em>resume asks</em> lists each: <code>204</code>, nothing to resume, or{' '}
        <code>replay</code>, which starts the answer over from its first chunk, not from where the page left off (<em>replayed</em> counts
        the chunks read on it).
      </p>
      <div className="controls">
        <button
          type="button"
          onClick={() => {
            forget();
            void stop();
          }}
          disabled={!busy}
          data-testid="ai-stop"
        >
          Stop
        </button>
      </div>
      <div className="turns">
        {turns.length === 0 ? <p className="note">Ask something to start.</p> : null}
        {turns.map((turn, index) => (
          <TurnView key={turn.key} turn={turn} testId="ai" live={index === turns.length - 1} />
        ))}
      </div>
    </section>
  );
}
