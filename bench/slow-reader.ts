/**
 * Slow readers: the attack from issue 10, replayed. Many connections from a few addresses ask
 * `/api/debug/flood` for ~1 GB each and never read. The flood writes only as fast as its client
 * reads, and each client may have one open, so the server must stay responsive and flat in
 * memory. Prints the answers the connections got, `/api/health` latency while they hang, and the
 * server's memory.
 *
 *   npm run bench:slow       (or: npx tsx bench/slow-reader.ts [connections] [addresses])
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_ENV, getStats, mib, rssKiB, runBench, startServer } from './server';

const CONNECTIONS = positiveInt(process.argv[2], 200);
const ADDRESSES = positiveInt(process.argv[3], 5);
const FLOOD_KIB = 999_999;
/** How long the never-reading connections are held while /api/health is timed. */
const HOLD_MS = 5000;
const SAMPLE_MS = 100;
/** Health latency that passes: normally a few ms; the attack made it 12-15 s. */
const PASS_HEALTH_MS = 250;
/** RSS growth that passes: kernel buffers aside, a stalled flood holds one batch. */
const PASS_GROWTH_KIB = 64 * 1024;

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Expected a positive integer, got "${raw}".`);
  return value;
}

/** Opens a never-reading flood request from `localAddress`; resolves with its status line. */
function openFlood(url: string, localAddress: string): { socket: Socket; status: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => undefined);
  const status = new Promise<string>((resolve) => {
    // Only the first chunk is read (for the status); then the socket is paused for good.
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(chunk.toString('latin1').split('\r\n')[0] ?? '');
    });
    socket.once('close', () => resolve('closed'));
  });
  socket.write(`GET /api/debug/flood?kb=${FLOOD_KIB} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  return { socket, status };
}

async function main(): Promise<number> {
  console.log(`Slow readers: ${CONNECTIONS} connections from ${ADDRESSES} addresses, each asking /api/debug/flood?kb=${FLOOD_KIB} and never reading.`);
  const server = await startServer({ env: { ...BENCH_ENV, SSE_FAULT_INJECTION: 'on' } });
  const sockets: Socket[] = [];
  try {
    const { url, pid } = server;
    const warm = await fetch(`${url}/api/debug/flood?kb=64`);
    if (warm.status !== 200) throw new Error(`/api/debug/flood answered ${warm.status}: ${await warm.text()}`);
    await warm.arrayBuffer();
    const baselineRss = rssKiB(pid);
    const before = await getStats(url);

    const floods = Array.from({ length: CONNECTIONS }, (_, i) => openFlood(url, `127.0.0.${2 + (i % ADDRESSES)}`));
    sockets.push(...floods.map((flood) => flood.socket));
    const statuses = await Promise.all(floods.map((flood) => flood.status));
    const counts = new Map<string, number>();
    for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);

    let peakRss = baselineRss;
    let worstHealthMs = 0;
    const holdUntil = performance.now() + HOLD_MS;
    while (performance.now() < holdUntil) {
      const started = performance.now();
      await (await fetch(`${url}/api/health`)).arrayBuffer();
      worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
      peakRss = Math.max(peakRss, rssKiB(pid));
      await delay(SAMPLE_MS);
    }
    const after = await getStats(url);
    const growth = peakRss - baselineRss;

    console.log(`answers:            ${[...counts].map(([status, count]) => `${count} x ${status}`).join(', ')}`);
    console.log(`flood streams open: ${after.openStreamsByRoute?.flood ?? 0}; events sent while held: ${after.eventsSent - before.eventsSent}`);
    console.log(`/api/health:        worst ${worstHealthMs.toFixed(1)} ms over ${HOLD_MS} ms of sampling`);
    console.log(`RSS:                baseline ${mib(baselineRss)}, peak ${mib(peakRss)} (+${mib(growth)})`);
    const errors = server.loggedErrors();
    console.log(`server errors logged: ${errors.count}${errors.last ? ` (last: ${errors.last})` : ''}`);

    const healthOk = worstHealthMs < PASS_HEALTH_MS;
    const memoryOk = growth < PASS_GROWTH_KIB;
    console.log(`${healthOk ? 'PASS' : 'FAIL'}  /api/health answers within ${PASS_HEALTH_MS} ms throughout`);
    console.log(`${memoryOk ? 'PASS' : 'FAIL'}  peak RSS growth +${mib(growth)} < +${mib(PASS_GROWTH_KIB)}`);
    return healthOk && memoryOk ? 0 : 1;
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

runBench(main);
