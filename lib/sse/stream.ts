import { createParser, type ParserOptions } from './parser';
import type { SseEvent } from './types';

/** Options of {@link createEventStreamTransform}: the parser's, less `onEvent`. */
export type EventStreamTransformOptions = Omit<ParserOptions, 'onEvent'>;

/**
 * A `TransformStream` from raw stream chunks (bytes or decoded text) to events, so that
 * `response.body.pipeThrough(createEventStreamTransform())` yields {@link SseEvent}s.
 * A `buffer-overflow` from the parser errors the stream.
 */
export function createEventStreamTransform(
  options: EventStreamTransformOptions = {},
): TransformStream<Uint8Array | string, SseEvent> {
  let parser: ReturnType<typeof createParser>;
  return new TransformStream({
    start(controller) {
      parser = createParser({ ...options, onEvent: (event) => controller.enqueue(event) });
    },
    transform(chunk) {
      parser.feed(chunk);
    },
    // [spec] Once the end of the file is reached, any pending data must be discarded: an
    // unterminated final block is not dispatched, so flush has nothing to do.
  });
}
