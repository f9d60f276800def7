/**
 * The browser's calls to SSE Lab's API besides the streams themselves: the `Authorization` header
 * the fetch transports send, the user's Stop of a chat, and fault injection's "drop connection".
 * Framework-free: the React components and hooks call these, never `fetch` for the API directly.
 */

/** Headers that authenticate a `fetch()` request with a bearer token; none without a token. */
export function bearer(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Asks the server to end a chat generation for good (the user's Stop), not just this connection:
 * `DELETE <base>/<streamId>`, `/api/chat` for our protocol's runs, `/v1/ui/chat` for the AI SDK's.
 * Best effort and fire-and-forget: `keepalive` lets it outlive a page that is closing.
 */
export function cancelChat(streamId: string | undefined, headers?: HeadersInit, base = '/api/chat'): void {
  if (!streamId) return;
  void fetch(`${base}/${encodeURIComponent(streamId)}`, { method: 'DELETE', headers, keepalive: true }).catch(() => {
    // If the request fails, the server's grace period ends the generation anyway.
  });
}

/**
 * Asks the server to cut off the streams tagged `tag` abruptly, as a network failure would
 * (`POST /api/debug/drop`, on only while fault injection is). Resolves with how many it cut.
 */
export async function dropConnection(tag: string, headers?: Record<string, string>): Promise<number> {
  const response = await fetch('/api/debug/drop', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ client: tag }),
  });
  if (!response.ok) throw new Error(`Drop failed: HTTP ${response.status}`);
  return ((await response.json()) as { dropped: number }).dropped;
}
