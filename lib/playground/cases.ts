import type { SseEvent } from '@/lib/sse/types';

/** What a spec-following parser makes of a case. */
export interface Expected {
  events: SseEvent[];
  retries: number[];
  comments: string[];
}

/** One ready-made stream of the parser playground, with what the WHATWG algorithm dispatches for it. */
export interface PlaygroundCase {
  id: string;
  /** The stream as text; it is sent as UTF-8. */
  text: string;
  /** Byte offsets where the stream is cut into separate chunks on the wire. */
  splitAt?: number[];
  /** Written out by hand from the spec, not computed by any parser here. */
  expected: Expected;
}

const message = (data: string, lastEventId = '', type = 'message'): SseEvent => ({ type, data, lastEventId });

/** The playground's cases, shared by the page, the unit tests and the end-to-end tests. */
export const PLAYGROUND_CASES: readonly PlaygroundCase[] = [
  {
    id: 'basic',
    text: 'event: update\nid: 1\ndata: {"n":1}\n\ndata: plain\n\n',
    expected: { events: [message('{"n":1}', '1', 'update'), message('plain', '1')], retries: [], comments: [] },
  },
  {
    id: 'crlf',
    text: 'data: one\r\ndata: two\r\n\r\nevent: x\rdata: three\r\r',
    // The CRLF after "one" is cut between CR and LF: still one line end.
    splitAt: [10],
    expected: { events: [message('one\ntwo'), message('three', '', 'x')], retries: [], comments: [] },
  },
  {
    id: 'multibyte',
    text: 'data: 你好，世界 🌍\n\n',
    // Cuts inside 你 (3 bytes) and inside 🌍 (4 bytes).
    splitAt: [7, 24],
    expected: { events: [message('你好，世界 🌍')], retries: [], comments: [] },
  },
  {
    id: 'bom',
    text: '\uFEFFdata: after a byte order mark\n\n',
    expected: { events: [message('after a byte order mark')], retries: [], comments: [] },
  },
  {
    id: 'comments',
    text: ': hello\n:no space\ndata: kept\n: between\n\n',
    expected: { events: [message('kept')], retries: [], comments: ['hello', 'no space', 'between'] },
  },
  {
    id: 'retry',
    text: 'retry: 2500\nretry: 1e3\nretry: -1\nretry: 250ms\ndata: after retries\n\n',
    expected: { events: [message('after retries')], retries: [2500], comments: [] },
  },
  {
    id: 'id-nul',
    text: 'id: 7\ndata: a\n\nid: 8\u0000x\ndata: b\n\nid\ndata: c\n\n',
    // [spec] An id containing NUL is ignored; a bare "id" sets the last event ID to empty.
    expected: { events: [message('a', '7'), message('b', '7'), message('c', '')], retries: [], comments: [] },
  },
  {
    id: 'no-final-blank-line',
    text: 'data: complete\n\ndata: never dispatched\n',
    expected: { events: [message('complete')], retries: [], comments: [] },
  },
  {
    id: 'fields',
    text: 'data:no space\ndata:  two spaces\ndata\nunknown: field\n\n',
    expected: { events: [message('no space\n two spaces\n')], retries: [], comments: [] },
  },
];

/** Cuts `bytes` at the given offsets. */
export function splitBytes(bytes: Uint8Array, offsets: readonly number[] = []): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    if (offset <= start || offset >= bytes.length) continue;
    chunks.push(bytes.slice(start, offset));
    start = offset;
  }
  chunks.push(bytes.slice(start));
  return chunks;
}
