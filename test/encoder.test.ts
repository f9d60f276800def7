import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeComment, encodeEvent, encodeRetry } from '../lib/sse/encoder';
import { EncodeError } from '../lib/sse/errors';

describe('encodeEvent', () => {
  test('sends a string as it is, on one data line, ending with a blank line', () => {
    assert.equal(encodeEvent({ data: 'hello world' }), 'data: hello world\n\n');
  });

  test('sends anything that is not a string as JSON', () => {
    assert.equal(encodeEvent({ data: { a: 1, b: ['x', null] } }), 'data: {"a":1,"b":["x",null]}\n\n');
    assert.equal(encodeEvent({ data: 42 }), 'data: 42\n\n');
    assert.equal(encodeEvent({ data: null }), 'data: null\n\n');
    assert.equal(encodeEvent({ data: false }), 'data: false\n\n');
  });

  test('sends a JSON string value quoted, unlike a plain string', () => {
    assert.equal(encodeEvent({ data: ['a\nb'] }), 'data: ["a\\nb"]\n\n');
  });

  test('splits data on LF into one data line per line', () => {
    assert.equal(encodeEvent({ data: 'one\ntwo\nthree' }), 'data: one\ndata: two\ndata: three\n\n');
  });

  test('splits data on a lone CR as well', () => {
    assert.equal(encodeEvent({ data: 'one\rtwo' }), 'data: one\ndata: two\n\n');
  });

  test('treats CRLF as one line break, not two', () => {
    assert.equal(encodeEvent({ data: 'one\r\ntwo' }), 'data: one\ndata: two\n\n');
  });

  test('keeps empty lines inside data, including leading and trailing ones', () => {
    assert.equal(encodeEvent({ data: '\na\n\nb\n' }), 'data: \ndata: a\ndata: \ndata: b\ndata: \n\n');
  });

  test('treats LF CR as two line breaks', () => {
    assert.equal(encodeEvent({ data: 'a\n\rb' }), 'data: a\ndata: \ndata: b\n\n');
  });

  test('sends empty data as one empty data line, so the event is still dispatched', () => {
    assert.equal(encodeEvent({ data: '' }), 'data: \n\n');
  });

  test('keeps a leading space of data, since the parser removes only the one after the colon', () => {
    assert.equal(encodeEvent({ data: ' indented' }), 'data:  indented\n\n');
  });

  test('writes retry, id, event and data in that order', () => {
    assert.equal(
      encodeEvent({ event: 'update', data: 'x', id: 'abc', retry: 2500 }),
      'retry: 2500\nid: abc\nevent: update\ndata: x\n\n',
    );
  });

  test('sends a numeric id as its decimal text', () => {
    assert.equal(encodeEvent({ data: 'x', id: 17 }), 'id: 17\ndata: x\n\n');
    assert.equal(encodeEvent({ data: 'x', id: 0 }), 'id: 0\ndata: x\n\n');
  });

  test('sends an empty id, which resets the client’s last event ID', () => {
    assert.equal(encodeEvent({ data: 'x', id: '' }), 'id: \ndata: x\n\n');
  });

  test('leaves out an empty event type, so the client sees "message"', () => {
    assert.equal(encodeEvent({ event: '', data: 'x' }), 'data: x\n\n');
  });

  for (const [name, value] of [
    ['LF', 'a\nb'],
    ['CR', 'a\rb'],
    ['CRLF', 'a\r\nb'],
  ] as const) {
    test(`throws an EncodeError for an event type containing ${name}`, () => {
      assert.throws(() => encodeEvent({ event: value, data: 'x' }), {
        name: 'EncodeError',
        message: 'Event type must not contain CR or LF.',
      });
    });

    test(`throws an EncodeError for an id containing ${name}`, () => {
      assert.throws(() => encodeEvent({ id: value, data: 'x' }), {
        name: 'EncodeError',
        message: 'Event id must not contain CR or LF.',
      });
    });
  }

  test('throws an EncodeError for an id containing NUL, which clients would silently ignore', () => {
    assert.throws(() => encodeEvent({ id: 'a\0b', data: 'x' }), {
      name: 'EncodeError',
      message: 'Event id must not contain NUL.',
    });
  });

  test('throws instances of EncodeError, which are also TypeErrors', () => {
    const error = captureThrow(() => encodeEvent({ event: 'a\nb', data: 'x' }));
    assert.ok(error instanceof EncodeError);
    assert.ok(error instanceof TypeError);
  });

  test('throws an EncodeError for undefined data, which has no JSON form', () => {
    assert.throws(() => encodeEvent({ data: undefined }), {
      name: 'EncodeError',
      message: 'Event data must be a string or JSON-serialisable.',
    });
  });

  test('throws an EncodeError for a function as data', () => {
    assert.throws(() => encodeEvent({ data: () => 1 }), { name: 'EncodeError' });
  });

  test('throws an EncodeError, not a bare TypeError, for data JSON.stringify rejects', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.ok(captureThrow(() => encodeEvent({ data: circular })) instanceof EncodeError);
    assert.ok(captureThrow(() => encodeEvent({ data: { n: 1n } })) instanceof EncodeError);
  });

  test('validates retry like encodeRetry does', () => {
    assert.throws(() => encodeEvent({ data: 'x', retry: -1 }), {
      name: 'EncodeError',
      message: 'Retry must be a non-negative integer of milliseconds, got -1.',
    });
  });
});

describe('encodeComment', () => {
  test('writes one comment line with a space after the colon', () => {
    assert.equal(encodeComment('ping'), ': ping\n');
  });

  test('writes a bare colon for an empty comment, and by default', () => {
    assert.equal(encodeComment(''), ':\n');
    assert.equal(encodeComment(), ':\n');
  });

  test('writes one comment line per line of a multi-line comment, for LF, CR and CRLF', () => {
    assert.equal(encodeComment('a\nb\rc\r\nd'), ': a\n: b\n: c\n: d\n');
  });

  test('writes bare colons for the empty lines of a multi-line comment', () => {
    assert.equal(encodeComment('a\n\nb'), ': a\n:\n: b\n');
  });

  test('does not end with a blank line, so a comment never dispatches an event', () => {
    assert.equal(encodeComment('x').endsWith('\n\n'), false);
  });
});

describe('encodeRetry', () => {
  test('writes a lone retry field', () => {
    assert.equal(encodeRetry(3000), 'retry: 3000\n');
  });

  test('accepts zero', () => {
    assert.equal(encodeRetry(0), 'retry: 0\n');
  });

  for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    test(`throws an EncodeError for ${value}`, () => {
      assert.throws(() => encodeRetry(value), {
        name: 'EncodeError',
        message: `Retry must be a non-negative integer of milliseconds, got ${value}.`,
      });
    });
  }
});

function captureThrow(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a throw');
}
