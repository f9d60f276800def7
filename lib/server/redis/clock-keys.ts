// No `server-only` here: the end-to-end tests read these keys from a real Redis too.

/**
 * The clock's keys. The braces make `clock` their hash tag, so on Redis Cluster the three live in
 * one slot and the scripts in `clock-log.ts` may touch them together.
 */
export const CLOCK_KEYS = {
  /** Who ticks: the instance owner holding this key (SET NX PX), renewed at each of its ticks. */
  lease: 'sse:{clock}:leader',
  /** The last id handed out (INCR): the one sequence every instance's clients share. */
  counter: 'sse:{clock}:seq',
  /** The events, as a Redis Stream whose entry ids are `<id>-0`, capped near `CLOCK_BUFFER_SIZE`. */
  stream: 'sse:{clock}:events',
} as const;
