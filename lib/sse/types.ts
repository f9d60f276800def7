/**
 * One dispatched server-sent event, with the same fields as the `MessageEvent` a browser's
 * `EventSource` fires.
 */
export interface SseEvent {
  /** The event type: the last `event:` field of the block, or `"message"` when there was none. */
  type: string;
  /** The joined `data:` lines, without the final line feed. */
  data: string;
  /** The stream's last event ID at dispatch time (kept across events until an `id:` changes it). */
  lastEventId: string;
}

/** What {@link encodeEvent} takes: one event to put on the wire. */
export interface EventInput {
  /** Event type; omitted or empty means the client sees `"message"`. Must not contain CR or LF. */
  event?: string;
  /** Payload. Strings are sent as they are; anything else is sent as JSON. */
  data: unknown;
  /** Event ID, remembered by clients and sent back as `Last-Event-ID`. No CR, LF or NUL. */
  id?: string | number;
  /** Reconnection time in milliseconds the client should wait: a non-negative integer. */
  retry?: number;
}
