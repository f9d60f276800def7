import 'server-only';

/** The private header the instrumentation hook stamps with the socket's peer address. */
export const PEER_HEADER = 'x-sse-peer-address';

/**
 * Where a request comes from, for per-client limits.
 *
 * Next.js gives route handlers no socket, and `next start` fills `X-Forwarded-For` with the peer
 * address only when the request has none, so a client can write its own and pose as anyone. So:
 * - `trustProxy` 0 (the default): the peer address that `instrumentation.ts` stamps on every
 *   request from the socket itself, overwriting whatever the client sent.
 * - `trustProxy` N: behind N proxies that each append to `X-Forwarded-For` (nginx:
 *   `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), the Nth address from the
 *   right, which the nearest trusted proxy wrote. Entries left of it are the client's own claims.
 */
export function clientIp(request: Request, trustProxy: number): string {
  if (trustProxy > 0) {
    const hops = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const address = hops[hops.length - trustProxy];
    if (address) return normalise(address);
  }
  return normalise(request.headers.get(PEER_HEADER) ?? 'unknown');
}

// ::ffff:127.0.0.1 and 127.0.0.1 are the same client.
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
