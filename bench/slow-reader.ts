/**
 * Slow readers: clients that connect to a stream producing far more than they will ever read,
 * and never read. The server must cut each off once its unread queue passes the bound
 * (`SSE_MAX_QUEUED_BYTES`) instead of buffering the whole stream for it. Prints the server's peak
 * memory against what buffering everything would take.
 *
 *   npm run bench:slow       (or: npx tsx bench/slow-reader.ts [clients] [KiB-per-stream])
 */
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_ENV, getStats, mib, rawGet, rssKiB, runBench, startServer } from './server';

const CLIENTS = positiveInt(process.argv[2], 20);
const STREAM_KIB = positiveInt(process.argv[3], 16 * 1024);
const MAX_QUEUED_BYTES = 256 * 1024;
/** How long the server may take to cut off every client. */
const CUT_OFF_TIMEOUT_MS = 30_000;
/** How long to read what is left in the kernel's buffers once a client has been cut off. */
const DRAIN_TIMEOUT_MS = 10_000;
/**
 * Peak memory growth that passes, as a share of what unbounded buffering would need. The
 * comparison holds only if the flood sends distinct bytes per event: queued references to one
 * shared buffer cost the server little even without a bound, and then only the cut-off check
 * tells a bounded server from an unbounded one.
 */
const PASS_SHARE = 0.25;
const SAMPLE_MS = 250;

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Expected a positive integer, got "${raw}".`);
  return value;
}

/**
 * Resumes a socket that was never read and counts the bytes until the server's close arrives.
 * Resolves with the count, or with `closed: false` if the connection is still open at the deadline.
 */
function drain(socket: Socket): Promise<{ bytes: number; closed: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    if (socket.destroyed) return resolve({ bytes, closed: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes, closed: false });
    }, DRAIN_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ bytes, closed: true });
    });
    socket.resume();
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  const unboundedKiB = CLIENTS * STREAM_KIB;
  const budgetKiB = unboundedKiB * PASS_SHARE;
  console.log(
    `Slow readers: ${CLIENTS} clients that never read, each asking /api/debug/flood for ${mib(STREAM_KIB)}; SSE_MAX_QUEUED_BYTES=${MAX_QUEUED_BYTES}.`,
  );
  const server = await startServer({ env: { ...BENCH_ENV, SSE_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES) } });
  const sockets: Socket[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const { url, pid } = server;
    // Warm up the route with a small flood read to the end: loading its code is not buffering.
    const warm = await fetch(`${url}/api/debug/flood?kb=64`);
    if (warm.status !== 200) throw new Error(`/api/debug/flood answered ${warm.status}: ${await warm.text()}`);
    await warm.arrayBuffer();
    const before = await getStats(url);
    const baselineRss = rssKiB(pid);
    let peakRss = baselineRss;
    sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rssKiB(pid));
      } catch {
        // The server is gone; the checks below report why.
      }
    }, SAMPLE_MS);
    console.log(`Server ${url} (pid ${pid}); baseline RSS ${mib(baselineRss)}, droppedSlowClients ${before.droppedSlowClients}\n`);

    const opened = performance.now();
    for (let i = 0; i < CLIENTS; i++) {
      // Paused from the start and no 'data' listener: nothing is read past Node's own small
      // read-ahead, so the kernel's receive window fills and the server's writes back up.
      const socket = rawGet(url, `/api/debug/flood?kb=${STREAM_KIB}`, { Connection: 'close' });
      socket.pause();
      socket.on('error', () => undefined);
      sockets.push(socket);
    }

    let cutOffMs: number | undefined;
    let dropped = 0;
    while (performance.now() - opened < CUT_OFF_TIMEOUT_MS) {
      dropped = (await getStats(url)).droppedSlowClients - before.droppedSlowClients;
      if (dropped >= CLIENTS) {
        cutOffMs = performance.now() - opened;
        break;
      }
      await delay(SAMPLE_MS);
    }
    // One more sample after the last cut-off, while the server may still hold what it freed.
    peakRss = Math.max(peakRss, rssKiB(pid));
    clearInterval(sampler);
    sampler = undefined;

    const drained = await Promise.all(sockets.map(drain));
    const after = await getStats(url);
    const finalRss = rssKiB(pid);
    const growth = peakRss - baselineRss;
    const maxRead = Math.max(...drained.map((result) => result.bytes));
    const stillOpen = drained.filter((result) => !result.closed).length;

    console.log(`cut off:            ${dropped} of ${CLIENTS}${cutOffMs === undefined ? ` (timed out after ${CUT_OFF_TIMEOUT_MS} ms)` : ` in ${Math.round(cutOffMs)} ms`}`);
    // What a client still reads after the cut-off sat in kernel socket buffers, not in the server.
    console.log(
      `read after cut-off: at most ${mib(maxRead / 1024)} per client, of ${mib(STREAM_KIB)} asked for; ${stillOpen === 0 ? 'every connection closed by the server' : `${stillOpen} still open ${DRAIN_TIMEOUT_MS} ms after resuming`}`,
    );
    console.log(`RSS:                baseline ${mib(baselineRss)}, peak ${mib(peakRss)} (+${mib(growth)}), after ${mib(finalRss)}`);
    console.log(`unbounded would buffer ${CLIENTS} x ${mib(STREAM_KIB)} = ${mib(unboundedKiB)}; bound for PASS: +${mib(budgetKiB)} (${PASS_SHARE * 100}%)`);
    console.log(`open streams after: ${after.openStreams} (before ${before.openStreams}); closed by reason slow +${after.closedByReason.slow - before.closedByReason.slow}`);
    const errors = server.loggedErrors();
    console.log(`server errors logged: ${errors.count}${errors.last ? ` (last: ${errors.last})` : ''}`);
    console.log(`total time: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const allCutOff = cutOffMs !== undefined && stillOpen === 0;
    const memoryOk = growth < budgetKiB;
    console.log(`${allCutOff ? 'PASS' : 'FAIL'}  every slow client cut off and its connection closed by the server`);
    console.log(`${memoryOk ? 'PASS' : 'FAIL'}  peak RSS growth +${mib(growth)} < +${mib(budgetKiB)}`);
    return allCutOff && memoryOk ? 0 : 1;
  } finally {
    if (sampler) clearInterval(sampler);
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

runBench(main);
