import 'server-only';

import type { Frame } from '@/lib/chat/formats/frame';
import { abortableDelay } from '@/lib/sse/backoff';
import { createSseResponse, type SseResponseOptions, type StreamSettings } from '@/lib/sse/server';

/**
 * Streams prepared frames, each after its pause, through `createSseResponse` (so through the
 * encoder, with the usual headers, caps and cleanup), then ends the stream. The pauses wait on the
 * stream's own signal: a client that leaves ends them at once and leaves no timer behind.
 */
export function pacedResponse(
  request: Request,
  frames: readonly Frame[],
  label: string,
  settings: StreamSettings & Pick<SseResponseOptions, 'headers'> = {},
): Response {
  return createSseResponse({
    ...settings,
    signal: request.signal,
    label,
    start(connection) {
      void (async () => {
        for (const { delayMs, ...event } of frames) {
          // Even a pause of 0 yields a turn, so the response drains as it goes instead of queueing
          // a whole answer against the client's bound on unread bytes.
          await abortableDelay(delayMs, connection.signal);
          if (!connection.send(event)) return;
        }
        connection.close();
      })();
    },
  });
}
