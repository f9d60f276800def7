/**
 * Parser throughput: SSE Lab's parser against eventsource-parser on the same multi-megabyte
 * stream, cut into 64 KiB, 1,500 B and 64 B chunks (64 B is about one chat token event).
 *
 *   npm run bench                      (or: npx tsx bench/parser.ts [megabytes] [--rounds N])
 *
 * Two inputs are measured. "bytes": both are fed the same Uint8Array chunks and both pay UTF-8
 * decoding (ours inside `feed`, eventsource-parser through a streaming `TextDecoder`, as its own
 * `EventSourceParserStream` does). "strings": both are fed the same already-decoded strings, which
 * isolates the parsing itself.
 *
 * The machine is shared, so each round runs both parsers back to back (alternating which goes
 * first) and times them in CPU time of this process, not wall time; the figure is the median of
 * the per-round ratios, with their spread. For an instruction count that load cannot touch, run
 * one parser alone under callgrind and subtract a run that parses nothing:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --import tsx bench/parser.ts 2 --only ours --size 64
 *   (then --only theirs, and --only none for the baseline; compare the "Collected" totals)
 */
import { createParser as createTheirs } from 'eventsource-parser';
import { encodeComment, encodeEvent } from '../lib/sse/encoder';
import { createParser as createOurs } from '../lib/sse/parser';
import { seededRandom } from '../lib/seeded-random';

type Which = 'ours' | 'theirs' | 'none';

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
const targetMegabytes = Number(args[0] ?? 8);
const CHUNK_SIZES = onlySize === undefined ? [64 * 1024, 1500, 64] : [Number(onlySize)];
if (!(ROUNDS >= 1) || !(targetMegabytes > 0) || CHUNK_SIZES.some((size) => !(size >= 1))) {
  throw new Error('usage: bench/parser.ts [megabytes] [--rounds N] [--only ours|theirs|none --size BYTES]');
}
if (only !== undefined && !['ours', 'theirs', 'none'].includes(only)) throw new Error(`--only ${only}?`);

// A mix like the streams this app serves: many small chat tokens, clock updates with JSON,
// multi-line markdown, heartbeats, the odd large event, and non-ASCII text.
function buildStream(bytes: number): Uint8Array {
  const random = seededRandom(42);
  const words = ['stream', 'event', ' the', ' server', ' données', ' 🚀', ' réponse', ' token', ' 数据', ' fetch'];
  const parts: string[] = [];
  let size = 0;
  let seq = 0;
  while (size < bytes) {
    const roll = random();
    let text: string;
    seq++;
    if (roll < 0.6) {
      const word = words[Math.floor(random() * words.length)]!;
      text = encodeEvent({ event: 'token', id: `c0ffee:${seq}`, data: { text: word } });
    } else if (roll < 0.8) {
      text = encodeEvent({
        event: 'update',
        id: seq,
        data: { timestamp: new Date(1_700_000_000_000 + seq * 1000).toISOString(), random: Math.floor(random() * 100) },
      });
    } else if (roll < 0.9) {
      text = encodeEvent({ id: seq, data: `## Heading ${seq}\n\n- one item\n- two items with \`code\`\n\n\`\`\`ts\nconst x = ${seq};\n\`\`\`` });
    } else if (roll < 0.97) {
      text = encodeComment('ping');
    } else {
      text = encodeEvent({ event: 'snapshot', id: seq, data: { rows: Array.from({ length: 60 }, (_, i) => ({ i, name: `row ${i} ✓` })) } });
    }
    parts.push(text);
    size += text.length;
  }
  return new TextEncoder().encode(parts.join(''));
}

function chunk(stream: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
  return chunks;
}

function decodeAll(chunks: Uint8Array[]): string[] {
  const decoder = new TextDecoder();
  return chunks.map((piece) => decoder.decode(piece, { stream: true }));
}

// What both parsers must agree on, so that neither is measured doing less work.
interface Result {
  events: number;
  dataChars: number;
  typeChars: number;
}

function runOurs(chunks: readonly (Uint8Array | string)[]): Result {
  const result: Result = { events: 0, dataChars: 0, typeChars: 0 };
  const parser = createOurs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
      result.typeChars += event.type.length;
    },
  });
  for (const piece of chunks) parser.feed(piece);
  return result;
}

function runTheirs(chunks: readonly (Uint8Array | string)[]): Result {
  const result: Result = { events: 0, dataChars: 0, typeChars: 0 };
  const decoder = new TextDecoder();
  const parser = createTheirs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
      result.typeChars += (event.event ?? 'message').length;
    },
  });
  for (const piece of chunks) parser.feed(typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true }));
  return result;
}

function runNone(chunks: readonly (Uint8Array | string)[]): Result {
  return { events: chunks.length, dataChars: 0, typeChars: 0 };
}

// CPU seconds of this process (user + system), which time spent descheduled does not inflate.
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

// No forced collection between runs: measured here, a full GC before each run halved both parsers'
// throughput (compiled code and heap sizing start over), which hides more than it evens out.
function timed(run: (chunks: readonly (Uint8Array | string)[]) => Result, chunks: readonly (Uint8Array | string)[]) {
  const start = cpuSeconds();
  const result = run(chunks);
  return { seconds: cpuSeconds() - start, result };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const stream = buildStream(targetMegabytes * 1e6);
const megabytes = stream.length / 1e6;

if (only !== undefined) {
  // One parser, one pass per chunk size, for callgrind: no warm-up and nothing else in the process.
  const run = only === 'ours' ? runOurs : only === 'theirs' ? runTheirs : runNone;
  for (const size of CHUNK_SIZES) {
    const result = run(chunk(stream, size));
    console.log(`${only}, ${size} B chunks: ${result.events} events, ${result.dataChars} data characters`);
  }
} else {
  console.log(`stream: ${megabytes.toFixed(1)} MB, ${ROUNDS} interleaved rounds, CPU time, node ${process.version}`);
  console.log('input     chunk size   ours MB/s   eventsource-parser MB/s   ratio (median, min-max)');
  let worst = Number.POSITIVE_INFINITY;
  for (const input of ['bytes', 'strings'] as const) {
    for (const size of CHUNK_SIZES) {
      const byteChunks = chunk(stream, size);
      const chunks = input === 'bytes' ? byteChunks : decodeAll(byteChunks);
      // Warm both up on this chunking before measuring.
      for (let i = 0; i < 2; i++) {
        runOurs(chunks);
        runTheirs(chunks);
      }
      const ours: number[] = [];
      const theirs: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const first = round % 2 === 0 ? runOurs : runTheirs;
        const a = timed(first, chunks);
        const b = timed(first === runOurs ? runTheirs : runOurs, chunks);
        const [o, t] = first === runOurs ? [a, b] : [b, a];
        if (JSON.stringify(o.result) !== JSON.stringify(t.result)) {
          throw new Error(`Parsers disagree: ${JSON.stringify(o.result)} vs ${JSON.stringify(t.result)}`);
        }
        ours.push(megabytes / o.seconds);
        theirs.push(megabytes / t.seconds);
        ratios.push(t.seconds / o.seconds);
      }
      const ratio = median(ratios);
      if (input === 'bytes') worst = Math.min(worst, ratio);
      console.log(
        `${input.padEnd(7)} ${String(size).padStart(12)}   ${median(ours).toFixed(1).padStart(9)}   ${median(theirs).toFixed(1).padStart(23)}   ` +
          `${ratio.toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
      );
    }
  }
  console.log(`worst ratio, bytes in: ${worst.toFixed(2)}x (floor 1.00x at every chunk size; 1.50x at 64 B is the stretch)`);
}
