/**
 * Connection soak: opens 1,000 clock streams in waves over loopback, drops every one abruptly
 * (half with a TCP reset, half with a plain close), and checks that the server lets go of each:
 * open streams and clock subscribers back to where they started, and memory not creeping up.
 *
 *   npm run bench:soak       (or: npx tsx bench/soak.ts [waves] [connections-per-wave])
 */
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_ENV, getStats, mib, rawGet, rssKiB, runBench, startServer, type RunningServer, type ServerStats } from './server';

const WAVES = positiveInt(process.argv[2], 10);
const PER_WAVE = positiveInt(process.argv[3], 100);
/** How long the server may take to release a wave's streams. */
const SETTLE_TIMEOUT_MS = 15_000;
/** How long a wave may take to get its first bytes on every connection. */
const OPEN_TIMEOUT_MS = 15_000;
/** Growth of the server's resident memory from baseline to the end that still passes. */
const RSS_BUDGET_KIB = 64 * 1024;

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Expected a positive integer, got "${raw}".`);
  return value;
}

/** Opens one clock stream and resolves with its socket once the `retry:` line has arrived. */
function openClock(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = rawGet(url, '/api/clock');
    let head = '';
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`No first bytes within ${OPEN_TIMEOUT_MS} ms.`)), OPEN_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.startsWith('HTTP/1.1 ') || head.length < 12) return;
      if (!head.startsWith('HTTP/1.1 200')) return fail(new Error(`Answered ${head.split('\r\n', 1)[0]}.`));
      if (!head.includes('\r\n\r\n') || !/\r\n\r\n[\s\S]*retry:/.test(head)) return;
      cleanup();
      // From here on the stream's bytes are read and thrown away, as a live client would.
      socket.on('data', () => undefined);
      resolve(socket);
    };
    const onClose = () => fail(new Error('Closed before the first bytes.'));
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    // An error is followed by 'close', which reports it; later errors are the drop itself.
    socket.on('error', () => undefined);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** Polls `/api/stats` until streams and clock subscribers are back at baseline, or times out. */
async function settle(url: string, baseline: ServerStats, onStats: (stats: ServerStats) => void): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < SETTLE_TIMEOUT_MS) {
    const stats = await getStats(url);
    onStats(stats);
    if (stats.openStreams === baseline.openStreams && stats.topicSubscribers.clock === baseline.topicSubscribers.clock) {
      return performance.now() - started;
    }
    await delay(25);
  }
  return undefined;
}

interface WaveResult {
  wave: string;
  connections: number;
  peakOpen: number;
  settleMs: number | undefined;
  /** RSS while the wave's streams were open. */
  openRssKiB?: number;
  /** RSS once they were dropped, after a full GC. */
  rssKiB: number;
}

function printTable(rows: WaveResult[]): void {
  console.log('wave   connections   peak openStreams   back to baseline   RSS while open   RSS after (GC)');
  for (const row of rows) {
    const settled = row.settleMs === undefined ? `> ${SETTLE_TIMEOUT_MS} ms` : `${Math.round(row.settleMs)} ms`;
    console.log(
      `${row.wave.padEnd(6)} ${String(row.connections).padStart(11)}   ${String(row.peakOpen).padStart(16)}   ${settled.padStart(16)}   ${(row.openRssKiB === undefined ? '' : mib(row.openRssKiB)).padStart(14)}   ${mib(row.rssKiB).padStart(14)}`,
    );
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  console.log(`Soak: ${WAVES} waves of ${PER_WAVE} clock streams over loopback, each dropped abruptly (half RST, half close).`);
  const server: RunningServer = await startServer({ env: { ...BENCH_ENV, CLOCK_INTERVAL_MS: '100' }, exposeGc: true });
  const open = new Set<Socket>();
  try {
    const { url, pid } = server;
    // Warm up: the first request to a route loads its code; that is not a leak.
    const warm = await openClock(url);
    warm.destroy();
    const empty = { openStreams: 0, topicSubscribers: { clock: 0 } } as ServerStats;
    if ((await settle(url, empty, () => undefined)) === undefined) throw new Error('The warm-up stream never closed.');
    const baseline = await getStats(url);
    // Memory is read after a forced full collection: what the server retains, not what V8 has
    // yet to collect (without it, RSS climbs for many waves before a major GC brings it down).
    const retainedRss = async () => {
      await server.collectGarbage();
      return rssKiB(pid);
    };
    const baselineRss = await retainedRss();
    console.log(`Server ${url} (pid ${pid}); baseline after a warm-up stream: openStreams ${baseline.openStreams}, clock subscribers ${baseline.topicSubscribers.clock}, RSS ${mib(baselineRss)}\n`);

    const rows: WaveResult[] = [];
    let peakRss = baselineRss;
    let failure: string | undefined;
    for (let wave = 1; wave <= WAVES && !failure; wave++) {
      const results = await Promise.allSettled(Array.from({ length: PER_WAVE }, () => openClock(url)));
      for (const result of results) if (result.status === 'fulfilled') open.add(result.value);
      const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      let peakOpen = (await getStats(url)).openStreams;
      const openRss = rssKiB(pid);
      peakRss = Math.max(peakRss, openRss);
      if (rejected) failure = `wave ${wave}: ${results.length - open.size} of ${PER_WAVE} streams failed to open: ${String(rejected.reason)}`;
      // Abrupt drops: a TCP reset for half, a close without reading to the end for the others.
      let index = 0;
      for (const socket of open) {
        if (index++ % 2 === 0) socket.resetAndDestroy();
        else socket.destroy();
      }
      open.clear();
      const settleMs = await settle(url, baseline, (stats) => (peakOpen = Math.max(peakOpen, stats.openStreams)));
      if (settleMs === undefined && !failure) {
        const stats = await getStats(url);
        failure = `wave ${wave}: still ${stats.openStreams} open streams and ${stats.topicSubscribers.clock} clock subscribers after ${SETTLE_TIMEOUT_MS} ms (baseline ${baseline.openStreams} / ${baseline.topicSubscribers.clock})`;
      }
      rows.push({ wave: String(wave), connections: PER_WAVE, peakOpen, settleMs, openRssKiB: openRss, rssKiB: await retainedRss() });
    }

    const finalSettle = failure ? undefined : await settle(url, baseline, () => undefined);
    const final = await getStats(url);
    const finalRss = await retainedRss();
    rows.push({ wave: 'end', connections: rows.length * PER_WAVE, peakOpen: final.openStreams, settleMs: finalSettle, rssKiB: finalRss });
    printTable(rows);

    const closed = (Object.keys(final.closedByReason) as (keyof ServerStats['closedByReason'])[])
      .map((reason) => `${reason} +${final.closedByReason[reason] - baseline.closedByReason[reason]}`)
      .join(', ');
    const delta = finalRss - baselineRss;
    console.log(`\nclosed by reason: ${closed}`);
    console.log(`RSS after GC: baseline ${mib(baselineRss)}, final ${mib(finalRss)}, delta ${delta >= 0 ? '+' : ''}${mib(delta)}; peak while open ${mib(peakRss)}`);
    const firstWave = rows[0]?.rssKiB;
    if (firstWave !== undefined && rows.length > 2) {
      // Most of the growth is the first wave's one-off costs (code, JIT, pools); the rest is the trend.
      console.log(`RSS after GC, wave 1 to end: ${finalRss - firstWave >= 0 ? '+' : ''}${mib(finalRss - firstWave)}`);
    }
    const errors = server.loggedErrors();
    console.log(`server errors logged: ${errors.count}${errors.last ? ` (last: ${errors.last})` : ''}`);
    console.log(`total time: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const backToBaseline = !failure && finalSettle !== undefined;
    const rssOk = delta <= RSS_BUDGET_KIB;
    console.log(`${backToBaseline ? 'PASS' : 'FAIL'}  stats back to baseline after every wave and at the end${failure ? ` (${failure})` : ''}`);
    console.log(`${rssOk ? 'PASS' : 'FAIL'}  RSS within +${mib(RSS_BUDGET_KIB)} of baseline (${delta >= 0 ? '+' : ''}${mib(delta)})`);
    return backToBaseline && rssOk ? 0 : 1;
  } finally {
    for (const socket of open) socket.destroy();
    await server.stop();
  }
}

runBench(main);
