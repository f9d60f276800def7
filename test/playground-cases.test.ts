import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLAYGROUND_CASES, splitBytes, type Expected } from '../lib/playground/cases';
import { naiveParse } from '../lib/playground/naive';
import { createParser } from '../lib/sse/parser';

function run(chunks: readonly Uint8Array[]): Expected {
  const outcome: Expected = { events: [], retries: [], comments: [] };
  const parser = createParser({
    onEvent: (event) => outcome.events.push(event),
    onRetry: (ms) => outcome.retries.push(ms),
    onComment: (text) => outcome.comments.push(text),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return outcome;
}

const encoder = new TextEncoder();

describe('the parser playground cases', () => {
  for (const playgroundCase of PLAYGROUND_CASES) {
    const bytes = encoder.encode(playgroundCase.text);

    test(`${playgroundCase.id}: our parser dispatches what the spec says, cut as on the wire`, () => {
      assert.deepEqual(run(splitBytes(bytes, playgroundCase.splitAt)), playgroundCase.expected);
    });

    test(`${playgroundCase.id}: the same, one byte at a time`, () => {
      assert.deepEqual(run(splitBytes(bytes, Array.from(bytes, (_, i) => i))), playgroundCase.expected);
    });
  }

  test('every cut of a case falls inside its stream', () => {
    for (const { id, text, splitAt = [] } of PLAYGROUND_CASES) {
      const length = encoder.encode(text).length;
      for (const offset of splitAt) assert.ok(offset > 0 && offset < length, `${id}: ${offset}`);
    }
  });

  test('the cuts of the CRLF and multi-byte cases fall where they claim', () => {
    const crlf = PLAYGROUND_CASES.find((c) => c.id === 'crlf')!;
    const [first] = splitBytes(encoder.encode(crlf.text), crlf.splitAt);
    assert.equal(first!.at(-1), 0x0d);
    const multibyte = PLAYGROUND_CASES.find((c) => c.id === 'multibyte')!;
    for (const chunk of splitBytes(encoder.encode(multibyte.text), multibyte.splitAt)) {
      assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(chunk));
    }
  });

  test('the naive parser gets every case but the BOM, comments and retry ones wrong, as the page says', () => {
    const wrong = PLAYGROUND_CASES.filter(
      (c) => JSON.stringify(naiveParse(splitBytes(encoder.encode(c.text), c.splitAt))) !== JSON.stringify(c.expected.events),
    ).map((c) => c.id);
    assert.deepEqual(wrong, ['basic', 'crlf', 'multibyte', 'id-nul', 'no-final-blank-line', 'fields']);
  });
});
