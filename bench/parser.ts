/**
 * Parser throughput: SSE Lab's parser against eventsource-parser on the same multi-megabyte
 * stream, cut into 64 KiB, 1,500 B and 64 B chunks (64 B is about one chat token event).
 *
 *   npm run bench                      (or: npx tsx bench/parser.ts [megabytes] [--rounds N])
 *
 * Two inputs are measured. "bytes": both are fed the same Uint8Array chunks and both pay UTF-8
 * decoding with one streaming `TextDecoder` (ours inside `feed`, eventsource-parser's in front of
 * it, as its own `EventSourceParserStream` does). "strings": both are fed the same already-decoded
 * strings, which isolates the parsing itself.
 *
 * Each parser runs each input and chunk size in a process of its own (bench/parser-child.ts), warmed
 * up there, so that code V8 optimised for another chunk size or for the other parser cannot leak
 * into the figure. The machine is shared, so the two children of a chunk size are asked for one
 * run each per round, back to back (alternating which goes first), and each times itself in its
 * own CPU time, not wall time; the figure is the median of the per-round ratios, with their spread.
 * Both must report the same events, data, types and ids, or the bench stops.
 *
 * For an instruction count that load cannot touch, run one parser alone under callgrind and
 * subtract a run that parses nothing:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --import tsx bench/parser.ts 2 --only ours --size 64
 *   (then --only theirs, and --only none for the baseline; compare the "Collected" totals)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { buildStream, chunksOf, runners, type Input, type Result, type Which } from './parser-runs';

const args = process.argv.slice(2);
function option(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined) throw new Error(`--${name} needs a value`);
  args.splice(at, 2);
  return value;
}
const ROUNDS = Number(option('rounds') ?? 15);
const only = option('only') as Which | undefined;
const onlySize = option('size');
const onlyInput = option('input') as Input | undefined;
const targetMegabytes = Number(args[0] ?? 8);
const CHUNK_SIZES = onlySize === undefined ? [64 * 1024, 1500, 64] : [Number(onlySize)];
const INPUTS: Input[] = onlyInput === undefined ? ['bytes', 'strings'] : [onlyInput];
if (!(ROUNDS >= 1) || !(targetMegabytes > 0) || CHUNK_SIZES.some((size) => !(size >= 1))) {
  throw new Error('usage: bench/parser.ts [megabytes] [--rounds N] [--size BYTES] [--input bytes|strings] [--only ours|theirs|none]');
}
if (only !== undefined && !['ours', 'theirs', 'none'].includes(only)) throw new Error(`--only ${only}?`);
if (INPUTS.some((input) => input !== 'bytes' && input !== 'strings')) throw new Error(`--input ${onlyInput}?`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Child {
  process: ChildProcess;
  run(): Promise<{ seconds: number; result: Result }>;
}

async function startChild(which: Which, input: Input, size: number): Promise<Child> {
  // Inherits this process's execArgv, so the tsx loader comes along.
  const child = fork(join(__dirname, 'parser-child.ts'), [which, input, String(size), String(targetMegabytes)]);
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${which} child (${input}, ${size} B) exited with code ${code}`);
  });
  exited.catch(() => {});
  const next = () => Promise.race([once(child, 'message').then(([message]) => message), exited]);
  if ((await next()) !== 'ready') throw new Error(`${which} child did not start`);
  return {
    process: child,
    async run() {
      child.send('run');
      return (await next()) as { seconds: number; result: Result };
    },
  };
}

const megabytes = buildStream(targetMegabytes * 1e6).length / 1e6;

if (only !== undefined) {
  // One parser, one pass per chunk size, for callgrind: no warm-up and nothing else in the process.
  const stream = buildStream(targetMegabytes * 1e6);
  for (const input of INPUTS) {
    for (const size of CHUNK_SIZES) {
      const result = runners[only](chunksOf(stream, size, input));
      console.log(`${only}, ${input}, ${size} B chunks: ${result.events} events, ${result.dataChars} data characters`);
    }
  }
} else {
  void compare();
}

async function compare(): Promise<void> {
  console.log(`stream: ${megabytes.toFixed(1)} MB, ${ROUNDS} interleaved rounds, one process per parser and size, CPU time, node ${process.version}`);
  console.log('input     chunk size   ours MB/s   eventsource-parser MB/s   ratio (median, min-max)');
  let worst = Number.POSITIVE_INFINITY;
  for (const input of INPUTS) {
    for (const size of CHUNK_SIZES) {
      const ours = await startChild('ours', input, size);
      const theirs = await startChild('theirs', input, size);
      const oursRates: number[] = [];
      const theirsRates: number[] = [];
      const ratios: number[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          let o, t;
          if (round % 2 === 0) {
            o = await ours.run();
            t = await theirs.run();
          } else {
            t = await theirs.run();
            o = await ours.run();
          }
          if (JSON.stringify(o.result) !== JSON.stringify(t.result)) {
            throw new Error(`Parsers disagree: ${JSON.stringify(o.result)} vs ${JSON.stringify(t.result)}`);
          }
          oursRates.push(megabytes / o.seconds);
          theirsRates.push(megabytes / t.seconds);
          ratios.push(t.seconds / o.seconds);
        }
      } finally {
        ours.process.kill();
        theirs.process.kill();
      }
      const ratio = median(ratios);
      if (input === 'bytes') worst = Math.min(worst, ratio);
      console.log(
        `${input.padEnd(7)} ${String(size).padStart(12)}   ${median(oursRates).toFixed(1).padStart(9)}   ${median(theirsRates).toFixed(1).padStart(23)}   ` +
          `${ratio.toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
      );
    }
  }
  if (INPUTS.includes('bytes')) {
    console.log(`worst ratio, bytes in: ${worst.toFixed(2)}x (floor 1.00x at every chunk size; 1.50x at 64 B is the stretch)`);
  }
}
