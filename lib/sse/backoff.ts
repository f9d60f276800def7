/** Settings of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The base delay: the server's latest `retry:`, or the client's default before one arrives. */
  baseMs: number;
  /** The most any delay may be. */
  capMs: number;
  /** Failed attempts since the last healthy connection, from 0. */
  failures: number;
  /** A number in [0, 1); `Math.random` unless a test pins it. */
  random: () => number;
}

/**
 * Exponential back-off with full jitter: a uniform draw from [0, min(cap, base × 2^failures)].
 * Full jitter spreads a crowd of clients that lost the same server over the whole window, so
 * they do not come back in lockstep.
 */
export function backoffDelay({ baseMs, capMs, failures, random }: BackoffOptions): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.floor(random() * ceiling);
}

const HTTP_DATE = /^[A-Za-z]{3,9}, [\dA-Za-z -]+ \d\d:\d\d:\d\d GMT$/;

/**
 * Reads a `Retry-After` header (delay-seconds or an HTTP date) as milliseconds from `now`, or
 * undefined when it is missing or not valid.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse alone takes "1.5" or "-1" for dates in 2001, which would turn a garbage header into
  // "retry now". [RFC 9110] IMF-fixdate and the obsolete RFC 850 form both end in GMT.
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms`, or at once (without rejecting) when `signal` aborts. Leaves no timer behind. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    // Node turns a delay past 2^31 - 1 ms (about 24.8 days) into 1 ms; cap it instead.
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener('abort', done, { once: true });
  });
}
