import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParseError } from '../lib/sse/errors';
import { createParser, type Parser, type ParserOptions } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';
import { seededRandom } from '../lib/seeded-random';

// What a stream produced, in order, through each of the parser's callbacks.
interface Outcome {
  events: SseEvent[];
  retries: number[];
  comments: string[];
}

const encoder = new TextEncoder();
const SPLIT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];


function event(data: string, type = 'message', lastEventId = ''): SseEvent {
  return { type, data, lastEventId };
}

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const arrays = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : Uint8Array.from(part)));
  const out = new Uint8Array(arrays.reduce((sum, array) => sum + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    out.set(array, offset);
    offset += array.length;
  }
  return out;
}

function collect(feedAll: (parser: Parser) => void, options: Partial<ParserOptions> = {}): Outcome {
  const outcome: Outcome = { events: [], retries: [], comments: [] };
  const parser = createParser({
    onEvent: (e) => outcome.events.push(e),
    onRetry: (ms) => outcome.retries.push(ms),
    onComment: (text) => outcome.comments.push(text),
    ...options,
  });
  feedAll(parser);
  return outcome;
}

// Cuts at random points, into pieces of 1 to `max` units.
function randomCuts(length: number, seed: number, max: number): number[] {
  const random = seededRandom(seed);
  const cuts = [0];
  let at = 0;
  while (at < length) {
    at = Math.min(length, at + 1 + Math.floor(random() * max));
    cuts.push(at);
  }
  return cuts;
}

/**
 * Every way of feeding one stream, by name. Byte pieces are copied into one scratch buffer that is
 * overwritten after each feed, so a parser that kept a view of a chunk would be caught.
 */
function feedings(bytes: Uint8Array): [string, (parser: Parser) => void][] {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const scratch = new Uint8Array(bytes.length);
  const feedCopies = (parser: Parser, cuts: number[]) => {
    for (let i = 1; i < cuts.length; i++) {
      const piece = scratch.subarray(0, cuts[i]! - cuts[i - 1]!);
      piece.set(bytes.subarray(cuts[i - 1], cuts[i]));
      parser.feed(piece);
      piece.fill(0x0a);
    }
  };
  const ways: [string, (parser: Parser) => void][] = [
    ['whole, as bytes', (parser) => parser.feed(bytes)],
    ['byte by byte', (parser) => bytes.forEach((_, i) => parser.feed(bytes.slice(i, i + 1)))],
    ['whole, as a string', (parser) => parser.feed(text)],
    ['one UTF-16 code unit at a time', (parser) => text.split('').forEach((unit) => parser.feed(unit))],
  ];
  for (const seed of SPLIT_SEEDS) {
    const max = seed <= 4 ? 4 : 32;
    ways.push([`random byte splits, seed ${seed}`, (parser) => feedCopies(parser, randomCuts(bytes.length, seed, max))]);
    ways.push([
      `random string splits, seed ${seed}`,
      (parser) => {
        const cuts = randomCuts(text.length, seed, max);
        for (let i = 1; i < cuts.length; i++) parser.feed(text.slice(cuts[i - 1], cuts[i]));
      },
    ]);
  }
  return ways;
}

/** Parses `input` every way in {@link feedings} and checks that each gives exactly `expected`. */
function expectParse(input: string | Uint8Array, expected: Partial<Outcome>): void {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const want: Outcome = { events: [], retries: [], comments: [], ...expected };
  for (const [name, feedAll] of feedings(bytes)) {
    assert.deepEqual(collect(feedAll), want, `fed ${name}`);
  }
}

describe('createParser', () => {
  describe('decoding', () => {
    test('decodes UTF-8 split across chunks, including four-byte characters', () => {
      expectParse('data: é€😀数据\n\n', { events: [event('é€😀数据')] });
      expectParse('event: 🚀 lift-off\nid: ✓1\ndata: 🚀\n\n', { events: [event('🚀', '🚀 lift-off', '✓1')] });
    });

    test('turns invalid bytes into U+FFFD, one per maximal bad subsequence', () => {
      expectParse(bytesOf('data: ', [0xff], 'a', [0xc3], '\n\n'), { events: [event('\uFFFDa\uFFFD')] });
      expectParse(bytesOf('data: ', [0xe2, 0x82], '\n\n'), { events: [event('\uFFFD')] });
      expectParse(bytesOf('data: ', [0xc0, 0x80], 'x\n\n'), { events: [event('\uFFFD\uFFFDx')] });
      expectParse(bytesOf('data: ', [0xed, 0xa0, 0x80], '\n\n'), { events: [event('\uFFFD\uFFFD\uFFFD')] });
      expectParse(bytesOf('data: ', [0xf0, 0x9f, 0x98], '\ndata: ', [0x98, 0x80], '\n\n'), {
        events: [event('\uFFFD\n\uFFFD\uFFFD')],
      });
    });

    test('does not let bad bytes swallow the line end that follows them', () => {
      expectParse(bytesOf('data: a', [0xf0], '\n\ndata: b\n\n'), { events: [event('a\uFFFD'), event('b')] });
    });

    test('turns bytes left half-decoded before a string chunk into U+FFFD', () => {
      const outcome = collect((parser) => {
        parser.feed(bytesOf('data: a', [0xe2, 0x82]));
        parser.feed('b\n\n');
      });
      assert.deepEqual(outcome.events, [event('a\uFFFDb')]);
    });

    test('strips one leading byte order mark', () => {
      expectParse('\uFEFFdata: a\n\n', { events: [event('a')] });
      expectParse('\uFEFF\n\ndata: a\n\n', { events: [event('a')] });
      expectParse('\uFEFF: note\n', { comments: ['note'] });
    });

    test('keeps a second leading byte order mark, which then makes the field name unknown', () => {
      expectParse('\uFEFF\uFEFFdata: a\n\ndata: b\n\n', { events: [event('b')] });
    });

    test('keeps a byte order mark that is not at the start of the stream', () => {
      expectParse('data: \uFEFFa\n\n\uFEFFdata: b\n\ndata: c\uFEFF\n\n', { events: [event('\uFEFFa'), event('c\uFEFF')] });
    });

    test('keeps a byte order mark that arrives after an empty first chunk', () => {
      const outcome = collect((parser) => {
        parser.feed(new Uint8Array(0));
        parser.feed('');
        parser.feed('\uFEFF\uFEFFdata: a\n\ndata: b\n\n');
      });
      assert.deepEqual(outcome.events, [event('b')]);
    });
  });

  describe('line ends', () => {
    test('accepts LF, CR and CRLF as line ends, mixed in one stream', () => {
      expectParse('data: a\ndata: b\rdata: c\r\n\ndata: d\r\r\ndata: e\r\n\r\n', {
        events: [event('a\nb\nc'), event('d'), event('e')],
      });
    });

    test('reads LF CR as two line ends and CR LF as one', () => {
      expectParse('data: a\n\rdata: b\r\n\r\n', { events: [event('a'), event('b')] });
    });

    test('reads CR CR as two line ends, which dispatches', () => {
      expectParse('data: a\r\rdata: b\r\r', { events: [event('a'), event('b')] });
    });

    test('reads a CR ending one chunk and an LF starting the next as one line end', () => {
      const outcome = collect((parser) => ['data: a\r', '\ndata: b\r', '\n\r', '\n'].forEach((c) => parser.feed(c)));
      assert.deepEqual(outcome.events, [event('a\nb')]);
      const fromBytes = collect((parser) =>
        ['data: a\r', '\ndata: b\r', '\n\r', '\n'].forEach((c) => parser.feed(encoder.encode(c))),
      );
      assert.deepEqual(fromBytes.events, [event('a\nb')]);
    });

    test('reads a CR ending one chunk and a CR starting the next as two line ends', () => {
      const outcome = collect((parser) => ['data: a\r', '\r'].forEach((c) => parser.feed(encoder.encode(c))));
      assert.deepEqual(outcome.events, [event('a')]);
    });

    test('remembers a chunk-ending CR across empty chunks', () => {
      const outcome = collect((parser) => {
        parser.feed('data: a\r');
        parser.feed(new Uint8Array(0));
        parser.feed('');
        parser.feed('\ndata: b\n\n');
      });
      assert.deepEqual(outcome.events, [event('a\nb')]);
    });
  });

  describe('fields', () => {
    test('passes comments to onComment without their colon and one space, and never dispatches them', () => {
      expectParse(': hello\n:  two spaces\n:none\n:\n\n', { comments: ['hello', ' two spaces', 'none', ''] });
      expectParse('data: a\n: between\ndata: b\n\n', { events: [event('a\nb')], comments: ['between'] });
    });

    test('removes exactly one leading space from a value', () => {
      expectParse('data:  two\n\ndata:none\n\ndata:\tx\n\n', { events: [event(' two'), event('none'), event('\tx')] });
      expectParse('event:  spaced\nid:  7\ndata: x\n\n', { events: [event('x', ' spaced', ' 7')] });
    });

    test('splits a field at its first colon only', () => {
      expectParse('data: a: b:c\n\nid: x:y\nevent: t:u\ndata\n\n', { events: [event('a: b:c'), event('', 't:u', 'x:y')] });
    });

    test('reads a line without a colon as a field with an empty value', () => {
      expectParse('data\n\n', { events: [event('')] });
      expectParse('data\ndata\ndata: x\n\n', { events: [event('\n\nx')] });
      expectParse('event: named\nevent\ndata: x\n\n', { events: [event('x')] });
    });

    test('ignores unknown fields, including ones that differ in case or spacing', () => {
      expectParse('foo: bar\nDATA: no\nData: no\n data: no\ndata : no\ndatas: no\nretryx: 5\nid : 1\ndata: yes\n\n', {
        events: [event('yes')],
      });
    });

    test('ignores an id containing NUL, keeping the previous one', () => {
      expectParse('id: a\0b\ndata: x\n\n', { events: [event('x')] });
      expectParse('id: 1\n\nid: 2\0\ndata: x\n\n', { events: [event('x', 'message', '1')] });
    });

    test('keeps NUL in data and in the event type', () => {
      expectParse('event: a\0b\ndata: c\0d\n\n', { events: [event('c\0d', 'a\0b')] });
    });

    test('accepts retry only when it is all ASCII digits', () => {
      expectParse('retry: 1000\nretry: 1a\nretry:\nretry\nretry: -1\nretry: 1.5\nretry:  5\nretry: +5\nretry: ١\nretry: 0\nretry: 007\n', {
        retries: [1000, 0, 7],
      });
    });

    test('does not dispatch anything for a retry', () => {
      expectParse('retry: 10\n\n', { retries: [10] });
    });
  });

  describe('dispatch', () => {
    test('does not dispatch a block without data, such as one with only an event type', () => {
      expectParse('event: lonely\n\n\n\n', {});
    });

    test('dispatches an empty data value as an empty string', () => {
      expectParse('data:\n\ndata: \n\n', { events: [event(''), event('')] });
    });

    test('joins multi-line data with LF and removes only the one trailing LF', () => {
      expectParse('data: a\ndata: b\ndata:\n\n', { events: [event('a\nb\n')] });
      expectParse('data:\ndata:\n\n', { events: [event('\n')] });
    });

    test('resets the event type after every block', () => {
      expectParse('event: one\ndata: 1\n\ndata: 2\n\n', { events: [event('1', 'one'), event('2')] });
    });

    test('resets the event type after a block with no data', () => {
      expectParse('event: orphan\n\ndata: x\n\n', { events: [event('x')] });
    });

    test('uses the last event field of a block, and "message" for an empty one', () => {
      expectParse('event: a\nevent: b\ndata: x\n\nevent: a\nevent:\ndata: y\n\n', { events: [event('x', 'b'), event('y')] });
    });

    test('keeps the last event ID across events until an id field changes it', () => {
      expectParse('id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\ndata: d\nid: 3\n\n', {
        events: [event('a', 'message', '1'), event('b', 'message', '1'), event('c', 'message', '2'), event('d', 'message', '3')],
      });
    });

    test('resets the last event ID to the empty string for an empty id value or a bare id line', () => {
      expectParse('id: 1\ndata: a\n\nid:\ndata: b\n\nid: 2\n\nid\ndata: c\n\n', {
        events: [event('a', 'message', '1'), event('b'), event('c')],
      });
    });

    test('discards an unterminated final block', () => {
      expectParse('data: a\n\ndata: b\n', { events: [event('a')] });
      expectParse('data: a\n\ndata: b', { events: [event('a')] });
      expectParse('data: a\n\nid: 5\nretry: 9', { events: [event('a')] });
    });
  });

  describe('chunk boundaries', () => {
    /** Feeds `chunks` as they are, then each encoded as bytes, and checks both give `expected`. */
    function expectChunks(chunks: string[], expected: SseEvent[]): void {
      assert.deepEqual(collect((parser) => chunks.forEach((chunk) => parser.feed(chunk))).events, expected, 'as strings');
      assert.deepEqual(collect((parser) => chunks.forEach((chunk) => parser.feed(encoder.encode(chunk)))).events, expected, 'as bytes');
    }

    test('finishes a line left over from the last chunk and reads the lines after it in the same chunk', () => {
      expectChunks(['event: a\nda', 'ta: 1\n\nid: 2\ndata: 2\n\n'], [event('1', 'a'), event('2', 'message', '2')]);
    });

    test('finishes a left-over line in a chunk with CR line ends, at the right offsets', () => {
      expectChunks(['data: xy', 'z\rdata: w\r\revent: e\r\ndata: v\r\n\r\n'], [event('xyz\nw'), event('v', 'e')]);
      expectChunks(['id: 1', '2\r', '\ndata: a\n\n'], [event('a', 'message', '12')]);
    });

    test('joins a line spread over several chunks without line ends', () => {
      expectChunks(['data: a', 'b', 'c', '', 'd\n', '\n'], [event('abcd')]);
      expectChunks([': com', 'ment\ndata: ', 'x', 'y\n\n'], [event('xy')]);
    });

    test('reads a single data line followed by a blank line like any other event', () => {
      expectChunks(['event: t\nid: 7\ndata:x\n\ndata:\n\n'], [event('x', 't', '7'), event('', 'message', '7')]);
      expectChunks(['data: a\ndata: b\n\ndata: c\n\n'], [event('a\nb'), event('c')]);
      expectChunks(['data: a\n', '\ndata: b\n\n'], [event('a'), event('b')]);
      expectChunks(['dat: a\n\ndata : b\n\ndata\n\n'], [event('')]);
    });

    test('switches between the LF-only and the CR-aware scan from chunk to chunk, carrying the left-over line', () => {
      expectChunks(['data: a', 'b\rdata: c', 'd\n\nid: 1', '\r\ndata: e\n\n', 'data: f\r', '\n\r\n'], [
        event('ab\ncd'),
        event('e', 'message', '1'),
        event('f', 'message', '1'),
      ]);
    });

    test('reads field names cut short by the line end as whole fields, not as the field they start', () => {
      expectChunks(['id: 5\nid\ndata: a\n\n'], [event('a')]);
      expectChunks(['event: x\nevent\ndata: a\n\n'], [event('a')]);
      expectChunks(['data: a\ndata\ndat\neven\ni\n\n'], [event('a\n')]);
      expectChunks(['data:\n'], []);
      expectChunks(['data: a\n', 'data'], []);
    });

    test('stops after a single-data-line event whose callback resets the parser', () => {
      const events: SseEvent[] = [];
      const parser = createParser({
        onEvent(e) {
          events.push(e);
          parser.reset();
        },
      });
      parser.feed('data: first\n\ndata: lost\n\n');
      parser.feed('data: second\n\n');
      assert.deepEqual(events, [event('first'), event('second')]);
    });
  });

  describe('reset', () => {
    test('forgets the pending line, the pending event and the last event ID', () => {
      const outcome = collect((parser) => {
        parser.feed('id: 7\ndata: a\n\ndata: pending\nevent: gone\nda');
        parser.reset();
        parser.feed('ta: b\n\ndata: c\n\n');
      });
      assert.deepEqual(outcome.events, [event('a', 'message', '7'), event('c')]);
    });

    test('forgets half-decoded bytes', () => {
      const outcome = collect((parser) => {
        parser.feed(encoder.encode('data: x\n'));
        parser.feed(Uint8Array.from([0xe2, 0x82]));
        parser.reset();
        parser.feed(encoder.encode('data: €\n\n'));
      });
      assert.deepEqual(outcome.events, [event('€')]);
    });

    test('forgets a chunk-ending CR', () => {
      const outcome = collect((parser) => {
        parser.feed('data: a\r');
        parser.reset();
        parser.feed('\ndata: b\n\n');
      });
      assert.deepEqual(outcome.events, [event('b')]);
    });

    test('strips a leading byte order mark again, as on a new connection', () => {
      const outcome = collect((parser) => {
        parser.feed('data: a\n\n');
        parser.reset();
        parser.feed(encoder.encode('\uFEFFdata: b\n\n'));
      });
      assert.deepEqual(outcome.events, [event('a'), event('b')]);
    });

    test('stops the rest of the chunk when called from onEvent', () => {
      const events: SseEvent[] = [];
      const parser = createParser({
        onEvent(e) {
          events.push(e);
          if (e.data === 'stop') parser.reset();
        },
      });
      parser.feed(encoder.encode('id: 9\ndata: stop\n\ndata: lost\n\nid: 10\ndata: lost too'));
      parser.feed(encoder.encode('data: next\n\n'));
      parser.feed('id: 1\ndata: stop\n\ndata: lost\n\n');
      parser.feed('data: last\n\n');
      assert.deepEqual(events, [event('stop', 'message', '9'), event('next'), event('stop', 'message', '1'), event('last')]);
    });

    test('stops the rest of the chunk when called from onComment or onRetry', () => {
      const events: SseEvent[] = [];
      const parser = createParser({
        onEvent: (e) => events.push(e),
        onComment: () => parser.reset(),
        onRetry: () => parser.reset(),
      });
      parser.feed('data: lost\n: reset\ndata: lost\n\n');
      parser.feed('data: lost\nretry: 1\ndata: lost\n\n');
      parser.feed('data: kept\n\n');
      assert.deepEqual(events, [event('kept')]);
    });
  });

  describe('maxBufferSize', () => {
    test('throws a buffer-overflow ParseError for a line longer than the limit, then parses again', () => {
      for (const asBytes of [false, true]) {
        const events: SseEvent[] = [];
        const parser = createParser({ onEvent: (e) => events.push(e), maxBufferSize: 100 });
        const feed = (text: string) => parser.feed(asBytes ? encoder.encode(text) : text);
        feed('id: 1\ndata: ');
        feed('x'.repeat(50));
        assert.throws(
          () => feed('x'.repeat(50)),
          (error) => error instanceof ParseError && error.code === 'buffer-overflow',
        );
        feed('data: ok\n\n');
        assert.deepEqual(events, [event('ok')]);
      }
    });

    test('allows a pending line of exactly the limit', () => {
      const parser = createParser({ onEvent: () => {}, maxBufferSize: 10 });
      parser.feed('data: 1234');
      assert.throws(() => parser.feed('5'), { name: 'ParseError' });
    });

    test('counts the data of an event still being received', () => {
      const parser = createParser({ onEvent: () => {}, maxBufferSize: 100 });
      parser.feed('data: 0123456789\n'.repeat(9));
      assert.throws(() => parser.feed('data: 0123456789\n'.repeat(2)), (error) => error instanceof ParseError);
    });

    test('does not limit an event that completes within one chunk', () => {
      const events: SseEvent[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e), maxBufferSize: 100 });
      parser.feed(`data: ${'y'.repeat(1000)}\n\n`);
      assert.deepEqual(events, [event('y'.repeat(1000))]);
    });
  });

  describe('long lines', () => {
    const MEGABYTE = 1024 * 1024;

    test('reads a 1 MB line fed one character at a time as a string', () => {
      const events: SseEvent[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      parser.feed('data: ');
      for (let i = 0; i < MEGABYTE; i++) parser.feed(i % 2 === 0 ? 'a' : 'b');
      parser.feed('\n\n');
      assert.equal(events.length, 1);
      assert.equal(events[0]!.data, 'ab'.repeat(MEGABYTE / 2));
    });

    test('reads a 1 MB line fed one byte at a time', () => {
      const events: SseEvent[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      const bytes = encoder.encode(`data: ${'é'.repeat(MEGABYTE / 2)}\n\n`);
      for (let i = 0; i < bytes.length; i++) parser.feed(bytes.subarray(i, i + 1));
      assert.equal(events.length, 1);
      assert.equal(events[0]!.data, 'é'.repeat(MEGABYTE / 2));
    });
  });
});
