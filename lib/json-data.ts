/** A JSON object, as an event's data decodes to. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes an event's `data` text as a JSON object that `check` accepts: how the stream protocols
 * (`lib/chat/protocol.ts`, `lib/clock/protocol.ts`) turn received text into typed events.
 * Undefined for text that is not JSON, JSON that is not an object, or an object `check` refuses.
 */
export function decodeJsonObject(data: string, check: (value: JsonObject) => boolean): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  return isJsonObject(value) && check(value) ? value : undefined;
}
