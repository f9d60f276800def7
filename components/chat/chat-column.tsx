'use client';

import { useTranslations } from 'next-intl';
import { memo, useDeferredValue, type ReactNode } from 'react';
import { DropButton } from '@/components/fault-injection';
import { Markdown } from '@/components/markdown';
import type { ToolCard, Turn } from './chat-state';
import { turnMetrics } from './chat-state';
import type { Ask } from './chat-transport';
import type { ChatColumnModel } from './use-chat';

interface ChatColumnProps {
  testId: string;
  title: string;
  subtitle: ReactNode;
  chat: ChatColumnModel;
  lastAsk: Ask | undefined;
  onRegenerate: () => void;
}

function ToolCards({ turn }: { turn: Turn }) {
  const t = useTranslations('chatPage');
  if (turn.tools.length === 0) return null;
  return (
    <ul className="tools">
      {turn.tools.map((tool) => (
        <li key={tool.id} className="tool" data-state={tool.state} data-testid="tool-card">
          <div className="tool-head">
            <span className="tool-name">{tool.name}</span>
            <span className="badge" data-state={tool.state === 'result' ? 'ready' : 'connecting'}>
              {t(`tool.${tool.state satisfies ToolCard['state']}`)}
            </span>
          </div>
          {tool.state === 'result' ? null : (
            // While the input streams this is its JSON text so far parsed as partial JSON: the
            // object fills in a piece at a time.
            <pre className="tool-body" data-testid="tool-input">
              {JSON.stringify(tool.input ?? {}, null, 2)}
            </pre>
          )}
          {tool.state === 'result' ? <pre className="tool-body">{JSON.stringify(tool.output, null, 2)}</pre> : null}
        </li>
      ))}
    </ul>
  );
}

// Memoised: while an answer streams, only its own turn re-renders, not the finished ones above it.
export const TurnView = memo(function TurnView({ turn, testId, live }: { turn: Turn; testId: string; live: boolean }) {
  const t = useTranslations('chatPage');
  const { ttftMs, tokensPerSecond } = turnMetrics(turn);
  // The answer renders as a deferred value: a new text first re-renders with the old one (every
  // Markdown block memoized, nothing parsed), then in the background, in slices React can
  // interrupt, so a fast stream's parsing never holds the main thread for long. The turn shows as
  // finished only once its whole text is on screen: the status and the text change together.
  const text = useDeferredValue(turn.text);
  const status = text === turn.text ? turn.status : 'streaming';
  return (
    <article className="turn" data-testid={`${testId}-turn`}>
      <p className="bubble user">{turn.prompt}</p>
      <div className="bubble assistant">
        <div className="turn-meta">
          <span className="badge" data-state={status} data-testid={live ? `${testId}-status` : undefined} role={live ? 'status' : undefined}>
            {status}
          </span>
          {turn.stage ? (
            <span className="stage" data-testid={live ? `${testId}-stage` : undefined}>
              {turn.stage}…
            </span>
          ) : null}
          {turn.stopped ? <span className="stage">{t('stopped')}</span> : null}
        </div>
        <ToolCards turn={turn} />
        <div data-testid={live ? `${testId}-answer` : undefined}>
          <Markdown text={text} streaming={status === 'submitted' || status === 'streaming'} />
        </div>
        {turn.error ? (
          <p className="turn-error" role="alert" data-testid={live ? `${testId}-error` : undefined}>
            {turn.error}
          </p>
        ) : null}
        <p className="note" data-testid={live ? `${testId}-metrics` : undefined}>
          {/* Numbers as strings: shown as the stream counted them, with no locale's digit grouping. */}
          {t('tokens', { count: turn.tokens, shown: String(turn.tokens) })}
          {ttftMs !== undefined ? ` · ${t('firstToken', { ms: String(ttftMs) })}` : ''}
          {tokensPerSecond !== undefined ? ` · ${t('rate', { rate: String(tokensPerSecond) })}` : ''}
          {turn.finishReason ? ` · ${t('finish', { reason: turn.finishReason })}` : ''}
        </p>
        {status === 'ready' && turn.text ? (
          <button
            type="button"
            className="chip"
            onClick={() => void navigator.clipboard.writeText(turn.text)}
            data-testid={live ? `${testId}-copy` : undefined}
          >
            {t('copy')}
          </button>
        ) : null}
      </div>
    </article>
  );
});

/** One transport's half of the chat: its conversation, its connection and its controls. */
export function ChatColumn({ testId, title, subtitle, chat, lastAsk, onRegenerate }: ChatColumnProps) {
  const t = useTranslations('chatPage');
  const { session, transport } = chat;
  const turns = session.state.turns;
  const last = turns.at(-1);
  const busy = session.current !== undefined;
  return (
    <section className="panel chat-column" data-testid={`${testId}-panel`} aria-label={title}>
      <div className="panel-head">
        <h2>{title}</h2>
        <span className="badge" data-state={transport.state} data-testid={`${testId}-connection`} role="status">
          {transport.state}
        </span>
      </div>
      <p className="panel-sub">{subtitle}</p>
      <dl className="stats">
        <div className="stat">
          <dt>{t('stats.lastEventId')}</dt>
          <dd data-testid={`${testId}-last-id`}>{transport.lastEventId || '—'}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.reconnects')}</dt>
          <dd data-testid={`${testId}-reconnects`}>{transport.reconnects}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.backoff')}</dt>
          <dd data-testid={`${testId}-backoff`}>{transport.backoff}</dd>
        </div>
        <div className="stat">
          <dt>{t('stats.replayed')}</dt>
          <dd data-testid={`${testId}-replayed`}>{last?.replayed ?? 0}</dd>
        </div>
      </dl>
      <div className="controls">
        <button type="button" onClick={chat.stop} disabled={!busy} data-testid={`${testId}-stop`}>
          {t('stop')}
        </button>
        <button type="button" onClick={onRegenerate} disabled={busy || !last || !lastAsk} data-testid={`${testId}-regenerate`}>
          {t('regenerate')}
        </button>
        <DropButton testId={testId} disabled={!busy || transport.state !== 'open'} onDrop={chat.drop} />
      </div>
      <div className="turns">
        {turns.length === 0 ? <p className="note">{t('empty')}</p> : null}
        {turns.map((turn, index) => (
          <TurnView key={turn.key} turn={turn} testId={testId} live={index === turns.length - 1} />
        ))}
      </div>
    </section>
  );
}
