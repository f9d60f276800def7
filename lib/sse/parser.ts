import { ParseError } from './errors';
import type { SseEvent } from './types';

/** What {@link createParser} calls back with, plus its one limit. */
export interface ParserOptions {
  /** Called once for every dispatched event, in stream order. */
  onEvent: (event: SseEvent) => void;
  /** Called with the new reconnection time whenever a valid `retry:` field arrives. */
  onRetry?: (ms: number) => void;
  /** Called with the text of every comment line (`:` and one optional space removed). */
  onComment?: (text: string) => void;
  /**
   * Most characters the parser may hold while waiting for a line or an event to end (the
   * unterminated line plus the data buffer). Past it, `feed()` throws a {@link ParseError} with
   * code `buffer-overflow` and the parser starts again from an empty state. Default 4 MiB of
   * characters; `Infinity` turns the limit off.
   */
  maxBufferSize?: number;
}

/** An incremental `text/event-stream` parser. */
export interface Parser {
  /**
   * Parses the next piece of the stream. Bytes are decoded as UTF-8 across chunk boundaries;
   * strings are taken as already decoded. Callbacks run synchronously, before `feed` returns.
   *
   * @throws {ParseError} when the stream exceeds `maxBufferSize`.
   */
  feed(chunk: Uint8Array | string): void;
  /**
   * Forgets everything: half-read lines, the pending event, the last event ID and the decoder's
   * state, as for a new connection. Safe to call from inside a callback; the rest of the chunk
   * being fed is then dropped.
   */
  reset(): void;
}

const LF = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;
const BOM = 0xfeff;
const DEFAULT_MAX_BUFFER_SIZE = 4 * 1024 * 1024;

/**
 * Creates a parser that implements the WHATWG HTML algorithm for interpreting an event stream
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 *
 * It runs in linear time whatever the chunking: a chunk is searched once for a CR (to pick the
 * LF-only loop that nearly every stream takes) and its line ends are then found in one pass; a line
 * split over many chunks is kept as fragments and joined once, when its end arrives.
 */
export function createParser(options: ParserOptions): Parser {
  const { onEvent, onRetry, onComment } = options;
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;

  let decoder: TextDecoder | undefined;
  let decoderHasState = false;
  let sawFirstCharacter = false;
  let skipLeadingLF = false;
  let fragments: string[] = [];
  let fragmentsLength = 0;
  let data = '';
  let hasData = false;
  let eventType = '';
  let lastEventId = '';
  // Bumped by reset(), so a callback that resets stops the loop that called it.
  let generation = 0;

  function feed(chunk: Uint8Array | string): void {
    let text: string;
    if (typeof chunk === 'string') {
      // Bytes left half-decoded before a string cannot be completed any more.
      text = decoderHasState ? flushDecoder() + chunk : chunk;
    } else {
      // [spec] Streams must be decoded using the UTF-8 decode algorithm. ignoreBOM keeps the BOM
      // in the output so that one rule below strips it for bytes and strings alike.
      decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
      text = decoder.decode(chunk, { stream: true });
      decoderHasState = true;
    }
    if (!sawFirstCharacter) {
      if (text.length === 0) return;
      sawFirstCharacter = true;
      // [spec] The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any.
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    parseText(text);
    if (fragmentsLength + data.length > maxBufferSize) {
      reset();
      throw new ParseError(
        'buffer-overflow',
        `Event stream buffered more than ${maxBufferSize} characters without completing an event; parser reset.`,
      );
    }
  }

  function flushDecoder(): string {
    decoderHasState = false;
    return decoder ? decoder.decode() : '';
  }

  function parseText(text: string): void {
    let position = 0;
    if (skipLeadingLF && text.length > 0) {
      // [spec] A CR ending the last chunk and an LF starting this one are one CRLF line end.
      skipLeadingLF = false;
      if (text.charCodeAt(0) === LF) position = 1;
    }
    // Nearly every stream ends its lines with LF alone; one scan for CR picks the loop that
    // looks for LF only.
    const cr = text.indexOf('\r', position);
    if (cr === -1) parseLFText(text, position);
    else parseMixedText(text, position, cr);
  }

  // parseText for a text with no CR. Same result as parseMixedText, with the fields nearly every
  // event uses handled in the loop itself, and an event of one `data:` line dispatched directly.
  function parseLFText(text: string, position: number): void {
    const startGeneration = generation;
    let lf = text.indexOf('\n', position);
    if (fragments.length > 0) {
      if (lf === -1) {
        fragments.push(position === 0 ? text : text.slice(position));
        fragmentsLength += text.length - position;
        return;
      }
      fragments.push(text.slice(position, lf));
      const line = fragments.join('');
      fragments = [];
      fragmentsLength = 0;
      parseLine(line, 0, line.length);
      if (generation !== startGeneration) return;
      position = lf + 1;
      lf = text.indexOf('\n', position);
    }
    while (lf !== -1) {
      // Past the line's end charCodeAt gives the LF itself or NaN, so no prefix test reads on.
      const first = text.charCodeAt(position);
      if (lf === position) {
        dispatch();
      } else if (
        first === 0x64 &&
        text.charCodeAt(position + 1) === 0x61 &&
        text.charCodeAt(position + 2) === 0x74 &&
        text.charCodeAt(position + 3) === 0x61 &&
        text.charCodeAt(position + 4) === COLON
      ) {
        // data:
        const value = text.slice(text.charCodeAt(position + 5) === SPACE ? position + 6 : position + 5, lf);
        if (!hasData && text.charCodeAt(lf + 1) === LF) {
          // One data line and then a blank line: the whole event, dispatched without buffering.
          const event: SseEvent = { type: eventType || 'message', data: value, lastEventId };
          eventType = '';
          onEvent(event);
          if (generation !== startGeneration) return;
          position = lf + 2;
          lf = text.indexOf('\n', position);
          continue;
        }
        appendData(value);
      } else if (first === 0x69 && text.charCodeAt(position + 1) === 0x64 && text.charCodeAt(position + 2) === COLON) {
        // id:
        setId(text.slice(text.charCodeAt(position + 3) === SPACE ? position + 4 : position + 3, lf));
      } else if (
        first === 0x65 &&
        text.charCodeAt(position + 1) === 0x76 &&
        text.charCodeAt(position + 2) === 0x65 &&
        text.charCodeAt(position + 3) === 0x6e &&
        text.charCodeAt(position + 4) === 0x74 &&
        text.charCodeAt(position + 5) === COLON
      ) {
        // event:
        eventType = text.slice(text.charCodeAt(position + 6) === SPACE ? position + 7 : position + 6, lf);
      } else {
        parseLine(text, position, lf);
      }
      if (generation !== startGeneration) return;
      position = lf + 1;
      lf = text.indexOf('\n', position);
    }
    if (position < text.length) {
      fragments.push(position === 0 ? text : text.slice(position));
      fragmentsLength += text.length - position;
    }
  }

  // parseText for a text with a CR in it, the first one at `cr`.
  function parseMixedText(text: string, position: number, cr: number): void {
    const length = text.length;
    const startGeneration = generation;
    // The next LF and CR at or after `position`, or -1 once there are no more. Each is searched
    // for again only after the parser has moved past it, so the text is scanned once.
    let lf = text.indexOf('\n', position);

    while (true) {
      if (lf !== -1 && lf < position) lf = text.indexOf('\n', position);
      if (cr !== -1 && cr < position) cr = text.indexOf('\r', position);
      let end: number;
      if (cr === -1) {
        if (lf === -1) break;
        end = lf;
      } else {
        end = lf !== -1 && lf < cr ? lf : cr;
      }
      if (fragments.length > 0) {
        fragments.push(text.slice(position, end));
        const line = fragments.join('');
        fragments = [];
        fragmentsLength = 0;
        parseLine(line, 0, line.length);
      } else {
        parseLine(text, position, end);
      }
      if (generation !== startGeneration) return;
      position = end + 1;
      if (end === cr) {
        if (position === length) skipLeadingLF = true;
        else if (text.charCodeAt(position) === LF) position++;
      }
    }
    if (position < length) {
      fragments.push(position === 0 ? text : text.slice(position));
      fragmentsLength += length - position;
    }
  }

  // Parses one line, given as text[start, end) without its line end.
  function parseLine(text: string, start: number, end: number): void {
    // [spec] If the line is empty (a blank line): Dispatch the event.
    if (start === end) {
      dispatch();
      return;
    }
    const first = text.charCodeAt(start);
    // [spec] If the line starts with a U+003A COLON character (:): Ignore the line.
    if (first === COLON) {
      if (onComment) onComment(text.slice(valueStart(text, start + 1, end), end));
      return;
    }
    // Fast paths for the fields nearly every event uses; the general path below is equivalent.
    if (first === 0x64 && end - start >= 5 && text.charCodeAt(start + 4) === COLON && text.startsWith('data', start)) {
      appendData(text.slice(valueStart(text, start + 5, end), end));
      return;
    }
    if (first === 0x69 && end - start >= 3 && text.charCodeAt(start + 1) === 0x64 && text.charCodeAt(start + 2) === COLON) {
      setId(text.slice(valueStart(text, start + 3, end), end));
      return;
    }
    if (first === 0x65 && end - start >= 6 && text.charCodeAt(start + 5) === COLON && text.startsWith('event', start)) {
      eventType = text.slice(valueStart(text, start + 6, end), end);
      return;
    }

    // [spec] If the line contains a U+003A COLON character (:): collect the characters on the line
    // before the first colon, and let field be that string; collect the characters after it, and
    // let value be that string. If value starts with a U+0020 SPACE character, remove it.
    // [spec] Otherwise, the string is not empty but does not contain a colon: process the field
    // using the whole line as the field name, and the empty string as the field value.
    let colon = start;
    while (colon < end && text.charCodeAt(colon) !== COLON) colon++;
    const field = text.slice(start, colon);
    const value = colon < end ? text.slice(valueStart(text, colon + 1, end), end) : '';
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        appendData(value);
        break;
      case 'id':
        setId(value);
        break;
      case 'retry':
        // [spec] If the field value consists of only ASCII digits, then interpret the field value
        // as an integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field.
        if (onRetry && isAsciiDigits(value)) onRetry(parseInt(value, 10));
        break;
      default:
      // [spec] Otherwise: The field is ignored.
    }
  }

  function appendData(value: string): void {
    // [spec] Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
    // character to the data buffer. The final LF is removed at dispatch, so it is never added.
    data = hasData ? `${data}\n${value}` : value;
    hasData = true;
  }

  function setId(value: string): void {
    // [spec] If the field value does not contain U+0000 NULL, then set the last event ID buffer to
    // the field value. Otherwise, ignore the field.
    if (!value.includes('\0')) lastEventId = value;
  }

  function dispatch(): void {
    // [spec] If the data buffer is an empty string, set the data buffer and the event type buffer
    // to the empty string and return. (The last event ID is kept either way.)
    if (!hasData) {
      eventType = '';
      return;
    }
    // [spec] Initialize event's type attribute to "message", or to the event type buffer's value
    // if it is not empty. Set the data buffer and the event type buffer to the empty string.
    const event: SseEvent = { type: eventType || 'message', data, lastEventId };
    data = '';
    hasData = false;
    eventType = '';
    onEvent(event);
  }

  function reset(): void {
    generation++;
    decoder = undefined;
    decoderHasState = false;
    sawFirstCharacter = false;
    skipLeadingLF = false;
    fragments = [];
    fragmentsLength = 0;
    data = '';
    hasData = false;
    eventType = '';
    lastEventId = '';
  }

  return { feed, reset };
}

// Where a field's value starts: after the colon, skipping one space if there is one.
function valueStart(text: string, afterColon: number, end: number): number {
  return afterColon < end && text.charCodeAt(afterColon) === SPACE ? afterColon + 1 : afterColon;
}

function isAsciiDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
