import { connect, type Socket } from 'node:net';
import { expect, test, type APIRequestContext } from '@playwright/test';

// Far more than the kernel buffers between a paused client and the server hold (a few MiB on
// loopback), and than SSE_MAX_QUEUED_BYTES (playwright.config.ts: 256 KiB).
const FLOOD_KIB = 16 * 1024;

interface Stats {
  eventsSent: number;
  droppedSlowClients: number;
  openStreamsByRoute: Record<string, number>;
}

async function stats(request: APIRequestContext): Promise<Stats> {
  const response = await request.get('/api/stats');
  expect(response.status()).toBe(200);
  return (await response.json()) as Stats;
}

function floodRequest(host: string, port: string, kb: number): string {
  return `GET /api/debug/flood?kb=${kb} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`;
}

/** Resumes a socket that was never read and counts the bytes until the connection closes. */
function readUntilClosed(socket: Socket): Promise<{ bytes: number; head: string; error: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let head = '';
    let error = false;
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1', 0, 64);
      bytes += chunk.byteLength;
    });
    socket.on('error', () => (error = true));
    socket.once('close', () => resolve({ bytes, head, error }));
    socket.resume();
  });
}

test('the flood writes only as fast as its client reads: a paused client stalls it, then gets all of it', async ({ request, baseURL }) => {
  const before = await stats(request);
  const { hostname, port } = new URL(baseURL!);
  // A raw connection, paused before it connects: nothing reads the response, so the server's
  // writes back up once the kernel buffers between the two are full.
  const socket = connect({ host: hostname, port: Number(port) });
  socket.pause();
  try {
    socket.write(floodRequest(hostname, port, FLOOD_KIB));
    await expect.poll(async () => (await stats(request)).openStreamsByRoute.flood ?? 0).toBe(1);
    // Wait until the server has stopped writing (the same count twice in a row): a flood that
    // pushed regardless would instead run into the queue bound and be cut off by now.
    let last = -1;
    await expect
      .poll(async () => {
        const { eventsSent } = await stats(request);
        const settled = eventsSent === last;
        last = eventsSent;
        return settled;
      }, { intervals: [500] })
      .toBe(true);
    const stalled = await stats(request);
    expect(stalled.droppedSlowClients).toBe(before.droppedSlowClients);
    expect(stalled.openStreamsByRoute.flood).toBe(1);
    expect(stalled.eventsSent - before.eventsSent).toBeLessThan(FLOOD_KIB);

    // Reading now gets the whole flood, through to its clean end.
    const { bytes, head, error } = await readUntilClosed(socket);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(error).toBe(false);
    expect(bytes).toBeGreaterThan(FLOOD_KIB * 1024);
    expect((await stats(request)).droppedSlowClients).toBe(before.droppedSlowClients);
  } finally {
    socket.destroy();
  }
});

test('one client has at most one flood open: a second gets 429 with Retry-After, another client gets its own', async ({ baseURL }) => {
  const { hostname, port } = new URL(baseURL!);
  const first = connect({ host: hostname, port: Number(port), localAddress: '127.0.0.5' });
  first.pause();
  try {
    first.write(floodRequest(hostname, port, FLOOD_KIB));
    const statusOf = (localAddress: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: hostname, port: Number(port), localAddress });
        socket.once('error', reject);
        socket.once('data', (chunk: Buffer) => {
          resolve(chunk.toString('latin1'));
          socket.destroy();
        });
        socket.write(floodRequest(hostname, port, 1));
      });
    await expect.poll(async () => (await statusOf('127.0.0.5')).split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
    const second = await statusOf('127.0.0.5');
    expect(second).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(second).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect((await statusOf('127.0.0.6')).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    first.destroy();
    await expect.poll(async () => (await statusOf('127.0.0.5')).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  } finally {
    first.destroy();
  }
});

test('kb goes to 1048576, as the README says, and no further', async ({ baseURL }) => {
  const controller = new AbortController();
  const largest = await fetch(`${baseURL}/api/debug/flood?kb=1048576`, { signal: controller.signal });
  expect(largest.status).toBe(200);
  controller.abort();
  const over = await fetch(`${baseURL}/api/debug/flood?kb=1048577`);
  expect(over.status).toBe(400);
  expect(((await over.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
});
