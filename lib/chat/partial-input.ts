/**
 * A tool input read while it streams: the JSON text so far, parsed as far as it goes. This is the
 * primer's advice for large JSON over a stream (parse what has arrived instead of waiting for the
 * end), with a maintained partial-JSON parser rather than one of our own.
 */

import { Allow, parse } from 'partial-json';

/**
 * Parses the beginning of a JSON text: `{"query": "nginx buf` gives `{ query: 'nginx buf' }`, and
 * `{"que` gives `{}` (a key shows once it is whole). Undefined for empty text or text that is not
 * the beginning of JSON.
 */
export function parsePartialJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    // Strings, numbers, arrays and objects may be cut off; a cut literal (`tr`) may not be guessed.
    return parse(text, Allow.STR | Allow.NUM | Allow.ARR | Allow.OBJ);
  } catch {
    return undefined;
  }
}
