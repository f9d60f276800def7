/** Why the parser gave up on a stream. */
export type ParseErrorCode = 'buffer-overflow';

/** Thrown by the parser's `feed()` when a stream breaks one of the parser's limits. */
export class ParseError extends Error {
  readonly code: ParseErrorCode;

  constructor(code: ParseErrorCode, message: string) {
    super(message);
    this.name = 'ParseError';
    this.code = code;
  }
}

/** Thrown by the encoder when an event cannot be represented on the wire as given. */
export class EncodeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

/** Why the fetch client stopped for good instead of reconnecting. */
export type EventStreamErrorCode = 'http-status' | 'content-type' | 'no-body' | 'parse' | 'retries-exhausted';

/** A failure the fetch client does not retry; `done` rejects with it. */
export class EventStreamError extends Error {
  readonly code: EventStreamErrorCode;
  /** The response status, where there was a response. */
  readonly status: number | undefined;

  constructor(code: EventStreamErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStreamError';
    this.code = code;
    this.status = status;
  }
}
