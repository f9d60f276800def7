import { connect, type Socket } from 'node:net';
import { expect, test, type APIRequestContext } from '@playwright/test';

// playwright.config.ts starts the server with SSE_MAX_QUEUED_BYTES=262144 (256 KiB).
const FLOOD_KIB = 64 * 1024;

async function droppedSlowClients(request: APIRequestContext): Promise<number> {
  const response = await request.get('/api/stats');
  expect(response.status()).toBe(200);
  return ((await response.json()) as { droppedSlowClients: number }).droppedSlowClients;
}

/** Resumes a socket that was never read and counts the bytes until the connection closes. */
function readUntilClosed(socket: Socket): Promise<{ bytes: number; head: string }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1', 0, 64);
      bytes += chunk.byteLength;
    });
    // A cut-off may arrive as a reset; 'close' follows either way.
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ bytes, head }));
    socket.resume();
  });
}

test('a client that never reads is cut off once over its bound', async ({ request, baseURL }) => {
  const before = await droppedSlowClients(request);
  const { hostname, port } = new URL(baseURL!);
  // A raw connection, paused before it connects: nothing reads the response, so the server's
  // writes back up once the kernel buffers between the two are full.
  const socket = connect({ host: hostname, port: Number(port) });
  socket.pause();
  try {
    socket.write(`GET /api/debug/flood?kb=${FLOOD_KIB} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`);
    await expect.poll(() => droppedSlowClients(request), { timeout: 20_000 }).toBe(before + 1);

    // The server closed the connection; what the client can still read is what sat in kernel
    // buffers, far less than the stream it asked for.
    const { bytes, head } = await readUntilClosed(socket);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(bytes).toBeLessThan(8 * 1024 * 1024);
  } finally {
    socket.destroy();
  }
});
