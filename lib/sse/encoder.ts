import { EncodeError } from './errors';
import type { EventInput } from './types';

// [spec] end-of-line = ( cr lf / cr / lf ). Any of them inside data would end the line early,
// so data is split on all three and each piece gets its own `data:` line.
const LINE_BREAK = /\r\n|\r|\n/;
const CR_OR_LF = /[\r\n]/;

/**
 * Encodes one event as the bytes-to-be of a `text/event-stream`, ending with the blank line that
 * dispatches it. Multi-line data becomes several `data:` lines, so the client receives exactly
 * `data` (with every CR or CRLF normalised to LF, which is all the format can carry).
 *
 * @throws {EncodeError} when `event` or `id` contain CR or LF, `id` contains NUL, `retry` is not
 *   a non-negative integer, or `data` cannot be serialised.
 */
export function encodeEvent({ event, data, id, retry }: EventInput): string {
  let out = '';
  if (retry !== undefined) out += encodeRetry(retry);
  if (id !== undefined) {
    const value = String(id);
    if (CR_OR_LF.test(value)) throw new EncodeError('Event id must not contain CR or LF.');
    // [spec] If the field value does not contain U+0000 NULL, then set the last event ID buffer
    // to the field value. Otherwise, ignore the field. Sending one would silently do nothing.
    if (value.includes('\0')) throw new EncodeError('Event id must not contain NUL.');
    out += `id: ${value}\n`;
  }
  if (event !== undefined && event !== '') {
    if (CR_OR_LF.test(event)) throw new EncodeError('Event type must not contain CR or LF.');
    out += `event: ${event}\n`;
  }
  const text = typeof data === 'string' ? data : toJson(data);
  if (typeof text !== 'string') throw new EncodeError('Event data must be a string or JSON-serialisable.');
  for (const line of text.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

// JSON.stringify throws a bare TypeError on cycles and BigInts; callers are promised an EncodeError.
function toJson(data: unknown): string | undefined {
  try {
    return JSON.stringify(data);
  } catch (error) {
    throw new EncodeError(`Event data must be a string or JSON-serialisable: ${(error as Error).message}`);
  }
}

/**
 * Encodes a comment: one `:` line per line of `text`. Clients ignore comments, which makes them
 * the right carrier for heartbeats and for flushing response headers early.
 */
export function encodeComment(text = ''): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += line === '' ? ':\n' : `: ${line}\n`;
  return out;
}

/**
 * Encodes a lone `retry:` field, which sets the client's reconnection delay without dispatching
 * an event.
 *
 * @throws {EncodeError} when `ms` is not a non-negative integer.
 */
export function encodeRetry(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new EncodeError(`Retry must be a non-negative integer of milliseconds, got ${ms}.`);
  }
  return `retry: ${ms}\n`;
}

const textEncoder = new TextEncoder();

/** Encodes text to the bytes a stream sends. Encode a broadcast once and send it to many. */
export function toBytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}
