import 'server-only';

import { encodeEvent } from '@/lib/sse/encoder';
import { createSseResponse, toBytes, type StreamSettings } from '@/lib/sse/server';

// One 1 KiB event, encoded once and sent again and again.
const KIB_EVENT = toBytes(encodeEvent({ event: 'flood', data: 'x'.repeat(1024 - 'event: flood\ndata: \n\n'.length) }));

/**
 * A stream of `kb` 1 KiB events, 64 per timer turn, ignoring backpressure on purpose: the stream's
 * queue bound is what must stop it for a client that does not read.
 */
export function createFlood(signal: AbortSignal, kb: number, settings: StreamSettings): Response {
  return createSseResponse({
    ...settings,
    signal,
    label: 'flood',
    start(connection) {
      let left = kb;
      const timer = setInterval(() => {
        for (let i = 0; i < 64 && left > 0; i++, left--) {
          if (!connection.sendBytes(KIB_EVENT)) return;
        }
        if (left === 0) connection.close();
      }, 1);
      return () => clearInterval(timer);
    },
  });
}
