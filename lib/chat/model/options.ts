/** The settings of a simulated answer, and their limits. */

/** Settings of `simulateChat`. */
export interface SimulateOptions {
  /** Mean pause before each token, an integer from 0 to 1000; the status steps scale with it. */
  delayMs: number;
  /** Picks the phrasing and the jitter, an unsigned 32-bit integer. */
  seed: number;
}

/** Per-token pacing that reads as a fast model: about 20 to 50 tokens a second. */
export const DEFAULT_DELAY_MS = 30;

const MAX_DELAY_MS = 1000;

/**
 * Checks the options' ranges.
 *
 * @throws RangeError when `delayMs` is not an integer from 0 to 1000, or `seed`
 * not an unsigned 32-bit integer.
 */
export function validateOptions({ delayMs, seed }: SimulateOptions): void {
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new RangeError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}, got ${delayMs}.`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an unsigned 32-bit integer, got ${seed}.`);
  }
}
