/** What the two formats' request parsers share: the refusal naming its field, and the model's limits. */

import { ApiError, type ErrorCode } from '../../http/errors';

/**
 * A request a wire format refuses, naming the field at fault (`param`), which OpenAI's error
 * shape reports and Anthropic's message mentions. Answered with the code's status (400).
 */
export class RequestError extends ApiError {
  constructor(
    message: string,
    readonly param: string | null,
    code: ErrorCode = 'bad_request',
  ) {
    super(code, message);
    this.name = 'RequestError';
  }
}

/** The name of the model's one tool, as `simulateChat` calls it in its `tool` steps. */
export const MODEL_TOOL = 'web_search';

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The most a seed may be: the model takes unsigned 32-bit seeds. */
export const MAX_SEED = 0xffff_ffff;

/** The most `X-Delay-Ms` may be, as for `/api/chat`'s `delayMs`. */
export const MAX_DELAY_MS = 1000;

/**
 * Our settings a client sends as headers, since neither API has fields for them (both SDKs take
 * `defaultHeaders`): `X-Delay-Ms` (mean pause before each token, 0 to 1000) and `X-Seed` (an
 * unsigned 32-bit integer; OpenAI's `seed` field wins over it).
 *
 * @throws {RequestError} for a value that is not a plain integer in range.
 */
export function readModelHeaders(headers: Headers): { delayMs: number | undefined; seed: number | undefined } {
  return { delayMs: headerInteger(headers, 'x-delay-ms', MAX_DELAY_MS), seed: headerInteger(headers, 'x-seed', MAX_SEED) };
}

function headerInteger(headers: Headers, name: string, max: number): number | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > max) {
    throw new RequestError(`The ${name} header must be an integer from 0 to ${max}.`, name, 'invalid_parameter');
  }
  return Number(raw);
}
