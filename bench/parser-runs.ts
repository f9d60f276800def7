/**
 * What bench/parser.ts measures, shared by the parent and the child processes it forks: the
 * stream, its chunking, and one full parse by each parser.
 */
import { createParser as createTheirs } from 'eventsource-parser';
import { encodeComment, encodeEvent } from '../lib/sse/encoder';
import { createParser as createOurs } from '../lib/sse/parser';
import { seededRandom } from '../lib/seeded-random';

export type Which = 'ours' | 'theirs' | 'none';
export type Input = 'bytes' | 'strings';
export type Chunks = readonly (Uint8Array | string)[];

// A mix like the streams this app serves: many small chat tokens, clock updates with JSON,
// multi-line markdown, heartbeats, the odd large event, and non-ASCII text.
export function buildStream(bytes: number): Uint8Array {
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

/** The stream cut into `size`-byte chunks, as bytes or as the strings a streaming decoder gives. */
export function chunksOf(stream: Uint8Array, size: number, input: Input): Chunks {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
  if (input === 'bytes') return chunks;
  const decoder = new TextDecoder();
  return chunks.map((piece) => decoder.decode(piece, { stream: true }));
}

/** What both parsers must agree on, so that neither is measured doing less work. */
export interface Result {
  events: number;
  dataChars: number;
  typeChars: number;
  idChars: number;
}

function runOurs(chunks: Chunks): Result {
  const result: Result = { events: 0, dataChars: 0, typeChars: 0, idChars: 0 };
  const parser = createOurs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
      result.typeChars += event.type.length;
      result.idChars += event.lastEventId.length;
    },
  });
  for (const piece of chunks) parser.feed(piece);
  return result;
}

// Bytes go through one streaming TextDecoder, as eventsource-parser's own EventSourceParserStream
// does (it pipes through TextDecoderStream): the same decoding work ours does inside feed().
function runTheirs(chunks: Chunks): Result {
  const result: Result = { events: 0, dataChars: 0, typeChars: 0, idChars: 0 };
  const decoder = new TextDecoder();
  const parser = createTheirs({
    onEvent(event) {
      result.events++;
      result.dataChars += event.data.length;
      result.typeChars += (event.event ?? 'message').length;
      // It forgets the id after each event (ours keeps it, as the spec says); every event of this
      // stream has an id line, so the two agree here.
      result.idChars += (event.id ?? '').length;
    },
  });
  for (const piece of chunks) parser.feed(typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true }));
  return result;
}

function runNone(chunks: Chunks): Result {
  return { events: chunks.length, dataChars: 0, typeChars: 0, idChars: 0 };
}

export const runners: Record<Which, (chunks: Chunks) => Result> = { ours: runOurs, theirs: runTheirs, none: runNone };

/** CPU seconds of this process (user + system), which time spent descheduled does not inflate. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
