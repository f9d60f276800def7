/**
 * A deterministic stand-in for a language model, so the chat demo, its end-to-end tests and the
 * benchmarks stream realistic answers without a network, a key or a bill. The same messages and
 * seed always give the same steps, delays included; the seed only varies phrasing, never facts.
 */

import { seededRandom } from '../seeded-random';
import type { ChatMessage, ChatStep } from './protocol';

/** Settings of {@link simulateChat}. */
export interface SimulateOptions {
  /** Mean pause before each token, an integer from 0 to 1000; the status steps scale with it. */
  delayMs: number;
  /** Picks the phrasing and the jitter, an unsigned 32-bit integer. */
  seed: number;
}

/** Per-token pacing that reads as a fast model: about 20 to 50 tokens a second. */
export const DEFAULT_DELAY_MS = 30;

const MAX_DELAY_MS = 1000;
const MAX_COMPLETION_TOKENS = 4096;
// `/long` adds sections until it passes the target; the biggest section is far smaller than the
// gap to the completion cap, so a long answer still finishes with 'stop'.
const LONG_TARGET_TOKENS = 2400;
const EXCERPT_CHARS = 80;
const ERROR_MESSAGE = 'The simulated model failed mid-answer (/error in the prompt).';

// ---------------------------------------------------------------------------------------------
// Randomness

type Random = () => number;


function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('Cannot pick from an empty list.');
  return item;
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) throw new Error('Shuffle index out of range.');
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Tokens

// A word with its leading space, a run of up to three identical punctuation marks (so a code fence
// is one token) with its leading space, newlines, indentation that leaves one space for the next
// word, and finally any single character so every input is consumed.
const TOKEN = /\n+|[ \t]+(?=[ \t]\S)|[ \t]+(?=\n|$)| ?[\p{L}\p{N}]+| ?([^\s\p{L}\p{N}])\1{0,2}|[\s\S]/u;
const WORD = /^ ?[\p{L}\p{N}]+$/u;
const CAMEL_HUMP = /(?<=\p{Ll})(?=\p{Lu})/u;
const MAX_WHOLE_WORD = 6;
const MAX_WORD_PIECE = 5;

/** Splits a long word the way subword tokenizers roughly do: at camel humps, then in even pieces. */
function* splitWord(word: string): Generator<string, void, undefined> {
  const space = word.startsWith(' ') ? ' ' : '';
  const letters = space ? word.slice(1) : word;
  if (letters.length <= MAX_WHOLE_WORD) {
    yield word;
    return;
  }
  let prefix = space;
  for (const hump of letters.split(CAMEL_HUMP)) {
    const chars = Array.from(hump);
    const count = chars.length <= MAX_WHOLE_WORD ? 1 : Math.ceil(chars.length / MAX_WORD_PIECE);
    const size = Math.floor(chars.length / count);
    const longer = chars.length % count;
    let at = 0;
    for (let i = 0; i < count; i += 1) {
      const end = at + size + (i < longer ? 1 : 0);
      yield prefix + chars.slice(at, end).join('');
      prefix = '';
      at = end;
    }
  }
}

/** Cuts text into model-like tokens; joining them gives the text back exactly. */
function* tokenize(text: string): Generator<string, void, undefined> {
  // A fresh expression per call: a shared global one would carry `lastIndex` between generators.
  const pattern = new RegExp(TOKEN.source, 'gu');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (WORD.test(match[0])) yield* splitWord(match[0]);
    else yield match[0];
  }
}

/**
 * A rough token count: the number of tokens the simulated model would cut `text` into (words with
 * their leading space, punctuation, newlines, long words in pieces). Used for `promptTokens`.
 */
export function estimateTokens(text: string): number {
  const tokens = tokenize(text);
  let count = 0;
  while (!tokens.next().done) count += 1;
  return count;
}

// ---------------------------------------------------------------------------------------------
// Knowledge

interface Source {
  title: string;
  url: string;
  snippet: string;
}

interface Topic {
  /** Heading of the topic's section in a long answer, and its name in the fallback's list. */
  title: string;
  /** How a sentence refers to the topic: "more on {subject}". */
  subject: string;
  /**
   * Lowercase phrases and their weight; the topic with the highest total answers if it reaches
   * {@link MIN_SCORE}. Weight 1 marks words too common to pick a topic on their own.
   */
  keywords: Readonly<Record<string, number>>;
  /** Search query when the prompt itself has no useful words. */
  query: string;
  intros: readonly string[];
  paragraphs: readonly string[];
  /** Extra depth for follow-ups and long answers. */
  deeper: string;
  list: { lead: string; items: readonly string[]; ordered: boolean };
  code: { lead: string; lines: readonly string[] };
  outros: readonly string[];
  sources: readonly Source[];
}

const SPEC = 'https://html.spec.whatwg.org/multipage/server-sent-events.html';
const MDN = 'https://developer.mozilla.org/en-US/docs/Web';

const MDN_USING_SSE: Source = {
  title: 'Using server-sent events - Web APIs | MDN',
  url: `${MDN}/API/Server-sent_events/Using_server-sent_events`,
  snippet:
    'How to send events from the server as a text/event-stream response and receive them in the browser with EventSource, including named events and IDs.',
};
const SPEC_SSE: Source = {
  title: 'HTML Standard: Server-sent events',
  url: SPEC,
  snippet: 'The EventSource interface, the text/event-stream format and the processing model for reconnection.',
};
const MDN_EVENTSOURCE: Source = {
  title: 'EventSource - Web APIs | MDN',
  url: `${MDN}/API/EventSource`,
  snippet:
    'EventSource opens a persistent connection to an HTTP server that sends events in text/event-stream format; it stays open until closed.',
};
const MDN_READABLE_STREAMS: Source = {
  title: 'Using readable streams - Web APIs | MDN',
  url: `${MDN}/API/Streams_API/Using_readable_streams`,
  snippet: 'Reading a fetch response body chunk by chunk with a reader, and building your own ReadableStream.',
};
const NEXT_ROUTE: Source = {
  title: 'File-system conventions: route.js | Next.js',
  url: 'https://nextjs.org/docs/app/api-reference/file-conventions/route',
  snippet:
    'Route handlers use the Web Request and Response APIs; a handler can return a Response with a ReadableStream body to stream data.',
};

const TOPICS: readonly Topic[] = [
  {
    title: 'What Server-Sent Events are',
    subject: 'Server-Sent Events',
    keywords: {
      'server-sent events': 3,
      'server-sent event': 3,
      'server sent events': 3,
      'server sent event': 3,
      sse: 2,
      'text/event-stream': 3,
      'event stream': 2,
      introduction: 1,
      overview: 1,
      basics: 1,
    },
    query: 'server-sent events EventSource text/event-stream',
    intros: [
      'Server-Sent Events (SSE) are a standard way for a server to push a stream of text events to a browser over one long-lived HTTP response.',
      'SSE, short for Server-Sent Events, lets a server keep an HTTP response open and write events into it whenever it has something new.',
      'In short: Server-Sent Events are one-way, server-to-client messages sent over a plain HTTP response that stays open.',
    ],
    paragraphs: [
      "The client makes an ordinary `GET` request, and the server answers with `Content-Type: text/event-stream` and keeps writing. Each event is a few lines of UTF-8 text such as `data: hello`, ended by a blank line. The browser's built-in `EventSource` parses that format, fires a `message` event (or a named event) for each block, and reconnects by itself when the connection drops.",
      'Because it is plain HTTP, SSE works with existing load balancers, cookies, CORS and HTTP/2, with no protocol upgrade. The trade-off is direction: the client cannot send messages back on the same connection, so it uses ordinary requests such as `fetch` for that.',
    ],
    deeper:
      'A detail worth knowing: the format has only four fields. `data` carries the payload (several `data:` lines are joined with newlines), `event` names the event type, `id` sets the last event ID used for resuming, and `retry` changes the reconnection delay in milliseconds. Lines starting with a colon are comments, which servers use as heartbeats, and unknown fields are ignored, which keeps the format forward-compatible.',
    list: {
      lead: 'Where SSE is a good fit:',
      ordered: false,
      items: [
        'Live dashboards, scoreboards and price tickers.',
        'Notifications and activity feeds.',
        'Progress of long-running jobs such as builds, imports or uploads.',
        'Streaming AI answers token by token.',
        'Log tails and audit trails in admin tools.',
      ],
    },
    code: {
      lead: 'A minimal client looks like this:',
      lines: [
        "const source = new EventSource('/api/events');",
        '',
        "source.addEventListener('message', (event) => {",
        "  console.log('received', event.data);",
        '});',
        '',
        "source.addEventListener('error', () => {",
        '  // CONNECTING while the browser retries, CLOSED once it has given up.',
        "  console.log('state', source.readyState);",
        '});',
      ],
    },
    outros: [
      'If you only need server-to-client updates, SSE is usually the simplest thing that works.',
      'Start with `EventSource`, and reach for WebSockets only when the client must also talk back over the same connection.',
      'Happy to go deeper into reconnection, proxies or streaming from Next.js next.',
    ],
    sources: [MDN_USING_SSE, SPEC_SSE, MDN_EVENTSOURCE],
  },
  {
    title: 'The event stream format',
    subject: 'the event stream format',
    keywords: {
      format: 1,
      'wire format': 3,
      'stream format': 3,
      'data:': 3,
      'event:': 3,
      'id:': 3,
      'retry:': 3,
      parse: 1,
      parser: 1,
      parsing: 1,
      parsed: 1,
      field: 1,
      fields: 1,
      'multi-line': 1,
      multiline: 1,
      newline: 1,
      newlines: 1,
      comment: 1,
      encode: 1,
      encoder: 1,
      encoding: 1,
      framing: 2,
    },
    query: 'text/event-stream format fields parsing',
    intros: [
      'The `text/event-stream` format is deliberately tiny: lines of `field: value`, with a blank line ending each event.',
      'An event stream is just UTF-8 text made of fields and blank lines, which is why any server can produce one.',
      'It helps to look at the bytes on the wire, because the format is small enough to learn in a minute.',
    ],
    paragraphs: [
      'Each line is `name: value`, and one space after the colon is dropped. The fields are `data`, `event`, `id` and `retry`. A blank line dispatches the event collected so far. Lines may end in LF, CR or CRLF, and a line that starts with `:` is a comment the parser skips.',
      'A multi-line payload goes out as several `data:` lines, which the client joins with `\\n`. That is why an encoder must split the payload on line breaks instead of writing it on one line: a raw newline inside a value would end the field early. For the same reason, `event` and `id` values must not contain CR or LF at all.',
    ],
    deeper:
      'On the reading side, decode the body as UTF-8 with a streaming decoder, so a multi-byte character split across two chunks survives, and buffer until a line ending arrives. A CR at the very end of a chunk is ambiguous: it may stand alone or be the first half of a CRLF, so a careful parser waits for the next chunk before deciding. A byte-order mark is skipped once, at the start of the stream.',
    list: {
      lead: 'The parsing rules that trip people up:',
      ordered: false,
      items: [
        'An event with no `data` field is not dispatched at all.',
        'An event without its final blank line is discarded when the stream ends.',
        '`retry` is accepted only when its value is all ASCII digits.',
        'An `id` containing a NULL character is ignored.',
        'Unknown field names are ignored, so new fields cannot break old clients.',
      ],
    },
    code: {
      lead: 'An encoder that gets the framing right (checks on `event` and `id` left out for brevity):',
      lines: [
        'function encodeEvent(data: string, options: { event?: string; id?: string } = {}): string {',
        "  let out = '';",
        '  if (options.event) out += `event: ${options.event}\\n`;',
        '  if (options.id !== undefined) out += `id: ${options.id}\\n`;',
        '  for (const line of data.split(/\\r\\n|\\r|\\n/)) out += `data: ${line}\\n`;',
        "  return out + '\\n';",
        '}',
        '',
        "encodeEvent('line one\\nline two', { event: 'update', id: '42' });",
        '// "event: update\\nid: 42\\ndata: line one\\ndata: line two\\n\\n"',
      ],
    },
    outros: [
      'Get the encoder right once and every endpoint inherits correct framing.',
      'When in doubt, test the exact bytes: it is the cheapest way to catch framing bugs.',
      'Those few rules cover nearly every bug in hand-rolled SSE code.',
    ],
    sources: [
      {
        title: 'HTML Standard: Parsing an event stream',
        url: `${SPEC}#parsing-an-event-stream`,
        snippet: 'The grammar of text/event-stream and the line-by-line algorithm that turns fields into events.',
      },
      { ...MDN_USING_SSE, url: `${MDN_USING_SSE.url}#event_stream_format` },
      SPEC_SSE,
    ],
  },
  {
    title: 'EventSource or fetch streaming',
    subject: 'EventSource versus fetch streaming',
    keywords: {
      eventsource: 3,
      'event source': 2,
      fetch: 3,
      getreader: 3,
      'get reader': 2,
      post: 1,
      'custom headers': 3,
      'fetch-event-source': 3,
      textdecoderstream: 2,
      'response.body': 2,
    },
    query: 'EventSource vs fetch ReadableStream streaming',
    intros: [
      'Both can consume a `text/event-stream` response; the difference is how much the browser does for you.',
      '`EventSource` is the batteries-included client, while `fetch` with a stream reader gives you full control at the cost of parsing the stream yourself.',
      'Short version: use `EventSource` for simple GET subscriptions and `fetch` when you need POST bodies, headers or precise control.',
    ],
    paragraphs: [
      '`EventSource` handles parsing, reconnection, the `Last-Event-ID` header and the `retry` field for you. But it only makes `GET` requests, cannot set custom headers such as `Authorization`, and does not let you see the status code or headers when a connection fails.',
      'With `fetch`, you read `response.body` as a `ReadableStream`, pipe it through `TextDecoderStream` and an event-stream parser, and handle reconnection yourself. In exchange you can send a JSON body, add headers, check `response.ok` and the content type, and cancel cleanly with an `AbortController`.',
    ],
    deeper:
      'The biggest practical difference is failure handling. `EventSource` retries after network errors but gives up for good on a non-200 status or a wrong content type, and its `error` event does not say which happened. A `fetch`-based client can read the status, honour `Retry-After` on a 503, stop on a 401 or 404, and resume with `Last-Event-ID` only when that makes sense.',
    list: {
      lead: 'Choose `fetch` streaming when you need:',
      ordered: false,
      items: [
        'A `POST` request with a body, as chat UIs do when they send the conversation.',
        'An `Authorization` header or other custom headers.',
        'The status code and headers of a failed response.',
        'Your own reconnection policy, such as exponential back-off with jitter.',
        'Cancellation tied to an `AbortSignal` shared with the rest of your app.',
      ],
    },
    code: {
      lead: 'Reading an event stream with `fetch` and the `eventsource-parser` package:',
      lines: [
        "import { EventSourceParserStream } from 'eventsource-parser/stream';",
        '',
        'async function streamChat(messages: unknown[], signal: AbortSignal): Promise<void> {',
        "  const response = await fetch('/api/chat', {",
        "    method: 'POST',",
        "    headers: { 'content-type': 'application/json' },",
        '    body: JSON.stringify({ messages }),',
        '    signal,',
        '  });',
        '  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);',
        '',
        '  const events = response.body',
        '    .pipeThrough(new TextDecoderStream())',
        '    .pipeThrough(new EventSourceParserStream())',
        '    .getReader();',
        '  for (;;) {',
        '    const { value, done } = await events.read();',
        '    if (done) break;',
        '    console.log(value.event, value.data);',
        '  }',
        '}',
      ],
    },
    outros: [
      'Many apps use both: `EventSource` for public feeds and `fetch` for authenticated or POST-based streams.',
      'If you take the `fetch` route, keep the parser spec-compliant and test it with awkward chunk boundaries.',
      'Either way the server side is identical: the same `text/event-stream` response.',
    ],
    sources: [
      MDN_EVENTSOURCE,
      MDN_READABLE_STREAMS,
      {
        title: 'Using the Fetch API - Web APIs | MDN',
        url: `${MDN}/API/Fetch_API/Using_Fetch`,
        snippet: 'Making requests with fetch, setting a method, headers and a body, and reading the response as a stream.',
      },
    ],
  },
  {
    title: 'SSE, WebSocket or polling',
    subject: 'SSE, WebSocket and polling',
    keywords: {
      websocket: 3,
      websockets: 3,
      'web socket': 3,
      'web sockets': 3,
      'socket.io': 3,
      polling: 3,
      'long polling': 3,
      'long-polling': 3,
      poll: 2,
      webtransport: 3,
      vs: 1,
      versus: 1,
      compare: 1,
      comparison: 1,
      difference: 1,
      alternatives: 1,
      bidirectional: 2,
      'full-duplex': 2,
      duplex: 2,
    },
    query: 'SSE vs WebSocket vs long polling',
    intros: [
      'All three get fresh data to the browser; they differ in direction, overhead and how much infrastructure they need.',
      'The right choice depends mostly on who needs to talk: only the server, or both sides.',
      'Here is how the three classic approaches compare in practice.',
    ],
    paragraphs: [
      '**Polling** asks the server every few seconds. It is trivial to build and easy to cache, but it trades latency against wasted requests. **Long polling** holds each request open until there is news, and the client asks again straight away; latency drops, but every message still costs a new request.',
      '**SSE** keeps one HTTP response open and streams text events from server to client, with reconnection and resume built in. **WebSocket** upgrades the connection to its own full-duplex protocol (RFC 6455), so both sides can send text or binary messages at any time, but reconnection, heartbeats and message formats are up to you, and some proxies need extra configuration.',
    ],
    deeper:
      'Costs differ too. An idle SSE connection is just an open HTTP response, which is cheap on servers built for many concurrent requests. Over HTTP/2 many SSE streams share one TCP connection, while each WebSocket usually gets a connection of its own (WebSockets over HTTP/2 exist, per RFC 8441, but support varies). Polling multiplies request overhead by the number of clients times the poll rate.',
    list: {
      lead: 'A rough rule of thumb:',
      ordered: false,
      items: [
        'The server pushes and the client rarely sends: SSE.',
        'Both sides send often, or you need binary messages: WebSocket.',
        'Updates every minute or so, or infrastructure you cannot change: polling.',
        'Environments where streaming responses get buffered: long polling.',
      ],
    },
    code: {
      lead: 'The SSE and WebSocket clients side by side:',
      lines: [
        'declare function render(update: unknown): void;',
        '',
        '// SSE: one-way, reconnects and resumes by itself.',
        "const events = new EventSource('/api/feed');",
        'events.onmessage = (event) => render(JSON.parse(event.data));',
        '',
        '// WebSocket: two-way, reconnection is up to you.',
        "const socket = new WebSocket('wss://example.com/feed');",
        'socket.onmessage = (event) => render(JSON.parse(event.data));',
        "socket.onopen = () => socket.send(JSON.stringify({ subscribe: 'prices' }));",
      ],
    },
    outros: [
      'For most dashboards, feeds and AI chat UIs, SSE is the lighter choice.',
      'Pick the simplest transport that fits your traffic; you can always move up later.',
      'If you are unsure, start with SSE: moving to WebSocket later is easy if you ever need two-way traffic.',
    ],
    sources: [
      {
        title: 'The WebSocket API (WebSockets) - Web APIs | MDN',
        url: `${MDN}/API/WebSockets_API`,
        snippet: 'Opening a two-way interactive session between the browser and a server, sending and receiving messages.',
      },
      MDN_USING_SSE,
      {
        title: 'RFC 6455: The WebSocket Protocol',
        url: 'https://www.rfc-editor.org/rfc/rfc6455',
        snippet: 'The opening handshake as an HTTP Upgrade, the framing of messages, and the closing handshake.',
      },
    ],
  },
  {
    title: 'Reconnection and Last-Event-ID',
    subject: 'reconnection and `Last-Event-ID`',
    keywords: {
      reconnect: 3,
      reconnects: 3,
      reconnection: 3,
      reconnecting: 3,
      'last-event-id': 3,
      'last event id': 3,
      lasteventid: 3,
      retry: 2,
      resume: 3,
      resuming: 3,
      'event id': 2,
      'event ids': 2,
      replay: 2,
      missed: 1,
      dropped: 1,
      disconnect: 2,
      disconnected: 2,
      'connection lost': 2,
      backoff: 2,
      'back-off': 2,
    },
    query: 'EventSource reconnection Last-Event-ID retry',
    intros: [
      'Reconnection is where SSE shines: resuming is built into the protocol.',
      'The browser reconnects on its own, and with event IDs it can pick up exactly where it left off.',
      "Resuming a stream takes two pieces: IDs on the server's events and a replay buffer behind them.",
    ],
    paragraphs: [
      'When the server writes `id: 42` with an event, the browser remembers it as the last event ID. If the connection drops, `EventSource` waits for the reconnection time and sends a new request with the header `Last-Event-ID: 42`. The server reads that header and replays everything after event 42 before going back to live events.',
      'The browser picks the delay before reconnecting, typically a few seconds, and the server can change it with a line like `retry: 5000` (in milliseconds). Note that `EventSource` only retries after a network error or when the response ends; an HTTP error status or a wrong `Content-Type` closes it for good, and `204 No Content` is the polite way for a server to say "stop".',
    ],
    deeper:
      'Two edge cases deserve care. First, reconnect storms: when a server restarts, every client comes back at once, so custom clients should add exponential back-off with jitter, and a busy server can raise `retry`. Second, ID semantics: the last event ID carries over to events without an `id` field, and an `id:` line with an empty value resets it, so the next reconnect sends no `Last-Event-ID` header at all.',
    list: {
      lead: 'A server checklist for resumable streams:',
      ordered: true,
      items: [
        'Give every event a unique, increasing `id`.',
        'Keep a bounded buffer of recent events, or read them back from storage.',
        'On connect, read `Last-Event-ID` and replay newer events before going live.',
        'If the ID is older than the buffer, send a snapshot or a "reset" event instead of silently skipping data.',
        'Send `retry:` once at the start if the default delay does not suit you.',
      ],
    },
    code: {
      lead: 'Replaying missed events in a route handler:',
      lines: [
        'declare const history: { after(id: number): Iterable<{ id: number; data: unknown }> };',
        '',
        'export async function GET(request: Request): Promise<Response> {',
        "  const lastId = Number(request.headers.get('last-event-id')) || 0;",
        '  const encoder = new TextEncoder();',
        '  const stream = new ReadableStream<Uint8Array>({',
        '    start(controller) {',
        "      controller.enqueue(encoder.encode('retry: 3000\\n\\n'));",
        '      for (const event of history.after(lastId)) {',
        '        controller.enqueue(encoder.encode(`id: ${event.id}\\ndata: ${JSON.stringify(event.data)}\\n\\n`));',
        '      }',
        '      // ...then subscribe to live events and enqueue them the same way.',
        '    },',
        '  });',
        "  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });",
        '}',
      ],
    },
    outros: [
      'With IDs and a replay buffer, a flaky mobile connection loses nothing.',
      'Test it by cutting the connection mid-stream and checking that no event is lost or duplicated.',
      'Resume support costs little on the server and prevents a whole class of "where did my update go" bugs.',
    ],
    sources: [
      {
        title: 'HTML Standard: The Last-Event-ID header',
        url: `${SPEC}#the-last-event-id-header`,
        snippet: 'The header a user agent sends when it reconnects, carrying the last event ID it saw.',
      },
      MDN_USING_SSE,
      {
        title: 'EventSource: error event - Web APIs | MDN',
        url: `${MDN}/API/EventSource/error_event`,
        snippet: 'Fired when a connection could not be opened or was lost; readyState tells a retry from a final close.',
      },
    ],
  },
  {
    title: 'Heartbeats, proxies and buffering',
    subject: 'heartbeats, proxies and buffering',
    keywords: {
      heartbeat: 3,
      heartbeats: 3,
      'keep-alive': 2,
      keepalive: 2,
      ping: 1,
      proxy: 3,
      proxies: 3,
      'reverse proxy': 3,
      nginx: 3,
      buffering: 3,
      buffered: 3,
      buffer: 1,
      'x-accel-buffering': 3,
      timeout: 1,
      timeouts: 1,
      'load balancer': 3,
      cdn: 2,
      cloudflare: 2,
      compression: 2,
      gzip: 2,
      'all at once': 3,
      idle: 1,
    },
    query: 'SSE nginx proxy_buffering heartbeat timeout',
    intros: [
      'If events arrive in bursts, or the connection dies after a minute, something between the server and the browser is usually to blame.',
      'Most SSE problems in production come not from your code but from the proxies in front of it.',
      'Streaming only works if every hop passes bytes on immediately and keeps quiet connections open.',
    ],
    paragraphs: [
      'Reverse proxies such as nginx buffer upstream responses by default, so small events pile up until a buffer fills. Turn that off for the stream with `proxy_buffering off;` in the location block, or send the response header `X-Accel-Buffering: no` from the app. Compression can buffer too, so leave `text/event-stream` out of gzip, or make sure the compressor flushes after each event.',
      "Idle connections are the other problem: proxies, load balancers and some networks close connections that carry no bytes for a while (nginx's `proxy_read_timeout` defaults to 60 seconds). The HTML standard suggests sending a comment line, one that starts with `:`, every 15 seconds or so; clients ignore it, but it keeps every hop from timing out.",
    ],
    deeper:
      'To find the hop that buffers, compare timings layer by layer: `curl -N` straight to the app, then through the proxy, then through the CDN. If events arrive one by one from the app but in bursts through the proxy, that proxy is buffering. Some platforms also buffer or cap the duration of responses, so check their streaming documentation, and prefer heartbeats to raising timeouts to hours.',
    list: {
      lead: 'Headers and settings worth having:',
      ordered: false,
      items: [
        '`Content-Type: text/event-stream`; the stream is always UTF-8.',
        '`Cache-Control: no-cache, no-transform`, so caches and proxies neither store nor rewrite the stream.',
        '`X-Accel-Buffering: no`, to switch off nginx buffering for that response.',
        'A heartbeat comment such as `: ping` about every 15 seconds.',
        'Load balancer idle timeouts longer than the heartbeat interval.',
      ],
    },
    code: {
      lead: 'A heartbeat and the headers, ready for a route handler:',
      lines: [
        'const HEARTBEAT_MS = 15_000;',
        '',
        'function startHeartbeat(controller: ReadableStreamDefaultController<Uint8Array>): () => void {',
        "  const ping = new TextEncoder().encode(': ping\\n\\n');",
        '  const timer = setInterval(() => controller.enqueue(ping), HEARTBEAT_MS);',
        "  return () => clearInterval(timer); // call from the stream's cancel() and on abort",
        '}',
        '',
        'const headers = {',
        "  'content-type': 'text/event-stream',",
        "  'cache-control': 'no-cache, no-transform',",
        "  'x-accel-buffering': 'no',",
        '};',
      ],
    },
    outros: [
      'Test through the same proxy chain you run in production; localhost hides all of this.',
      '`curl -N` against the public URL is the quickest way to see whether events arrive one at a time.',
      'With buffering off and heartbeats on, most "SSE is flaky" reports disappear.',
    ],
    sources: [
      {
        title: 'Module ngx_http_proxy_module: proxy_buffering',
        url: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering',
        snippet: 'Enables or disables buffering of responses from the proxied server; X-Accel-Buffering can switch it per response.',
      },
      {
        title: 'HTML Standard: Server-sent events, authoring notes',
        url: `${SPEC}#authoring-notes`,
        snippet: 'Proxies may drop idle connections; a comment line every 15 seconds or so keeps them open.',
      },
      MDN_USING_SSE,
    ],
  },
  {
    title: 'Streaming AI responses',
    subject: 'streaming AI responses',
    keywords: {
      ai: 3,
      llm: 3,
      llms: 3,
      gpt: 3,
      chatgpt: 3,
      openai: 3,
      claude: 2,
      model: 1,
      models: 1,
      token: 2,
      tokens: 2,
      chat: 2,
      chatbot: 3,
      'time to first token': 3,
      ttft: 3,
      typewriter: 2,
      completion: 1,
      generation: 1,
    },
    query: 'streaming LLM responses tokens server-sent events',
    intros: [
      'Streaming is what makes AI chat feel fast: the first words appear within moments instead of after the whole answer is written.',
      'A language model produces its answer one token at a time, and SSE is a natural way to pass those tokens straight to the browser.',
      'This very answer is streamed that way: as events, one small token at a time.',
    ],
    paragraphs: [
      'The usual design sends the conversation in a `POST` request and gets a `text/event-stream` response back. The server forwards each piece of the answer as an event, for example `{ "text": " stream" }`, plus a few control events: a status while the model thinks or calls tools, and a final event with the finish reason and token usage.',
      'Two things are easy to miss. An error in the middle of an answer cannot change the HTTP status, which was already 200, so it has to travel as an `error` event in the stream. And when the user presses Stop or closes the tab, the server should notice through the request\'s abort signal and stop the model; otherwise you keep paying for tokens nobody reads.',
    ],
    deeper:
      'Providers stream for the same reason: a long answer can take many seconds to generate, while each token is ready within tens of milliseconds. Tokens are fragments, often part of a word with its leading space, so the client should append them as plain text and render markdown from the accumulated answer, never from single tokens. Batching updates per animation frame keeps rendering smooth when tokens arrive faster than the screen refreshes.',
    list: {
      lead: 'What a good streaming chat UI handles:',
      ordered: false,
      items: [
        'Time to first token: a thinking state until the first token arrives.',
        'A Stop button wired to an `AbortController`.',
        'Incomplete markdown, rendered safely while it is still arriving.',
        'Auto-scroll that pauses when the user scrolls up to read.',
        'A clear message and a retry option when the stream ends with an error.',
      ],
    },
    code: {
      lead: 'Folding the events into the answer on the client:',
      lines: [
        'type ChatEvent =',
        "  | { type: 'token'; text: string }",
        "  | { type: 'error'; message: string }",
        "  | { type: 'done'; finishReason: 'stop' | 'length' };",
        '',
        'function applyEvent(answer: string, event: ChatEvent): string {',
        '  switch (event.type) {',
        "    case 'token':",
        '      return answer + event.text;',
        "    case 'error':",
        '      throw new Error(event.message);',
        "    case 'done':",
        '      return answer;',
        '  }',
        '}',
      ],
    },
    outros: [
      'Keep token events small and control events explicit, and the UI logic stays simple.',
      'Measure time to first token and tokens per second; they are the numbers users actually feel.',
      'The same pattern works for any long-running generation, not only chat.',
    ],
    sources: [
      MDN_READABLE_STREAMS,
      {
        title: 'AbortController - Web APIs | MDN',
        url: `${MDN}/API/AbortController`,
        snippet: 'An object that lets you abort one or more web requests, such as a streaming fetch, when you need to.',
      },
      NEXT_ROUTE,
    ],
  },
  {
    title: 'Streaming from Next.js route handlers',
    subject: 'streaming from Next.js route handlers',
    keywords: {
      'next.js': 3,
      nextjs: 3,
      'next js': 3,
      next: 1,
      'route handler': 3,
      'route handlers': 3,
      'route.ts': 3,
      'app router': 3,
      'app/api': 3,
      readablestream: 2,
      'readable stream': 2,
      vercel: 2,
      serverless: 2,
      'edge runtime': 2,
      runtime: 1,
      react: 1,
    },
    query: 'Next.js route handler streaming ReadableStream',
    intros: [
      'In the App Router, an SSE endpoint is just a route handler that returns a `Response` wrapping a `ReadableStream`.',
      'Next.js route handlers use the standard Web `Request` and `Response` APIs, which makes streaming straightforward.',
      'You do not need a custom server for SSE in Next.js; a route handler is enough.',
    ],
    paragraphs: [
      'Create `app/api/events/route.ts` and export a `GET` function. Build a `ReadableStream`, enqueue encoded events from its `start` or `pull` callback, and return it with the event-stream headers. Next.js sends each chunk as it is enqueued, as long as nothing in front of it buffers.',
      "Clean-up is the part that matters. When the browser disconnects, `request.signal` fires `abort` and the stream's `cancel()` runs. Use one idempotent clean-up function for both, so timers and subscriptions are released exactly once, and never enqueue after the stream has closed.",
    ],
    deeper:
      'When the data comes from an async source, such as a model or a change feed, the `pull` callback is often a better fit than `start`: the stream calls it whenever its queue has room, which gives you back-pressure for free. Streams also compose: produce items from an async generator, pipe them through a `TransformStream` that encodes each one as an event, and return the result.',
    list: {
      lead: 'Things to keep in mind:',
      ordered: false,
      items: [
        'Since Next.js 15, `GET` route handlers are not cached by default, so a stream needs no `force-dynamic` flag.',
        'Use the Node.js runtime, the default, when the stream needs Node APIs or in-memory state.',
        'Keep shared state such as topic registries on `globalThis`, so hot reloads in development do not duplicate it.',
        'Serverless platforms limit how long a function may run, so plan for clients to reconnect and resume.',
        'Check with `curl -N` that events arrive one at a time.',
      ],
    },
    code: {
      lead: 'A complete endpoint that sends a counter every second:',
      lines: [
        '// app/api/events/route.ts',
        'export async function GET(request: Request): Promise<Response> {',
        '  const encoder = new TextEncoder();',
        '  let timer: ReturnType<typeof setInterval> | undefined;',
        '',
        '  const stream = new ReadableStream<Uint8Array>({',
        '    start(controller) {',
        '      let count = 0;',
        '      timer = setInterval(() => {',
        '        count += 1;',
        '        controller.enqueue(encoder.encode(`id: ${count}\\ndata: ${JSON.stringify({ count })}\\n\\n`));',
        '      }, 1000);',
        "      request.signal.addEventListener('abort', () => clearInterval(timer));",
        '    },',
        '    cancel() {',
        '      clearInterval(timer);',
        '    },',
        '  });',
        '',
        '  return new Response(stream, {',
        "    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' },",
        '  });',
        '}',
      ],
    },
    outros: [
      'That is the whole endpoint; everything else is about what you put into the stream.',
      'Move the stream logic into a `lib/` module and keep the route itself short.',
      'Add an `id` to each event and you get resume support almost for free.',
    ],
    sources: [
      NEXT_ROUTE,
      {
        title: 'ReadableStream - Web APIs | MDN',
        url: `${MDN}/API/ReadableStream`,
        snippet: 'A readable stream of byte data; the underlying source has start, pull and cancel callbacks.',
      },
      MDN_READABLE_STREAMS,
    ],
  },
  {
    title: 'HTTP/2 and connection limits',
    subject: 'HTTP/2 and connection limits',
    keywords: {
      'http/2': 3,
      http2: 3,
      h2: 3,
      'http/3': 2,
      http3: 2,
      'http/1.1': 2,
      'connection limit': 3,
      'connection limits': 3,
      'six connections': 3,
      '6 connections': 3,
      'max connections': 3,
      'too many connections': 3,
      tabs: 1,
      tab: 1,
      multiplex: 3,
      multiplexing: 3,
      concurrent: 1,
      limit: 1,
      limits: 1,
      pending: 1,
    },
    query: 'SSE HTTP/2 browser connection limit per domain',
    intros: [
      'Connection limits are the classic SSE gotcha, and HTTP/2 is the fix.',
      "If your app hangs after you open a few tabs, you have probably hit the browser's per-host connection limit.",
      'Each open `EventSource` holds a connection, and over HTTP/1.1 browsers allow only a handful per host.',
    ],
    paragraphs: [
      'Over HTTP/1.1, browsers allow about six connections to the same host. Every `EventSource` keeps one of them busy for as long as it is open, and the limit is shared by all tabs, so a page with two streams open in three tabs already uses all six, and ordinary requests then queue behind the streams.',
      "HTTP/2 multiplexes many streams over one TCP connection, so each SSE response becomes one stream among many. The limit becomes the server's `SETTINGS_MAX_CONCURRENT_STREAMS`, which RFC 9113 recommends be at least 100. HTTP/3 behaves similarly over QUIC. In practice, serving over HTTPS with HTTP/2 enabled makes the problem disappear.",
    ],
    deeper:
      'The limit is per browser profile, not per tab, and it applies to your development server too: browsers speak only HTTP/1.1 to plain `http://` URLs, so enough tabs on a local server will show it. If you cannot enable HTTP/2 locally, use one multiplexed stream or test with fewer tabs. HTTP/2 also has flow control per stream, so a slow reader on one stream need not hold up the others.',
    list: {
      lead: 'Ways to stay within the limits:',
      ordered: false,
      items: [
        'Serve the app over HTTP/2 or HTTP/3, which browsers use only over TLS.',
        'Open one stream per page that carries several event types, not one stream per widget.',
        'Share one connection between tabs with a `SharedWorker`, or a leader tab and a `BroadcastChannel`.',
        'Close streams when a tab stays hidden, and reopen them when it becomes visible.',
      ],
    },
    code: {
      lead: 'One connection, several named event types:',
      lines: [
        'declare function updatePrices(data: unknown): void;',
        'declare function showAlert(data: unknown): void;',
        '',
        "const source = new EventSource('/api/events?topics=prices,alerts');",
        "source.addEventListener('prices', (event) => updatePrices(JSON.parse(event.data)));",
        "source.addEventListener('alerts', (event) => showAlert(JSON.parse(event.data)));",
        '',
        "document.addEventListener('visibilitychange', () => {",
        '  // Closing frees the connection; open a new EventSource when the page is visible again.',
        '  if (document.hidden) source.close();',
        '});',
      ],
    },
    outros: [
      "Check the protocol column in your browser's network panel: h2 or h3 means you are fine.",
      'With HTTP/2 in place, a dozen open streams per user is no problem at all.',
      'Fewer, richer streams are also easier to reason about than many tiny ones.',
    ],
    sources: [
      MDN_EVENTSOURCE,
      {
        title: 'RFC 9113: HTTP/2',
        url: 'https://www.rfc-editor.org/rfc/rfc9113',
        snippet: 'Streams and multiplexing, flow control, and SETTINGS_MAX_CONCURRENT_STREAMS.',
      },
      {
        title: 'SharedWorker - Web APIs | MDN',
        url: `${MDN}/API/SharedWorker`,
        snippet: 'A worker that can be reached from several browsing contexts, such as several tabs of the same origin.',
      },
    ],
  },
  {
    title: 'CORS and authentication',
    subject: 'CORS and authentication for event streams',
    keywords: {
      cors: 3,
      'cross-origin': 3,
      'cross origin': 3,
      auth: 3,
      authentication: 3,
      authorization: 3,
      authorize: 2,
      login: 1,
      cookie: 3,
      cookies: 3,
      session: 1,
      bearer: 3,
      jwt: 3,
      withcredentials: 3,
      credentials: 3,
      'access-control-allow-origin': 3,
      'api key': 2,
      security: 1,
      secure: 1,
      subdomain: 1,
    },
    query: 'EventSource CORS withCredentials authentication',
    intros: [
      'Authentication is where `EventSource` shows its age: it cannot send custom headers, so you lean on cookies or switch clients.',
      '`EventSource` works with CORS and auth, but it limits your options, so it pays to plan them up front.',
      'Securing an event stream follows the usual HTTP rules, with one twist: `EventSource` cannot set an `Authorization` header.',
    ],
    paragraphs: [
      'For same-origin streams, the simplest approach is a session cookie: the browser sends it with the `EventSource` request like any other. Across origins, create the source with `new EventSource(url, { withCredentials: true })`, and have the server answer with `Access-Control-Allow-Origin` set to the exact requesting origin (not `*`) plus `Access-Control-Allow-Credentials: true`.',
      'With bearer tokens there are two options. Put a short-lived, single-purpose token in the query string (URLs end up in logs, so make it expire quickly), or use a `fetch`-based client, which can send an `Authorization` header. Either way, check authorization when the stream opens and again when it resumes.',
    ],
    deeper:
      'Reconnection interacts with auth in a subtle way. `EventSource` reuses the same URL for every reconnect, so a token in the query string must stay valid for as long as the client may reconnect. When a session expires, answer the reconnect with 401 or 403: `EventSource` does not retry after an error status, and the page can notice the closed state and send the user to sign in.',
    list: {
      lead: 'A security checklist for event streams:',
      ordered: false,
      items: [
        'Authenticate on every connect and reconnect, not only on page load.',
        'Scope streams per user; never broadcast private events on a shared channel.',
        'Allow specific origins in CORS; a wildcard origin and credentials do not mix.',
        'Limit concurrent streams per user to blunt resource exhaustion.',
        'Treat event data as untrusted text on the client and never insert it with `innerHTML`.',
      ],
    },
    code: {
      lead: 'A cross-origin stream with cookies, and the headers the server must answer with:',
      lines: [
        "const source = new EventSource('https://api.example.com/events', { withCredentials: true });",
        '',
        'const corsHeaders = {',
        "  'access-control-allow-origin': 'https://app.example.com',",
        "  'access-control-allow-credentials': 'true',",
        "  'content-type': 'text/event-stream',",
        "  'cache-control': 'no-cache',",
        '};',
      ],
    },
    outros: [
      'Cookies with `withCredentials` cover most apps; switch to `fetch` when you need header-based tokens.',
      'Whatever you choose, check the session on reconnect: a stream can outlive the login that opened it.',
      'Get the CORS headers exactly right, and the browser does the rest.',
    ],
    sources: [
      {
        title: 'Cross-Origin Resource Sharing (CORS) - HTTP | MDN',
        url: `${MDN}/HTTP/CORS`,
        snippet: 'How servers allow cross-origin requests, and why credentialed requests need an explicit origin.',
      },
      {
        title: 'EventSource: withCredentials property - Web APIs | MDN',
        url: `${MDN}/API/EventSource/withCredentials`,
        snippet: 'Whether the EventSource was created with CORS credentials, such as cookies, enabled.',
      },
      {
        title: 'EventSource: EventSource() constructor - Web APIs | MDN',
        url: `${MDN}/API/EventSource/EventSource`,
        snippet: 'Creates an EventSource for a URL; the options object can set withCredentials.',
      },
    ],
  },
];

const FOLLOW_UP_INTROS: readonly ((subject: string) => string)[] = [
  (subject) => `Sure, here is more on ${subject}.`,
  (subject) => `Going a bit deeper into ${subject}:`,
  (subject) => `Happy to expand on ${subject}.`,
];

const LONG_PREAMBLES: readonly string[] = [
  'Since you asked for the long version, here is a tour in several parts.',
  'You asked for the long form, so this answer covers the topic and its neighbours section by section.',
];

const FALLBACK_INTROS: readonly ((quote: string) => string)[] = [
  (quote) =>
    `You asked ${quote}, and I will be upfront: I am a simulated model with a small built-in library of notes about Server-Sent Events, and that question is outside it.`,
  (quote) =>
    `Thanks for the question, ${quote}. I have no notes on that exact subject; my simulated knowledge covers Server-Sent Events and the web platform around them.`,
  (quote) =>
    `Here is your prompt as I received it: ${quote}. I cannot answer it properly, because this demo model only knows about streaming on the web.`,
];

const FALLBACK_PARAGRAPH =
  'What I can do is explain how streaming works, which is what this lab is about. If your question involves sending data from a server to a browser as it happens, one of these topics is probably close:';

const FALLBACK_CODE: Topic['code'] = {
  lead: 'And in case it helps, here is the smallest useful SSE endpoint:',
  lines: [
    'export function GET(): Response {',
    '  const body = new ReadableStream<Uint8Array>({',
    '    start(controller) {',
    "      controller.enqueue(new TextEncoder().encode('data: hello\\n\\n'));",
    '      // EventSource reconnects after the end of a response; answer 204 to make it stop.',
    '      controller.close();',
    '    },',
    '  });',
    "  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });",
    '}',
  ],
};

const FALLBACK_OUTROS: readonly string[] = [
  'Ask about one of those topics and I will go into detail.',
  'Try rephrasing with a keyword such as EventSource, reconnection or nginx.',
  'Tip: add /long to a prompt for a long answer, or /error to watch a stream fail mid-answer.',
];

const FALLBACK_SOURCES: readonly Source[] = [MDN_USING_SSE, SPEC_SSE, NEXT_ROUTE];

// ---------------------------------------------------------------------------------------------
// Reading the prompt

const COMMANDS = /\/(?:error|long)\b/gi;
const LOOKUP = /\b(?:look(?:ing)?[ -]?up|lookup|search(?:ing)?|find|latest|docs|documentation)\b/i;
const FOLLOW_UP =
  /\b(?:tell me more|more|elaborate|expand|go on|continue|deeper|details?|examples?|why|how so|what else|explain|clarify|again)\b/i;
const QUERY_STOP_WORDS = new Set(
  (
    'a an the of on in to for about and or with me my i you your please can could would will ' +
    'look looking up lookup search searching find latest docs documentation tell what is are ' +
    'how do does some any current newest recent'
  ).split(' '),
);
const MAX_QUERY_WORDS = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const MIN_SCORE = 2;

// Keywords match as whole words, so "ai" does not fire inside "wait" and "sse" not inside "assess".
const MATCHERS = TOPICS.map((topic) =>
  Object.entries(topic.keywords).map(
    ([phrase, weight]) => [new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(phrase)}(?![\\p{L}\\p{N}])`, 'iu'), weight] as const,
  ),
);

/** The best-matching topic for `text`, or undefined when none scores enough. Ties go to the earlier topic. */
function matchTopic(text: string): Topic | undefined {
  let best: Topic | undefined;
  let bestScore = MIN_SCORE - 1;
  TOPICS.forEach((topic, index) => {
    let score = 0;
    for (const [pattern, weight] of MATCHERS[index] ?? []) if (pattern.test(text)) score += weight;
    if (score > bestScore) {
      best = topic;
      bestScore = score;
    }
  });
  return best;
}

function withoutCommands(text: string): string {
  return text.replace(COMMANDS, ' ');
}

/** A search-engine style query: the prompt's meaningful words, or the topic's own query. */
function searchQuery(prompt: string, topic: Topic | undefined): string {
  const words = withoutCommands(prompt)
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => word !== '' && !QUERY_STOP_WORDS.has(word.toLowerCase()))
    .slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) return topic?.query ?? 'server-sent events';
  return words.join(' ').slice(0, EXCERPT_CHARS);
}

/**
 * The prompt's first characters as inline code, verbatim apart from collapsed whitespace. The
 * fence is one backtick longer than any run inside, as CommonMark requires, so HTML and backticks
 * in the prompt show up as text.
 */
function quotePrompt(prompt: string): string {
  const flat = prompt.trim().replace(/\s+/g, ' ');
  if (flat === '') return 'an empty message';
  const chars = Array.from(flat);
  const excerpt = chars.slice(0, EXCERPT_CHARS).join('');
  const longestRun = Math.max(0, ...(excerpt.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = excerpt.startsWith('`') || excerpt.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${excerpt}${pad}${fence}${chars.length > EXCERPT_CHARS ? '…' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Writing the answer

function renderList(random: Random, list: Topic['list']): string {
  if (list.ordered) return list.items.map((item, i) => `${i + 1}. ${item}`).join('\n');
  return shuffled(random, list.items)
    .map((item) => `- ${item}`)
    .join('\n');
}

function renderCode(code: Topic['code']): string {
  return `${code.lead}\n\n\`\`\`ts\n${code.lines.join('\n')}\n\`\`\``;
}

function renderSources(sources: readonly Source[]): string {
  return `Sources I checked:\n\n${sources.map((source, i) => `${i + 1}. [${source.title}](${source.url})`).join('\n')}`;
}

/** A topic as a section of a long answer: heading, prose, list and code. */
function renderSection(random: Random, topic: Topic, withDeeper: boolean): string {
  return [
    `## ${topic.title}`,
    ...topic.paragraphs,
    ...(withDeeper ? [topic.deeper] : []),
    `${topic.list.lead}\n\n${renderList(random, topic.list)}`,
    renderCode(topic.code),
  ].join('\n\n');
}

/** Appends sections of other topics, in an order the seed picks, until the answer is long. */
function longSections(random: Random, blocks: string[], skip: Topic | undefined): void {
  for (const topic of shuffled(random, TOPICS)) {
    if (estimateTokens(blocks.join('\n\n')) >= LONG_TARGET_TOKENS) return;
    if (topic !== skip) blocks.push(renderSection(random, topic, false));
  }
}

interface Search {
  id: string;
  query: string;
  results: readonly Source[];
}

interface Plan {
  answer: string;
  search: Search | undefined;
  /** How many tokens go out before the simulated failure; undefined when the answer completes. */
  failAfter: number | undefined;
}

function planAnswer(messages: readonly ChatMessage[], random: Random): Plan {
  const userTexts = messages.filter((message) => message.role === 'user').map((message) => message.content);
  const prompt = userTexts.at(-1) ?? '';
  const request = withoutCommands(prompt);
  const long = /\/long\b/i.test(prompt);
  const fails = /\/error\b/i.test(prompt);

  let topic = matchTopic(request);
  let followUp = false;
  if (!topic && FOLLOW_UP.test(request)) {
    for (const earlier of userTexts.slice(0, -1).reverse()) {
      topic = matchTopic(withoutCommands(earlier));
      if (topic) {
        followUp = true;
        break;
      }
    }
  }

  // Drawn first, so a tool call's ID depends on the seed alone.
  const callId = `call_${Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0')}`;
  let search: Search | undefined;
  if (LOOKUP.test(request)) {
    const sources = topic?.sources ?? FALLBACK_SOURCES;
    search = {
      id: callId,
      query: searchQuery(followUp ? '' : prompt, topic),
      results: sources.slice(0, random() < 0.5 ? 2 : 3),
    };
  }

  const blocks: string[] = [];
  if (!topic) {
    blocks.push(pick(random, FALLBACK_INTROS)(quotePrompt(prompt)));
    const titles = shuffled(random, TOPICS).slice(0, 5);
    blocks.push(`${FALLBACK_PARAGRAPH}\n\n${titles.map((t) => `- ${t.title}`).join('\n')}`);
    blocks.push(renderCode(FALLBACK_CODE));
    if (long) {
      blocks.push(pick(random, LONG_PREAMBLES));
      longSections(random, blocks, undefined);
    }
  } else if (long) {
    blocks.push(pick(random, topic.intros), pick(random, LONG_PREAMBLES), renderSection(random, topic, true));
    longSections(random, blocks, topic);
  } else if (followUp) {
    blocks.push(
      pick(random, FOLLOW_UP_INTROS)(topic.subject),
      topic.deeper,
      `${topic.list.lead}\n\n${renderList(random, topic.list)}`,
      renderCode(topic.code),
    );
  } else {
    blocks.push(
      pick(random, topic.intros),
      ...topic.paragraphs,
      `${topic.list.lead}\n\n${renderList(random, topic.list)}`,
      renderCode(topic.code),
    );
  }
  if (search) blocks.push(renderSources(search.results));
  blocks.push(pick(random, topic ? topic.outros : FALLBACK_OUTROS));

  const answer = blocks.join('\n\n');
  const failAfter = fails ? Math.max(1, Math.floor(estimateTokens(answer) * between(random, 0.25, 0.6))) : undefined;
  return { answer, search, failAfter };
}

// ---------------------------------------------------------------------------------------------
// Streaming it

function validate({ delayMs, seed }: SimulateOptions): void {
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new RangeError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}, got ${delayMs}.`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an unsigned 32-bit integer, got ${seed}.`);
  }
}

function* steps(
  messages: readonly ChatMessage[],
  { delayMs, seed }: SimulateOptions,
): Generator<ChatStep, void, undefined> {
  const plan = planAnswer(messages, seededRandom(seed));
  // Pacing draws from its own sequence, so the same seed gives the same answer at any delayMs.
  const pacing = seededRandom(seed ^ 0x9e3779b9);
  const wait = (low: number, high: number) => Math.round(delayMs * between(pacing, low, high));

  yield { type: 'status', data: { stage: 'thinking' }, delayMs: wait(8, 15) };
  if (plan.search) {
    const { id, query, results } = plan.search;
    yield { type: 'status', data: { stage: 'searching' }, delayMs: wait(10, 20) };
    yield { type: 'tool', data: { id, name: 'web_search', state: 'call', input: { query } }, delayMs: wait(1, 3) };
    yield {
      type: 'tool',
      data: { id, name: 'web_search', state: 'result', output: { results: results.map((r) => ({ ...r })) } },
      delayMs: wait(10, 20),
    };
  }
  yield { type: 'status', data: { stage: 'generating' }, delayMs: wait(2, 5) };

  let completionTokens = 0;
  let finishReason: 'stop' | 'length' = 'stop';
  for (const text of tokenize(plan.answer)) {
    if (completionTokens === plan.failAfter) {
      yield { type: 'error', data: { code: 'model_error', message: ERROR_MESSAGE }, delayMs: wait(1, 3) };
      return;
    }
    if (completionTokens === MAX_COMPLETION_TOKENS) {
      finishReason = 'length';
      break;
    }
    // The first token comes after a longer pause, so time to first token is visible.
    yield { type: 'token', data: { text }, delayMs: completionTokens === 0 ? wait(2, 4) : wait(0.5, 1.5) };
    completionTokens += 1;
  }

  let promptTokens = 0;
  for (const message of messages) promptTokens += estimateTokens(message.content);
  yield {
    type: 'done',
    data: { finishReason, usage: { promptTokens, completionTokens } },
    delayMs: wait(0.5, 1.5),
  };
}

/**
 * Simulates a model answering the conversation, one step at a time: status changes, an optional
 * web search, the answer's tokens, and `done` with usage (or an `error` mid-answer when the last
 * user message contains `/error`; `/long` asks for an answer of over 2,000 tokens). The same
 * messages and options always give the same steps; steps are made as they are pulled.
 *
 * @throws RangeError at once when `delayMs` or `seed` is out of range.
 */
export function simulateChat(
  messages: readonly ChatMessage[],
  options: SimulateOptions,
): Generator<ChatStep, void, undefined> {
  validate(options);
  return steps(messages, options);
}
