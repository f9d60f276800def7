import 'server-only';

import { ApiError } from '@/lib/http/errors';
import { SSE_HEADERS } from '@/lib/sse/server';
import { splitBytes } from './cases';

/** The most bytes the playground echoes. */
export const MAX_ECHO_BYTES = 8 * 1024;
/** The pause between chunks, so the browser receives each one separately. */
const CHUNK_GAP_MS = 25;

/** Reads `?b=` (the stream, base64url) and `?split=` (byte offsets, comma-separated); throws a 4xx {@link ApiError} on bad input. */
export function parseEchoRequest(params: URLSearchParams): { bytes: Uint8Array; splitAt: number[] } {
  const encoded = params.get('b') ?? '';
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new ApiError('invalid_parameter', '"b" must be base64url.');
  if (encoded.length > Math.ceil((MAX_ECHO_BYTES * 4) / 3)) {
    throw new ApiError('payload_too_large', `At most ${MAX_ECHO_BYTES} bytes may be echoed.`);
  }
  const bytes = new Uint8Array(Buffer.from(encoded, 'base64url'));
  const split = params.get('split') ?? '';
  const splitAt = split === '' ? [] : split.split(',').map(Number);
  if (splitAt.length > 64 || !splitAt.every((n) => Number.isInteger(n) && n > 0 && n < bytes.length)) {
    throw new ApiError('invalid_parameter', '"split" must be up to 64 byte offsets inside the stream.');
  }
  return { bytes, splitAt };
}

/**
 * Answers with the given bytes as `text/event-stream`, verbatim, in the given chunks, and then
 * ends. The bytes are the reader's own stream (BOM, bare CRs and all), so they bypass the encoder
 * on purpose: re-encoding them would hide exactly what the playground is there to show. No
 * `retry:` is sent first either, for the same reason: a BOM must be the stream's first bytes.
 * `onClose` runs once, when the stream has ended or its client went away (the guard's stream slot
 * is given back there).
 */
export function echoResponse(bytes: Uint8Array, splitAt: number[], signal: AbortSignal, onClose?: () => void): Response {
  const chunks = splitBytes(bytes, splitAt);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose?.();
  };
  const stop = () => {
    clearTimeout(timer);
    close();
  };
  signal.addEventListener('abort', stop, { once: true });
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let next = 0;
      const write = () => {
        if (signal.aborted) return;
        controller.enqueue(chunks[next++]!);
        if (next < chunks.length) timer = setTimeout(write, CHUNK_GAP_MS);
        else {
          signal.removeEventListener('abort', stop);
          controller.close();
          close();
        }
      };
      write();
    },
    cancel: stop,
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
