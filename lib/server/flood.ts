import 'server-only';

import { createSseResponse, type StreamSettings } from '@/lib/sse/server';

// About 1 KiB of data an event.
const PAYLOAD = 'x'.repeat(1000);

/**
 * A stream of `kb` events of about 1 KiB, 64 per timer turn, ignoring backpressure on purpose: the
 * stream's queue bound is what must stop it for a client that does not read. Each event is encoded
 * afresh (it carries its own id), so an unbounded queue would really hold `kb` KiB of memory.
 */
export function createFlood(signal: AbortSignal, kb: number, settings: StreamSettings): Response {
  return createSseResponse({
    ...settings,
    signal,
    label: 'flood',
    start(connection) {
      let sent = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 64 && sent < kb; i++) {
          if (!connection.send({ event: 'flood', id: ++sent, data: PAYLOAD })) return;
        }
        if (sent === kb) connection.close();
      }, 1);
      return () => clearInterval(timer);
    },
  });
}
