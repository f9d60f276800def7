/**
 * Parser throughput: SSE Lab's parser against eventsource-parser on the same multi-megabyte
 * stream, cut into 64 KiB, 1,500 B and 64 B chunks, both decoding from bytes.
 *
 *   npm run bench            (or: npx tsx bench/parser.ts [megabytes])
 */
import { createParser as createTheirs } from 'eventsource-parser';
import { encodeComment, encodeEvent } from '../lib/sse/encoder';
import { createParser as createOurs } from '../lib/sse/parser';
import { seededRandom } from '../lib/seeded-random';

const targetMegabytes = Number(process.argv[2] ?? 8);
const CHUNK_SIZES = [64 * 1024, 1500, 64];
const ROUNDS = 7;


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

interface Result {
  events: number;
  dataChars: number;
}

function runOurs(chunks: Uint8Array[]): Result {
  const result = { events: 0, dataChars: 0 };
  const parser = createOurs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
    },
  });
  for (const piece of chunks) parser.feed(piece);
  return result;
}

function runTheirs(chunks: Uint8Array[]): Result {
  const result = { events: 0, dataChars: 0 };
  const decoder = new TextDecoder();
  const parser = createTheirs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
    },
  });
  for (const piece of chunks) parser.feed(decoder.decode(piece, { stream: true }));
  return result;
}

function measure(run: (chunks: Uint8Array[]) => Result, chunks: Uint8Array[], bytes: number): { mbps: number; result: Result } {
  const speeds: number[] = [];
  let result: Result = { events: 0, dataChars: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    result = run(chunks);
    const seconds = (performance.now() - start) / 1000;
    speeds.push(bytes / 1e6 / seconds);
  }
  speeds.sort((a, b) => a - b);
  return { mbps: speeds[Math.floor(speeds.length / 2)]!, result };
}

const stream = buildStream(targetMegabytes * 1e6);
console.log(`stream: ${(stream.length / 1e6).toFixed(1)} MB, median of ${ROUNDS} rounds, node ${process.version}`);
console.log('chunk size   ours MB/s   eventsource-parser MB/s   ratio');
let worst = Number.POSITIVE_INFINITY;
for (const size of CHUNK_SIZES) {
  const chunks = chunk(stream, size);
  // Warm both up on this chunking before measuring.
  runOurs(chunks);
  runTheirs(chunks);
  const ours = measure(runOurs, chunks, stream.length);
  const theirs = measure(runTheirs, chunks, stream.length);
  if (ours.result.events !== theirs.result.events || ours.result.dataChars !== theirs.result.dataChars) {
    throw new Error(`Parsers disagree: ${JSON.stringify(ours.result)} vs ${JSON.stringify(theirs.result)}`);
  }
  const ratio = ours.mbps / theirs.mbps;
  worst = Math.min(worst, ratio);
  console.log(
    `${String(size).padStart(10)}   ${ours.mbps.toFixed(1).padStart(9)}   ${theirs.mbps.toFixed(1).padStart(23)}   ${ratio.toFixed(2)}x`,
  );
}
console.log(`worst ratio: ${worst.toFixed(2)}x (goal: at least 1.50x at every chunk size)`);
