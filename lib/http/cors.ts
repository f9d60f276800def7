import 'server-only';

/**
 * CORS for the API, with no wildcard: same-origin requests need nothing; an origin listed in
 * `SSE_ALLOWED_ORIGINS` gets its own origin echoed back, with credentials; any other origin gets
 * `null` (refused). `Vary: Origin` keeps caches from serving one origin's answer to another.
 * Origins are compared exactly, scheme, host and port: `https://host` is not `http://host`.
 */
export function corsHeaders(request: Request, allowed: ReadonlySet<string>, trustProxy = 0): Record<string, string> | null {
  const origin = request.headers.get('origin');
  if (!origin || origin === ownOrigin(request, trustProxy)) return {};
  if (!allowed.has(origin)) return null;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'X-Stream-Id, Retry-After',
    Vary: 'Origin',
  };
}

/**
 * True for a request a browser made on behalf of another site without saying which (no
 * `Origin`): a link, a form's GET, an `<img>` or `<script>` pointing at the API. Such a request
 * carries the user's `SameSite=Lax` cookie on top-level navigations, and would start a chat on the
 * user's credentials. Browsers send `Sec-Fetch-Site` ([Fetch Metadata]); a request they make with
 * CORS (fetch, EventSource) from another origin carries `Origin` and is judged by
 * {@link corsHeaders} instead. Clients that are not browsers send neither header.
 */
export function isCrossSiteWithoutOrigin(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  return (site === 'cross-site' || site === 'same-site') && !request.headers.get('origin');
}

/** The extra headers of a preflight answer for an allowed origin. */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': methods.join(', '),
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID',
    'Access-Control-Max-Age': '600',
  };
}

/**
 * This server's origin as the client addressed it: the scheme the server speaks and the `Host`
 * header. Behind a trusted proxy, `X-Forwarded-Proto` and `X-Forwarded-Host` say what the client
 * used; without one they are the client's own claims, and ignored.
 */
function ownOrigin(request: Request, trustProxy: number): string | undefined {
  const url = new URL(request.url);
  const forwarded = (name: string) => (trustProxy > 0 ? request.headers.get(name)?.split(',')[0]?.trim() : undefined);
  const scheme = forwarded('x-forwarded-proto') ?? url.protocol.slice(0, -1);
  const host = forwarded('x-forwarded-host') ?? request.headers.get('host') ?? url.host;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return undefined;
  }
}
