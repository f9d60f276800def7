import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeEvent } from '../lib/sse/encoder';
import { createParser } from '../lib/sse/parser';
import type { EventInput, SseEvent } from '../lib/sse/types';
import { seededRandom } from '../lib/seeded-random';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);


// Pieces that stress the format: every line end, NUL, colons, spaces where one is stripped,
// multibyte and astral characters, and a field-like text inside data.
const DATA_PIECES = ['a', 'Z', ' ', '  ', '\r', '\n', '\r\n', '\n\r', '\0', ':', 'data: ', 'é', '€', '😀', '数据', '\uFEFF', '\t', '{"k":1}'];
const NAME_PIECES = ['a', 'z', '0', ' ', ':', '-', 'é', '😀', '\uFEFF', 'token', 'c0ffee:'];

function randomText(random: () => number, pieces: string[], maxPieces: number): string {
  let text = '';
  const count = Math.floor(random() * (maxPieces + 1));
  for (let i = 0; i < count; i++) text += pieces[Math.floor(random() * pieces.length)]!;
  // Now and then a long line, to cross many chunks.
  if (pieces === DATA_PIECES && random() < 0.1) text += 'x'.repeat(5000 + Math.floor(random() * 5000));
  return text;
}

interface Case {
  expected: SseEvent[];
  wire: Uint8Array;
}

function randomCase(seed: number): Case {
  const random = seededRandom(seed);
  const inputs: EventInput[] = [];
  const expected: SseEvent[] = [];
  let lastEventId = '';
  for (let i = 0; i < 40; i++) {
    const input: EventInput = { data: randomText(random, DATA_PIECES, 12) };
    if (random() < 0.5) input.event = randomText(random, NAME_PIECES, 4);
    if (random() < 0.5) input.id = randomText(random, NAME_PIECES, 4);
    inputs.push(input);
    if (input.id !== undefined) lastEventId = String(input.id);
    expected.push({
      type: input.event || 'message',
      // [spec] CR and CRLF are line ends like LF; the format cannot carry them inside data.
      data: (input.data as string).replace(/\r\n?/g, '\n'),
      lastEventId,
    });
  }
  const wire = new TextEncoder().encode(inputs.map(encodeEvent).join(''));
  return { expected, wire };
}

function parseChunks(chunks: (Uint8Array | string)[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

function randomSplit(wire: Uint8Array, random: () => number, max: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < wire.length; ) {
    const size = 1 + Math.floor(random() * max);
    chunks.push(wire.slice(at, at + size));
    at += size;
  }
  return chunks;
}

describe('encodeEvent then parse', () => {
  for (const seed of SEEDS) {
    test(`gives back every event, with CR and CRLF in data read as LF (seed ${seed})`, () => {
      const { expected, wire } = randomCase(seed);
      assert.deepEqual(parseChunks([wire]), expected);
    });

    test(`gives back every event whatever the byte chunking (seed ${seed})`, () => {
      const { expected, wire } = randomCase(seed);
      const random = seededRandom(seed * 7919);
      for (const max of [1, 3, 17, 700]) {
        assert.deepEqual(parseChunks(randomSplit(wire, random, max)), expected, `pieces of 1 to ${max} bytes`);
      }
    });

    test(`gives back every event when fed as decoded text (seed ${seed})`, () => {
      const { expected, wire } = randomCase(seed);
      const text = new TextDecoder().decode(wire);
      const random = seededRandom(seed * 104729);
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(random() * 40);
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      assert.deepEqual(parseChunks(chunks), expected);
    });
  }
});
