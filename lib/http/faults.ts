import { setting } from './config';
import { ApiError } from './errors';

/** Fault injection a stream request may ask for: see `dropAfter` and `tag` of `createSseResponse`. */
export interface Faults {
  /** End the response abruptly after this many events. */
  dropAfter?: number;
  /** The client's tag, so `POST /api/debug/drop` can cut off its streams on demand. */
  tag?: string;
}

const TAG = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Whether the fault-injection controls (`dropAfter`, `client` tags, `/api/debug/*`) are on:
 * `SSE_FAULT_INJECTION`, by default on under `next dev` and off under `next start`. When off,
 * `dropAfter` and `client` are ignored and `/api/debug/*` answers 404.
 */
export function faultInjectionEnabled(): boolean {
  return setting('SSE_FAULT_INJECTION') === 'on';
}

/** Reads `dropAfter` (1..100000) and `client` (a tag) from a stream request's query. */
export function parseFaults(params: URLSearchParams): Faults {
  if (!faultInjectionEnabled()) return {};
  const rawDrop = params.get('dropAfter');
  const tag = params.get('client') ?? undefined;
  let dropAfter: number | undefined;
  if (rawDrop !== null) {
    dropAfter = /^\d{1,6}$/.test(rawDrop) ? Number(rawDrop) : Number.NaN;
    if (!(dropAfter >= 1 && dropAfter <= 100_000)) {
      throw new ApiError('invalid_parameter', 'dropAfter must be an integer from 1 to 100000.');
    }
  }
  if (tag !== undefined && !TAG.test(tag)) {
    throw new ApiError('invalid_parameter', 'client must be 1 to 64 letters, digits, "-" or "_".');
  }
  return { dropAfter, tag };
}
