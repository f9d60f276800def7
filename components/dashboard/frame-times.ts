/**
 * The dashboard's frame budget: at 60 frames a second a frame has 16 ms for everything, so the
 * charts' redraw in one animation frame must take well under that. These helpers keep the last
 * redraw times and their 99th percentile, which the page shows against the budget and
 * bench/dashboard-frames.ts reads back.
 */

/** The time one frame has at 60 frames a second, rounded down as the usual rule of thumb. */
export const FRAME_BUDGET_MS = 16;

/** The most recent redraw times kept: ten minutes of once-a-second samples. */
const KEPT = 600;

/** Recent redraw times and their percentiles. */
export interface FrameTimes {
  /** Records how long one frame's redraw took, in ms. */
  add(ms: number): void;
  /** The `p`th percentile (0–100) of the kept times, nearest rank; undefined before the first. */
  percentile(p: number): number | undefined;
  /** How many times are kept (at most 600). */
  readonly count: number;
}

/** Creates an empty record of redraw times that keeps the latest 600. */
export function createFrameTimes(kept = KEPT): FrameTimes {
  const times: number[] = [];
  let next = 0;
  return {
    add(ms) {
      if (times.length < kept) times.push(ms);
      else times[next] = ms;
      next = (next + 1) % kept;
    },
    percentile(p) {
      if (times.length === 0) return undefined;
      const sorted = [...times].sort((a, b) => a - b);
      // Nearest rank: the smallest value at or above p percent of the kept times.
      const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
      return sorted[rank - 1];
    },
    get count() {
      return times.length;
    },
  };
}
