/**
 * What the simulated model costs per answer, without a server: how long planning takes (the work
 * of the first pull) and how fast the steps of a whole answer come after it, for a short answer, a
 * look-up and a `/long` answer.
 *
 *   npx tsx bench/chat-model.ts [rounds]
 */
import { performance } from 'node:perf_hooks';
import { simulateChat } from '../lib/chat/simulate';
import type { ChatMessage } from '../lib/chat/protocol';

const ROUNDS = Number(process.argv[2] ?? 200);

const PROMPTS: readonly [name: string, prompt: string][] = [
  ['short answer', 'What is SSE?'],
  ['look-up', 'Can you look up the latest docs on nginx buffering for SSE?'],
  ['/long', 'What are server-sent events? /long'],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

for (const [name, prompt] of PROMPTS) {
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  const firstStep: number[] = [];
  const rest: number[] = [];
  let steps = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    const generator = simulateChat(messages, { delayMs: 0, seed: round });
    generator.next();
    const planned = performance.now();
    steps = 1;
    while (!generator.next().done) steps += 1;
    firstStep.push(planned - started);
    rest.push(performance.now() - planned);
  }
  const perStep = median(rest) / (steps - 1);
  console.log(
    `${name.padEnd(12)} ${String(steps).padStart(5)} steps  first step (plan) ${median(firstStep).toFixed(3)} ms  ` +
      `then ${(perStep * 1000).toFixed(2)} µs a step (${Math.round(1000 / perStep).toLocaleString('en')} steps/s), median of ${ROUNDS}`,
  );
}
