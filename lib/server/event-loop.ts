import 'server-only';

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How often the event loop is sampled: a timer of this period, whose lateness is the delay. */
const RESOLUTION_MS = 10;
/** The figures cover windows of this length, so a past stall does not hide today's health. */
const WINDOW_MS = 10_000;

/** How late the event loop ran, in milliseconds, over {@link EventLoopDelay.windowMs}. */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** How long the figures cover: the last complete window, or the one under way before any. */
  windowMs: number;
}

interface Monitor {
  histogram: IntervalHistogram;
  windowStart: number;
  last: EventLoopDelay | undefined;
  timer: ReturnType<typeof setInterval>;
}

// The histogram holds the time between two runs of a RESOLUTION_MS timer: what exceeds the
// period is how long the loop was busy when it should have run the timer.
const late = (ns: number) => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 10) / 10;

function read(monitor: Monitor, now: number): EventLoopDelay {
  const { histogram } = monitor;
  if (histogram.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, windowMs: now - monitor.windowStart };
  return {
    p50Ms: late(histogram.percentile(50)),
    p99Ms: late(histogram.percentile(99)),
    maxMs: late(histogram.max),
    meanMs: late(histogram.mean),
    windowMs: now - monitor.windowStart,
  };
}

function startMonitor(): Monitor {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const monitor: Monitor = {
    histogram,
    windowStart: Date.now(),
    last: undefined,
    timer: setInterval(() => {
      const now = Date.now();
      monitor.last = read(monitor, now);
      histogram.reset();
      monitor.windowStart = now;
    }, WINDOW_MS),
  };
  // Measuring must never keep the process alive.
  monitor.timer.unref();
  return monitor;
}

/**
 * The event loop's delay (`perf_hooks.monitorEventLoopDelay`): p50, p99, max and mean of how late
 * a 10 ms timer ran, over the last complete 10-second window. A p99 that climbs is the event loop
 * saturating, which clients feel as slow accepts and late events soon after. Sampling starts on the
 * first call, and runs on one process-wide histogram (on globalThis, shared by every route module).
 */
export function eventLoopDelay(): EventLoopDelay {
  const store = globalThis as { __sseEventLoop?: Monitor };
  const monitor = (store.__sseEventLoop ??= startMonitor());
  return monitor.last ?? read(monitor, Date.now());
}

/** One line for the server log: the delay figures and what the process holds. */
export function formatEventLoopLine(delay: EventLoopDelay, openStreams: number): string {
  const window = `${(delay.windowMs / 1000).toFixed(1)} s`;
  return `event loop delay over ${window}: p50 ${delay.p50Ms} ms, p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms; ${openStreams} open streams`;
}
