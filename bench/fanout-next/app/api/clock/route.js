// The least a Next route handler can do to fan out a clock: one shared ticker, each tick encoded
// once and enqueued to every open stream. No guard, no heartbeat, no replay buffer: what is left
// is what Next itself costs per open request. Same bytes as /api/clock (same encoder, same event).
import { clockEvent } from '../../../../../lib/clock/protocol';
import { encodeEvent, encodeRetry, toBytes } from '../../../../../lib/sse/encoder';
import { SSE_HEADERS } from '../../../../../lib/sse/server';

const streams = new Set();
const RETRY = toBytes(encodeRetry(1000));
const INTERVAL_MS = Number(process.env.CLOCK_INTERVAL_MS ?? 1000);
let timer;
let lastId = 0;

function tick() {
  const now = Date.now();
  const bytes = toBytes(encodeEvent(clockEvent('update', { timestamp: new Date(now).toISOString(), random: Math.floor(Math.random() * 100) }, ++lastId)));
  for (const controller of streams) controller.enqueue(bytes);
}

function leave(controller) {
  if (!streams.delete(controller) || streams.size > 0) return;
  clearInterval(timer);
  timer = undefined;
}

export function GET(request) {
  let source;
  const body = new ReadableStream({
    start(controller) {
      source = controller;
      controller.enqueue(RETRY);
      streams.add(controller);
      timer ??= setInterval(tick, INTERVAL_MS);
    },
    cancel() {
      leave(source);
    },
  });
  request.signal.addEventListener('abort', () => leave(source), { once: true });
  return new Response(body, { headers: SSE_HEADERS });
}
