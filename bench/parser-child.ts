/**
 * One parser at one chunking, alone in its process, so that what V8 learnt from other chunk sizes
 * or from the other parser cannot help or hurt it. Forked by bench/parser.ts, which asks for one
 * timed run per message and interleaves two such children round by round.
 *
 * Run by hand (no parent) it times `rounds` runs itself, e.g. under a profiler:
 *   node --import tsx --cpu-prof bench/parser-child.ts ours bytes 64 8 20
 */
import { buildStream, chunksOf, cpuSeconds, runners, type Input, type Which } from './parser-runs';

const [which, input, size, megabytes, rounds] = process.argv.slice(2);
if (!(which! in runners) || (input !== 'bytes' && input !== 'strings') || !(Number(size) >= 1) || !(Number(megabytes) > 0)) {
  throw new Error('usage: bench/parser-child.ts ours|theirs|none bytes|strings CHUNK_BYTES MEGABYTES [ROUNDS]');
}
const run = runners[which as Which];
const chunks = chunksOf(buildStream(Number(megabytes) * 1e6), Number(size), input as Input);

function timedRun() {
  const start = cpuSeconds();
  const result = run(chunks);
  return { seconds: cpuSeconds() - start, result };
}

// Warm-up: enough runs for V8 to finish optimising (the first runs include compilation).
const WARM_UP = 4;
for (let i = 0; i < WARM_UP; i++) run(chunks);

if (process.send) {
  process.on('message', (message) => {
    if (message === 'run') process.send!(timedRun());
    else process.exit(0);
  });
  process.send('ready');
} else {
  for (let i = 0; i < Number(rounds ?? 10); i++) {
    const { seconds, result } = timedRun();
    console.log(`${which} ${input} ${size} B: ${(Number(megabytes) / seconds).toFixed(1)} MB/s, ${result.events} events`);
  }
}
