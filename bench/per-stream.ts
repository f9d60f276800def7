/**
 * What one open stream costs the server: opens N idle clock streams (default 2,000) against a real
 * `next start`, and reports the live heap and RSS per stream after forced garbage collections.
 *
 *   npx tsx bench/per-stream.ts [streams]
 */
import type { Socket } from 'node:net';
import { BENCH_ENV, getStats, mib, rawGet, rssKiB, startServer } from './server';

const STREAMS = Number(process.argv[2] ?? 2000);
const BATCH = 200;

async function memory(url: string): Promise<{ heapUsedBytes: number; rssBytes: number }> {
  return (await getStats(url)).memory;
}

function open(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = rawGet(url, '/api/clock');
    socket.once('data', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  // A slow tick: the figure is about holding streams, not about sending events.
  const server = await startServer({ env: { ...BENCH_ENV, CLOCK_INTERVAL_MS: '60000' }, exposeGc: true });
  const sockets: Socket[] = [];
  try {
    (await open(server.url)).destroy();
    await server.collectGarbage();
    const before = await memory(server.url);
    const rssBefore = rssKiB(server.pid);
    for (let i = 0; i < STREAMS; i += BATCH) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, STREAMS - i) }, () => open(server.url)))));
    }
    await server.collectGarbage();
    const after = await memory(server.url);
    const rssAfter = rssKiB(server.pid);
    const stats = await getStats(server.url);
    const heapPer = (after.heapUsedBytes - before.heapUsedBytes) / STREAMS / 1024;
    const rssPer = (rssAfter - rssBefore) / STREAMS;
    console.log(`per-stream cost: ${STREAMS} idle /api/clock streams on next start (node ${process.version})`);
    console.log(`open streams:    ${stats.openStreams}`);
    console.log(`live heap:       ${mib(before.heapUsedBytes / 1024)} -> ${mib(after.heapUsedBytes / 1024)}: ${heapPer.toFixed(1)} KiB per stream`);
    console.log(`RSS:             ${mib(rssBefore)} -> ${mib(rssAfter)}: ${rssPer.toFixed(1)} KiB per stream`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

void main();
