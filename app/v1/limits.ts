/** The most a `/v1` request body may be: room for a long conversation and its tool definitions. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A seed for a request that names none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** A random id suffix for `chatcmpl-…` and `msg_…`. */
export function randomId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
