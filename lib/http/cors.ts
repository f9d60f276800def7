import 'server-only';

/**
 * CORS for the API, with no wildcard: same-origin requests need nothing; an origin listed in
 * `SSE_ALLOWED_ORIGINS` gets its own origin echoed back, with credentials; any other origin gets
 * `null` (refused). `Vary: Origin` keeps caches from serving one origin's answer to another.
 */
export function corsHeaders(request: Request, allowed: ReadonlySet<string>): Record<string, string> | null {
  const origin = request.headers.get('origin');
  if (!origin || isSameOrigin(request, origin)) return {};
  if (!allowed.has(origin)) return null;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'X-Stream-Id, Retry-After',
    Vary: 'Origin',
  };
}

/** The extra headers of a preflight answer for an allowed origin. */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': methods.join(', '),
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID',
    'Access-Control-Max-Age': '600',
  };
}

function isSameOrigin(request: Request, origin: string): boolean {
  try {
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
    return new URL(origin).host === (host ?? new URL(request.url).host);
  } catch {
    return false;
  }
}
