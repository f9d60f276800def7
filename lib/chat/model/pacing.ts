/**
 * How long the simulated model pauses before each step. Each pause is a range in multiples of the
 * mean per-token delay, so one `delayMs` setting scales the whole answer, and the jitter within a
 * range comes from the seed.
 */

import { seededRandom } from '../../seeded-random';
import { between } from './random';

/** Each kind of pause, as [low, high) multiples of `delayMs`. */
const PAUSES = {
  thinking: [8, 15],
  searching: [10, 20],
  toolCall: [1, 3],
  /** Each piece of a tool input after the first, as quick as tokens. */
  toolInput: [0.5, 1.5],
  toolResult: [10, 20],
  generating: [2, 5],
  /** Longer than the others, so time to first token is visible. */
  firstToken: [2, 4],
  token: [0.5, 1.5],
  error: [1, 3],
  done: [0.5, 1.5],
} as const satisfies Record<string, readonly [number, number]>;

/** A kind of pause. */
export type Pause = keyof typeof PAUSES;

/**
 * A clock for one answer: each call gives the next pause, in whole milliseconds. It draws from its
 * own sequence, derived from the seed but apart from the one that plans the answer, so the same
 * seed gives the same answer at any `delayMs`.
 */
export function createPacing(seed: number, delayMs: number): (pause: Pause) => number {
  const random = seededRandom(seed ^ 0x9e3779b9);
  return (pause) => {
    const [low, high] = PAUSES[pause];
    return Math.round(delayMs * between(random, low, high));
  };
}
