import 'server-only';

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const store = globalThis as { __sseLoopDelay?: IntervalHistogram };

/**
 * The 99th percentile of event-loop delay, in milliseconds, since the last call, then starts a new
 * window. One histogram per process (on globalThis), sampled every 10 ms.
 */
export function takeLoopDelayP99Ms(): number {
  let histogram = store.__sseLoopDelay;
  if (!histogram) {
    histogram = store.__sseLoopDelay = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
  }
  // An empty window (just enabled) reports NaN-free zeros; the histogram records nanoseconds.
  const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
  histogram.reset();
  return Math.round(p99 * 100) / 100;
}
