// The answer a column is streaming, kept in sessionStorage so that a reload can reattach to it.
// Written when it changes (a stream id becomes known, the answer ends), never per event.

import type { InFlight } from './chat-transport';

function key(column: string): string {
  return `sse-lab:chat:${column}`;
}

/** The answer that was streaming in `column` before a reload, if any. */
export function readInFlight(column: string): InFlight | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(key(column)) ?? 'null') as Partial<InFlight> | null;
    return value && typeof value.prompt === 'string' && typeof value.seed === 'number' && typeof value.streamId === 'string'
      ? { prompt: value.prompt, seed: value.seed, streamId: value.streamId }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the answer in flight in `column`, or forgets it (`undefined`). */
export function writeInFlight(column: string, value: InFlight | undefined): void {
  try {
    if (value) sessionStorage.setItem(key(column), JSON.stringify(value));
    else sessionStorage.removeItem(key(column));
  } catch {
    // Storage can be full or off (private mode); reload-resume is a nicety.
  }
}
