/**
 * The floor below the framework for `npm run bench:fanout`: a raw Node `http` server with one
 * shared ticker, the same bytes as /api/clock (same encoder, same event), and nothing else.
 *
 *   node --import tsx bench/fanout-raw.ts <port>
 */
import { createServer, type ServerResponse } from 'node:http';
import { clockEvent } from '../lib/clock/protocol';
import { encodeEvent, encodeRetry, toBytes } from '../lib/sse/encoder';
import { SSE_HEADERS } from '../lib/sse/server';

const PORT = Number(process.argv[2]);
const INTERVAL_MS = Number(process.env.CLOCK_INTERVAL_MS ?? 1000);
const RETRY = toBytes(encodeRetry(1000));

const streams = new Set<ServerResponse>();
let timer: ReturnType<typeof setInterval> | undefined;
let lastId = 0;

function tick(): void {
  const now = Date.now();
  const bytes = toBytes(encodeEvent(clockEvent('update', { timestamp: new Date(now).toISOString(), random: Math.floor(Math.random() * 100) }, ++lastId)));
  for (const response of streams) response.write(bytes);
}

function leave(response: ServerResponse): void {
  if (!streams.delete(response) || streams.size > 0) return;
  clearInterval(timer);
  timer = undefined;
}

const server = createServer((request, response) => {
  if (request.url !== '/api/clock') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, SSE_HEADERS);
  response.write(RETRY);
  streams.add(response);
  timer ??= setInterval(tick, INTERVAL_MS);
  response.once('close', () => leave(response));
});
// The default backlog (511), as `next start` uses.
server.listen(PORT, '127.0.0.1', () => console.log(`listening on ${PORT}`));
