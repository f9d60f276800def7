/**
 * `npm run sse -- [options] <url | ->`: connects with SSE Lab's fetch client and prints events.
 *
 *   npm run sse -- http://localhost:3000/api/clock
 *   npm run sse -- --json http://localhost:3000/api/clock
 *   curl -sN http://localhost:3000/api/clock | npm run -s sse -- -
 */
import { parseArgs } from 'node:util';
import { connectEventStream, type ReconnectInfo } from '../lib/sse/client';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';

const USAGE = `usage: npm run sse -- [--json] [-X METHOD] [-H "Name: value"]... [-d BODY] [--last-event-id ID] [--no-reconnect] <url | ->`;

function fail(message: string): never {
  process.stderr.write(`sse: ${message}\n`);
  process.exit(1);
}

function main(): void {
  // A reader that goes away (`| head`) ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    fail(error.message);
  });
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        request: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd' },
        'last-event-id': { type: 'string' },
        'no-reconnect': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) fail(USAGE);
  const print = values.json ? printJson : printReadable;
  const target = positionals[0]!;
  if (target === '-') return readStdin(print);

  let url: URL;
  try {
    url = new URL(target);
  } catch {
    fail(`not a valid URL: ${target}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`only http and https URLs are supported: ${target}`);

  const headers = new Headers();
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) fail(`bad header (want "Name: value"): ${header}`);
    headers.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
  }

  let opened = false;
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const handle = connectEventStream({
    url,
    method: values.request,
    headers,
    body: values.data,
    signal: controller.signal,
    lastEventId: values['last-event-id'],
    reconnect: !values['no-reconnect'],
    resumable: true,
    onOpen: () => {
      opened = true;
    },
    onEvent: print,
    onReconnect: (info: ReconnectInfo) => {
      // Before the first response, a failure means the URL is wrong or the server is down.
      if (!opened) fail(`cannot connect to ${url.href}: ${describe(info.error) || info.reason}`);
      process.stderr.write(`sse: ${info.reason}; reconnecting in ${info.delayMs} ms after #${info.lastEventId || '-'}\n`);
    },
  });
  handle.done.then(
    () => process.exit(0),
    (error: Error) => fail(`${url.href}: ${error.message}`),
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return '';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

function readStdin(print: (event: SseEvent) => void): void {
  const parser = createParser({ onEvent: print });
  process.stdin.on('data', (chunk: Buffer) => parser.feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  process.stdin.on('error', (error) => fail(`stdin: ${error.message}`));
}

function printJson(event: SseEvent): void {
  process.stdout.write(`${JSON.stringify({ type: event.type, data: event.data, lastEventId: event.lastEventId })}\n`);
}

function printReadable(event: SseEvent): void {
  const id = event.lastEventId ? ` #${event.lastEventId}` : '';
  const data = event.data.includes('\n') ? `\n  ${event.data.split('\n').join('\n  ')}` : ` ${event.data}`;
  process.stdout.write(`[${event.type}]${id}${data}\n`);
}

main();
