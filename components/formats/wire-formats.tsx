'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { bearer } from '@/lib/client/api';

/** One wire format: how to ask for the prompt's stream in it. Its title is `formats.formats.<id>`. */
interface WireFormat {
  id: 'ours' | 'openai' | 'anthropic' | 'ai-sdk';
  route: string;
  request(ask: WireAsk): { url: string; headers: Record<string, string>; body: unknown };
}

interface WireAsk {
  prompt: string;
  seed: number;
  delayMs: number;
  offerTool: boolean;
}

const TOOL_DESCRIPTION = 'Search the web';
const QUERY_SCHEMA = { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] };

const FORMATS: readonly WireFormat[] = [
  {
    id: 'ours',
    route: 'POST /api/chat',
    request: ({ prompt, seed, delayMs }) => ({
      url: '/api/chat',
      headers: {},
      body: { messages: [{ role: 'user', content: prompt }], options: { delayMs, seed } },
    }),
  },
  {
    id: 'openai',
    route: 'POST /v1/chat/completions',
    request: ({ prompt, seed, delayMs, offerTool }) => ({
      url: '/v1/chat/completions',
      headers: { 'X-Delay-Ms': String(delayMs) },
      body: {
        model: 'sse-lab',
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        stream_options: { include_usage: true },
        seed,
        ...(offerTool ? { tools: [{ type: 'function', function: { name: 'web_search', description: TOOL_DESCRIPTION, parameters: QUERY_SCHEMA } }] } : {}),
      },
    }),
  },
  {
    id: 'anthropic',
    route: 'POST /v1/messages',
    request: ({ prompt, seed, delayMs, offerTool }) => ({
      url: '/v1/messages',
      headers: { 'X-Delay-Ms': String(delayMs), 'X-Seed': String(seed), 'anthropic-version': '2023-06-01' },
      body: {
        model: 'sse-lab',
        max_tokens: 4096,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        ...(offerTool ? { tools: [{ name: 'web_search', description: TOOL_DESCRIPTION, input_schema: QUERY_SCHEMA }] } : {}),
      },
    }),
  },
  {
    id: 'ai-sdk',
    route: 'POST /v1/ui/chat',
    request: ({ prompt, seed, delayMs }) => ({
      url: '/v1/ui/chat',
      headers: { 'X-Delay-Ms': String(delayMs), 'X-Seed': String(seed) },
      body: { id: 'wire-formats', trigger: 'submit-message', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: prompt }] }] },
    }),
  },
];

/**
 * What one column has read so far. The status is the HTTP status line as received (protocol,
 * shown as is) and a phase the page words in the reader's language.
 */
interface Wire {
  phase: 'idle' | 'connecting' | 'open' | 'ended' | 'failed';
  status: string;
  error?: string;
  text: string;
  bytes: number;
  chunks: number;
}

const EMPTY: Wire = { phase: 'idle', status: '', text: '', bytes: 0, chunks: 0 };

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/**
 * Reads a response body as it arrives, with no SSE parser in between: every chunk the network
 * hands over is decoded and appended as it is, so the frames show exactly as they are sent.
 */
async function readRaw(response: Response, onChunk: (text: string, bytes: number) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  // A character split between two chunks is held back until its end arrives.
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(decoder.decode(value, { stream: true }), value.byteLength);
  }
}

/** One prompt, sent at once to the four endpoints; each column shows its raw bytes as they come. */
export function WireFormats() {
  const t = useTranslations('formats');
  // The prompt stays English in every language: the simulated model answers English only.
  const [prompt, setPrompt] = useState(t('defaultPrompt'));
  const [seedText, setSeedText] = useState('7');
  const [delayMs, setDelayMs] = useState(60);
  const [offerTool, setOfferTool] = useState(true);
  const [token, setToken] = useState('demo-token');
  const [wires, setWires] = useState<Record<string, Wire>>({});
  const controller = useRef<AbortController | null>(null);

  const update = (id: string, change: (wire: Wire) => Wire) => setWires((all) => ({ ...all, [id]: change(all[id] ?? EMPTY) }));
  // Leaving the page ends its four streams (and so the server's work for them).
  useEffect(() => () => controller.current?.abort(), []);

  function run(event: FormEvent) {
    event.preventDefault();
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const ask: WireAsk = { prompt, seed: /^\d+$/.test(seedText) ? Number(seedText) : 0, delayMs, offerTool };
    setWires({});
    for (const format of FORMATS) {
      const { url, headers, body } = format.request(ask);
      update(format.id, () => ({ ...EMPTY, phase: 'connecting' }));
      void (async () => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...bearer(token), ...headers },
            body: JSON.stringify(body),
            signal: abort.signal,
          });
          update(format.id, (wire) => ({ ...wire, phase: 'open', status: `${response.status} ${response.headers.get('content-type') ?? ''}` }));
          await readRaw(response, (text, bytes) => update(format.id, (wire) => ({ ...wire, text: wire.text + text, bytes: wire.bytes + bytes, chunks: wire.chunks + 1 })));
          update(format.id, (wire) => ({ ...wire, phase: 'ended' }));
        } catch (error) {
          if (!abort.signal.aborted) update(format.id, (wire) => ({ ...wire, phase: 'failed', error: (error as Error).message }));
        }
      })();
    }
  }

  return (
    <>
      <form className="panel chat-form" onSubmit={run} data-testid="wire-form">
        <label htmlFor="wire-prompt" className="sr-only">
          {t('promptLabel')}
        </label>
        <textarea id="wire-prompt" value={prompt} onChange={(event) => setPrompt(event.target.value)} rows={2} data-testid="wire-prompt" />
        <div className="chat-options">
          <label>
            {t('delay')}{' '}
            <input type="number" min={0} max={1000} value={delayMs} onChange={(event) => setDelayMs(Number(event.target.value))} data-testid="wire-delay" />{' '}
            {t('msPerToken')}
          </label>
          <label>
            {t('seed')} <input value={seedText} onChange={(event) => setSeedText(event.target.value)} inputMode="numeric" data-testid="wire-seed" />
          </label>
          <label>
            <input type="checkbox" checked={offerTool} onChange={(event) => setOfferTool(event.target.checked)} data-testid="wire-offer-tool" />{' '}
            {t.rich('offerTool', { code })}
          </label>
          <label>
            {t('token')} <input value={token} onChange={(event) => setToken(event.target.value)} data-testid="wire-token" />
          </label>
          <button type="submit" className="primary" disabled={!prompt.trim()} data-testid="wire-send">
            {t('send')}
          </button>
        </div>
      </form>
      <div className="grid-2 wire-grid">
        {FORMATS.map((format) => {
          const wire = wires[format.id] ?? EMPTY;
          const title = t(`formats.${format.id}`);
          const phase = wire.phase === 'failed' ? t('status.failed', { message: wire.error ?? '' }) : wire.phase === 'open' ? '' : t(`status.${wire.phase}`);
          return (
            <section key={format.id} className="panel" data-testid={`wire-${format.id}`} aria-label={title}>
              <div className="panel-head">
                <h2>{title}</h2>
                <span className="badge" data-state={wire.phase} data-testid={`wire-${format.id}-status`}>
                  {[wire.status, phase].filter(Boolean).join(' · ')}
                </span>
              </div>
              <p className="panel-sub">
                <code>{format.route}</code> · {t('reads', { bytes: wire.bytes, chunks: wire.chunks })}
              </p>
              <pre className="wire-frames" data-testid={`wire-${format.id}-frames`}>
                {wire.text}
              </pre>
            </section>
          );
        })}
      </div>
    </>
  );
}
