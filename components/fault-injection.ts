// Client side of the fault-injection controls (the Drop connection buttons), shared by both demos.

/** A random tag naming one panel's or column's connections, for the "drop connection" control. */
export function newClientTag(prefix: string): string {
  // Not crypto.randomUUID(): browsers only offer it on secure origins, and this is no secret.
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Asks the server to cut off this tag's streams abruptly, as a network failure would. */
export async function dropConnection(tag: string, headers?: Record<string, string>): Promise<number> {
  const response = await fetch('/api/debug/drop', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ client: tag }),
  });
  if (!response.ok) throw new Error(`Drop failed: HTTP ${response.status}`);
  return ((await response.json()) as { dropped: number }).dropped;
}
