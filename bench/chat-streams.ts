/**
 * What a chat token costs the server to send: runs C concurrent `/long` answers (2,500+ tokens
 * each) at `delayMs` 0 against a real `next start`, R rounds, once with direct writes (the
 * default) and once with `SSE_DIRECT_WRITES=off` (every event through Next's body pipe), and prints
 * the server's CPU time (user and system, from /proc) per token delivered, and the ratio.
 *
 *   npm run build && npm run bench:chat-streams -- [--concurrency 50] [--rounds 4]
 *
 * Both runs include the simulated model's own work per token, which is the same in each: the
 * difference between them is what sending costs.
 */
import { parseArgs } from 'node:util';
import { BENCH_ENV, chatAnswer, cpuMs, startServer } from './server';

const { values: flags } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '4' },
  },
});
const CONCURRENCY = Number(flags.concurrency);
const ROUNDS = Number(flags.rounds);

async function measure(direct: boolean): Promise<{ tokens: number; cpuMs: number; seconds: number }> {
  const server = await startServer({
    env: { ...BENCH_ENV, SSE_DIRECT_WRITES: direct ? 'on' : 'off', CHAT_MAX_RUNS: '100000', CHAT_MAX_RUNS_PER_IP: '100000' },
  });
  try {
    // One round first, unmeasured: the route's first compile and the JIT.
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => chatAnswer(server.url, '/long', i)));
    const cpuBefore = cpuMs(server.pid);
    const started = performance.now();
    let tokens = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => chatAnswer(server.url, '/long', round * CONCURRENCY + i)));
      tokens += answers.reduce((sum, answer) => sum + answer.tokens, 0);
    }
    return { tokens, cpuMs: cpuMs(server.pid) - cpuBefore, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`chat streams: ${CONCURRENCY} concurrent /long answers at delayMs 0, ${ROUNDS} rounds (node ${process.version})`);
  const rows = [];
  for (const direct of [true, false]) {
    const result = await measure(direct);
    const perToken = (result.cpuMs * 1000) / result.tokens;
    rows.push(perToken);
    console.log(
      `  ${direct ? 'direct writes       ' : 'SSE_DIRECT_WRITES=off'}  ${result.tokens.toLocaleString('en-US')} tokens in ${result.seconds.toFixed(1)} s, server CPU ${(result.cpuMs / 1000).toFixed(1)} s: ${perToken.toFixed(1)} µs a token`,
    );
  }
  console.log(`  direct / off: ${(rows[0]! / rows[1]!).toFixed(2)}x the CPU per token`);
}

void main();
