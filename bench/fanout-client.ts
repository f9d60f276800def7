/**
 * One client worker of `npm run bench:fanout` (forked, several at once, so that the client side is
 * never what limits the figures). It holds raw TCP sockets, each a plain HTTP/1.1 GET of a clock
 * stream, and parses only what the bench needs: the status line, and the `"timestamp"` of each
 * `update` (the server's send time), whose distance from now is the fan-out lag.
 *
 * Commands come over IPC: `open` (returns when every stream is answered or has failed),
 * `measure` (counts events and lags for a while), `close`.
 */
import { connect, type Socket } from 'node:net';

/** What the parent sends. */
export type ClientCommand =
  | { cmd: 'open'; host: string; port: number; path: string; count: number; concurrency: number; timeoutMs: number }
  | { cmd: 'measure'; ms: number }
  | { cmd: 'close' };

/** What the worker answers. */
export type ClientReply =
  | { type: 'ready' }
  | { type: 'opened'; answered: number; failed: number; lastAnsweredAt: number; errors: Record<string, number> }
  | { type: 'measured'; events: number; lags: number[]; open: number }
  | { type: 'closed' };

const MARK = '"timestamp":"';
// An ISO timestamp as toISOString() writes it: 2026-11-30T14:00:00.000Z.
const ISO_LENGTH = 24;

interface Stream {
  socket: Socket;
  answered: boolean;
  /** The end of the previous chunk, in case a timestamp was split across two. */
  tail: string;
}

const streams: Stream[] = [];
let measuring = false;
let events = 0;
let lags: number[] = [];

function scan(stream: Stream, chunk: string, now: number): void {
  const text = stream.tail + chunk;
  let from = 0;
  while (true) {
    const at = text.indexOf(MARK, from);
    if (at < 0 || at + MARK.length + ISO_LENGTH > text.length) {
      // Keep what may be the start of a split mark or timestamp for the next chunk.
      stream.tail = text.slice(Math.max(from, text.length - (MARK.length + ISO_LENGTH)));
      return;
    }
    const sentAt = Date.parse(text.slice(at + MARK.length, at + MARK.length + ISO_LENGTH));
    events++;
    lags.push(now - sentAt);
    from = at + MARK.length + ISO_LENGTH;
  }
}

function send(reply: ClientReply): void {
  process.send!(reply);
}

function open(command: Extract<ClientCommand, { cmd: 'open' }>): void {
  let started = 0;
  let settled = 0;
  let answered = 0;
  let failed = 0;
  let lastAnsweredAt = 0;
  const errors: Record<string, number> = {};

  const settle = (stream: Stream, error?: string) => {
    if (error) {
      failed++;
      errors[error] = (errors[error] ?? 0) + 1;
      stream.socket.destroy();
    } else {
      answered++;
      lastAnsweredAt = Date.now();
    }
    settled++;
    if (settled === command.count) send({ type: 'opened', answered, failed, lastAnsweredAt, errors });
    else next();
  };

  const next = () => {
    if (started >= command.count) return;
    started++;
    const socket = connect({ host: command.host, port: command.port });
    socket.setEncoding('latin1');
    const stream: Stream = { socket, answered: false, tail: '' };
    let done = false;
    const timer = setTimeout(() => finish('timeout'), command.timeoutMs);
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(stream, error);
    };
    socket.write(`GET ${command.path} HTTP/1.1\r\nHost: ${command.host}:${command.port}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.on('data', (chunk: string) => {
      if (!stream.answered) {
        stream.answered = true;
        if (!chunk.startsWith('HTTP/1.1 200')) {
          finish(`status ${chunk.slice(9, 12)}`);
          return;
        }
        streams.push(stream);
        finish();
      }
      if (measuring) scan(stream, chunk, Date.now());
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('close', () => finish('closed'));
  };

  for (let i = 0; i < Math.min(command.concurrency, command.count); i++) next();
  if (command.count === 0) send({ type: 'opened', answered: 0, failed: 0, lastAnsweredAt: 0, errors });
}

process.on('message', (command: ClientCommand) => {
  if (command.cmd === 'open') open(command);
  else if (command.cmd === 'measure') {
    events = 0;
    lags = [];
    for (const stream of streams) stream.tail = '';
    measuring = true;
    setTimeout(() => {
      measuring = false;
      const alive = streams.filter((stream) => !stream.socket.destroyed).length;
      send({ type: 'measured', events, lags, open: alive });
    }, command.ms);
  } else {
    for (const stream of streams) stream.socket.destroy();
    streams.length = 0;
    send({ type: 'closed' });
  }
});

send({ type: 'ready' });
