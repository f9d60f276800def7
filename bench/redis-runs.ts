/**
 * Chat runs in Redis: what N runs producing at a token rate cost Redis, and how late their
 * readers on another instance see each event. Starts its own redis-server, two connection sets
 * (two instances: producers on one, one reader per run on the other), runs the run log over the
 * Redis store for --seconds, and prints, for each batch window: Redis commands per second (and
 * per run), script calls per appended event, and the reader lag p50/p99 (receipt time less the
 * time the producer yielded the event).
 *
 *   npm run bench:redis-runs -- [--runs 200] [--rate 30] [--seconds 5] [--flush 50,0]
 *
 * `--flush 0` writes each event on the next turn of the event loop (no batching window).
 */
import { parseArgs } from 'node:util';
import { startRedis } from '../e2e/support/redis-server';
import { createConnections } from '../lib/server/redis/connections';
import { createRedisStore } from '../lib/server/run-log/redis-store';
import { createRunLog } from '../lib/server/run-log/run-log';
import { createParser } from '../lib/sse/parser';
import { createSseResponse } from '../lib/sse/server';
import type { EventInput } from '../lib/sse/types';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    rate: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '5' },
    flush: { type: 'string', default: '50,0' },
  },
});
const RUNS = Number(flags.runs);
const RATE = Number(flags.rate);
const SECONDS = Number(flags.seconds);

interface Input {
  seconds: number;
}

async function* tokens({ seconds }: Input, signal: AbortSignal): AsyncGenerator<EventInput> {
  const until = Date.now() + seconds * 1000;
  // Staggered starts, so the runs' events do not all fall on the same millisecond.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * (1000 / RATE)));
  while (!signal.aborted && Date.now() < until) {
    yield { event: 'token', data: String(performance.now() + performance.timeOrigin) };
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
  }
  yield { event: 'done', data: '{}' };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function measure(flushMs: number): Promise<void> {
  const server = await startRedis();
  const a = createConnections(server.url);
  const b = createConnections(server.url);
  const limits = { graceMs: 60_000, retentionMs: 60_000, abandonedRetentionMs: 60_000, maxRuns: 100_000, maxRunningPerClient: 100_000, maxLogBytes: 512 * 1024, maxTotalBytes: 1 << 30 };
  const stores = [createRedisStore(a, { prefix: 'bench', flushMs }), createRedisStore(b, { prefix: 'bench', flushMs })];
  const make = (store: (typeof stores)[number]) =>
    createRunLog<Input>({ store, limits, makeStream: tokens, eventId: (id, seq) => `${id}:${seq}`, tooLarge: { data: 'too large' }, failed: { data: 'failed' } });
  const [producer, reader] = [make(stores[0]!), make(stores[1]!)];
  try {
    // Every connection up before the clock starts (commands fail at once while one is connecting).
    for (const connections of [a, b]) {
      connections.commands();
      connections.subscriber();
      if ((await connections.health()).status !== 'ok') throw new Error('Redis did not answer');
    }
    const stat = async () => {
      const info = await a.commands().info('all');
      const read = (name: string) => Number(new RegExp(`${name}[:=](\\d+)`).exec(info)?.[1] ?? 0);
      return { commands: read('total_commands_processed'), evals: read('cmdstat_eval:calls') };
    };
    const lags: number[] = [];
    let appended = 0;
    const before = await stat();
    const started = Date.now();
    const readers = Array.from({ length: RUNS }, async (_, index) => {
      const id = `run${index}`;
      await producer.start(id, { seconds: SECONDS }, { owner: undefined, client: undefined });
      const opened = await reader.open(id, 0, undefined);
      if (opened.kind !== 'stream') throw new Error(`run ${id} did not open`);
      const response = createSseResponse({ heartbeatMs: 0, source: opened.source });
      const parser = createParser({
        onEvent(event) {
          if (event.type !== 'token') return;
          appended++;
          lags.push(performance.now() + performance.timeOrigin - Number(event.data));
        },
      });
      const body = response.body!.getReader();
      while (true) {
        const { done, value } = await body.read();
        if (done) return;
        parser.feed(value);
      }
    });
    await Promise.all(readers);
    const elapsed = (Date.now() - started) / 1000;
    const after = await stat();
    lags.sort((x, y) => x - y);
    const perSecond = (after.commands - before.commands) / elapsed;
    console.log(
      [
        `flush window ${String(flushMs).padStart(3)} ms:`,
        `${appended} events in ${elapsed.toFixed(1)} s (${Math.round(appended / elapsed)}/s),`,
        `Redis ${Math.round(perSecond)} commands/s (${(perSecond / RUNS).toFixed(1)} per run),`,
        `${((after.evals - before.evals) / appended).toFixed(2)} script calls per event,`,
        `reader lag p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`,
      ].join(' '),
    );
  } finally {
    for (const store of stores) store.close();
    await a.close();
    await b.close();
    await server.stop();
  }
}

console.log(`${RUNS} runs at ${RATE} tokens/s for ${SECONDS} s, producers on one instance, a reader each on the other (Node ${process.versions.node})`);
void (async () => {
  for (const flushMs of flags.flush.split(',').map(Number)) await measure(flushMs);
})();
