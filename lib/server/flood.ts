import 'server-only';

import { ApiError } from '@/lib/http/errors';
import { createSseResponse, type StreamSettings } from '@/lib/sse/server';

// About 1 KiB of data an event.
const PAYLOAD = 'x'.repeat(1000);
/** Events sent per pull: 16 KiB, enough to keep a fast reader busy between pulls. */
const BATCH = 16;

/** Clients with a flood open now (by client address), so each may have at most one. */
function openFloods(): Set<string> {
  const store = globalThis as { __sseFloods?: Set<string> };
  return (store.__sseFloods ??= new Set());
}

/**
 * A stream of `kb` events of about 1 KiB, written only as fast as its client reads (the stream
 * pulls each batch once the client has read the one before), so a client that stops reading
 * costs the server one stalled connection, not CPU or memory. Each event is encoded afresh (it
 * carries its own id), as a real producer's would be. One flood per client (`settings.client`):
 * a second one is refused with 429 while the first is open.
 */
export function createFlood(signal: AbortSignal, kb: number, settings: StreamSettings): Response {
  const client = settings.client ?? 'unknown';
  const floods = openFloods();
  if (floods.has(client)) {
    throw new ApiError('rate_limited', 'One flood per client at a time; close the open one first.', { 'Retry-After': '5' });
  }
  let sent = 0;
  return createSseResponse({
    ...settings,
    signal,
    label: 'flood',
    start() {
      // Claimed here, not above: start() runs only for a stream that really opens, and its
      // cleanup then runs exactly once, however the stream ends.
      floods.add(client);
      return () => floods.delete(client);
    },
    source: {
      pull(connection) {
        for (let i = 0; i < BATCH && sent < kb; i++) connection.send({ event: 'flood', id: ++sent, data: PAYLOAD });
        if (sent >= kb) connection.close();
      },
    },
  });
}
