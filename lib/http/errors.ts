/** Error codes the API answers with, each mapped to its HTTP status in one place. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_parameter: 400,
  unauthorized: 401,
  forbidden_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  stream_lost: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error a route answers with instead of a stream. Throw it from validation; see {@link errorResponse}. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The one shape of every API error: `{ "error": { "code", "message" } }` with the code's status. */
export function errorResponse(error: ApiError): Response {
  return Response.json(
    { error: { code: error.code, message: error.message } },
    { status: error.status, headers: { 'Cache-Control': 'no-store', ...error.headers } },
  );
}

/** Answers a method a route does not serve: 405 with `Allow` and the usual JSON error. */
export function methodNotAllowed(allow: readonly string[]): () => Response {
  return () =>
    errorResponse(new ApiError('method_not_allowed', `Use ${allow.join(' or ')}.`, { Allow: allow.join(', ') }));
}
