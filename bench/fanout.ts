/**
 * Fan-out at scale, against the framework's floor, in one run: holds N clock streams (default
 * 10,000) against each of
 *
 *   raw    a raw Node `http` server with one shared ticker (bench/fanout-raw.ts),
 *   floor  a minimal Next route handler with one shared ticker (bench/fanout-next/, built here
 *          with the project's node_modules),
 *   app    our /api/clock on `next start` (the project's build; built here when there is none),
 *   piped  the same with SSE_DIRECT_WRITES=off: every event through the response body, as Next
 *          pipes it (not in the default list; `--only floor,app,piped` compares all three),
 *
 * one server at a time, all with a 1 s tick, and prints for each: accept time, failures (streams
 * never answered), RSS and live heap per stream after forced GC, events delivered per second and
 * the fan-out lag p50/p99 (receipt time less the tick's own timestamp), the server's CPU time
 * (from /proc) per stream over the ramp and per event delivered, then our ratios to the floor
 * against the targets.
 *
 *   npm run bench:fanout -- [--streams 10000] [--workers 4] [--measure 10] [--only raw,floor,app]
 *                           [--cpu-prof DIR]   (a V8 CPU profile of each server, written as it exits)
 *                           [--heap-snapshot DIR] (a heap snapshot of each server holding the streams)
 *
 * Clients: several forked workers (bench/fanout-client.ts), each holding its share of raw sockets
 * with at most --concurrency (128) requests awaiting an answer at once, so connections arrive as
 * fast as the server accepts them. A stream not answered within --timeout (60) seconds, refused or
 * reset counts as a failure. File descriptors: every process here stays under the 20,000 allowed
 * (`ulimit -n`): a server holds N sockets, each worker N / workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../e2e/support/processes';
import { percentile, startWorker, type Worker } from './fanout-workers';
import { BENCH_ENV, cpuMs, rssKiB, runBench } from './server';

const ROOT = process.cwd();
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const FIXTURE = join(ROOT, 'bench', 'fanout-next');
const HOST = '127.0.0.1';

const { values: flags } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '4' },
    measure: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '128' },
    timeout: { type: 'string', default: '60' },
    only: { type: 'string', default: 'raw,floor,app' },
    'cpu-prof': { type: 'string' },
    'heap-snapshot': { type: 'string' },
  },
});
const STREAMS = Number(flags.streams);
const WORKERS = Number(flags.workers);
const MEASURE_MS = Number(flags.measure) * 1000;
const CONCURRENCY = Number(flags.concurrency);
const TIMEOUT_MS = Number(flags.timeout) * 1000;
const TARGETS = flags.only.split(',') as Target[];

type Target = 'raw' | 'floor' | 'app' | 'piped';
const LABELS: Record<Target, string> = {
  raw: 'raw Node http, one shared ticker',
  floor: 'minimal Next route handler (the floor)',
  app: 'our /api/clock on next start',
  piped: 'our /api/clock, SSE_DIRECT_WRITES=off',
};

// Preloaded into every server: on SIGUSR2, collect all garbage, then print the live heap; on
// SIGWINCH, write a heap snapshot to the file FANOUT_SNAPSHOT names.
const PRELOAD = [
  `process.on('SIGUSR2', () => { globalThis.gc(); globalThis.gc(); console.log('[fanout] heap ' + process.memoryUsage().heapUsed); });`,
  `process.on('SIGWINCH', () => { const file = process.getBuiltinModule('node:v8').writeHeapSnapshot(process.env.FANOUT_SNAPSHOT); console.log('[fanout] heap ' + file.length); });`,
].join('\n');

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(1));
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function newestMtime(paths: string[]): number {
  return Math.max(...paths.map((path) => statSync(path).mtimeMs));
}

/** Runs `next build` in a folder unless its build is newer than the given sources. */
async function ensureBuild(dir: string, sources: string[], label: string): Promise<void> {
  const buildId = join(dir, '.next', 'BUILD_ID');
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestMtime(sources)) return;
  console.log(`building ${label} (next build ${dir}) ...`);
  const child = track(spawn(process.execPath, [NEXT_BIN, 'build', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } }));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`next build ${dir} failed:\n${output}`);
}

interface Server {
  child: ChildProcess;
  port: number;
  /** Forces two full collections in the server; resolves with its live heap then. */
  heapAfterGc(): Promise<number>;
  /** Writes a heap snapshot (to FANOUT_SNAPSHOT) and resolves once it is written. */
  snapshot(): Promise<unknown>;
  stop(): Promise<void>;
}

async function startServer(target: Target): Promise<Server> {
  const port = await freePort();
  const nodeFlags = ['--expose-gc', `--import=data:text/javascript,${encodeURIComponent(PRELOAD)}`];
  // --cpu-prof DIR: each server writes a V8 CPU profile there when it exits.
  if (flags['cpu-prof']) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`, `--cpu-prof-name=${target}.cpuprofile`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...BENCH_ENV, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', CLOCK_INTERVAL_MS: '1000' };
  // The same app with every event sent through the response body, as before direct writes.
  if (target === 'piped') env.SSE_DIRECT_WRITES = 'off';
  if (flags['heap-snapshot']) env.FANOUT_SNAPSHOT = join(flags['heap-snapshot'], `${target}.heapsnapshot`);
  const args =
    target === 'raw'
      ? [...nodeFlags, '--import', 'tsx', join(ROOT, 'bench', 'fanout-raw.ts'), String(port)]
      : [...nodeFlags, NEXT_BIN, 'start', ...(target === 'floor' ? [FIXTURE] : []), '-p', String(port), '-H', HOST];
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const heaps: ((bytes: number) => void)[] = [];
  let partial = '';
  const onOutput = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\[fanout\] heap (\d+)$/.exec(line.trim());
      if (match) heaps.shift()?.(Number(match[1]));
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);

  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`${target} server exited before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${target} server not ready within 60 s:\n${output}`);
    const controller = new AbortController();
    try {
      const response = await fetch(`http://${HOST}:${port}/api/clock`, { signal: controller.signal });
      controller.abort();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await delay(200);
  }

  // Both signals are answered with a `[fanout] heap` line once done.
  const signalled = (signal: NodeJS.Signals) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${target}: no answer to ${signal} within 300 s`)), 300_000);
      heaps.push((bytes) => {
        clearTimeout(timer);
        resolve(bytes);
      });
      child.kill(signal);
    });

  return {
    child,
    port,
    heapAfterGc: () => signalled('SIGUSR2'),
    snapshot: () => signalled('SIGWINCH'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Row {
  target: Target;
  acceptS: number;
  failures: number;
  errors: Record<string, number>;
  rssKiB: number;
  heapKiB: number;
  eventsPerS: number;
  lagP50: number;
  lagP99: number;
  /** Server CPU (ms) spent during the ramp, per stream opened: accepts, plus the ticks meanwhile. */
  rampCpuMs: number;
  /** Server CPU (µs) per event delivered while measuring: the cost of the fan-out itself. */
  eventCpuUs: number;
}

async function run(target: Target, workers: Worker[]): Promise<Row> {
  const server = await startServer(target);
  try {
    await delay(1000);
    const heapBefore = await server.heapAfterGc();
    const rssBefore = rssKiB(server.child.pid!);
    const share = (i: number) => Math.floor(STREAMS / workers.length) + (i < STREAMS % workers.length ? 1 : 0);
    const start = Date.now();
    const cpuAtStart = cpuMs(server.child.pid!);
    const opened = await Promise.all(
      workers.map((worker, i) =>
        worker.ask({ cmd: 'open', host: HOST, port: server.port, path: '/api/clock', count: share(i), concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS }, 'opened'),
      ),
    );
    const acceptS = (Math.max(...opened.map((reply) => reply.lastAnsweredAt)) - start) / 1000;
    const failures = opened.reduce((sum, reply) => sum + reply.failed, 0);
    const errors: Record<string, number> = {};
    for (const reply of opened) for (const [code, count] of Object.entries(reply.errors)) errors[code] = (errors[code] ?? 0) + count;
    console.log(`  ${target}: ${STREAMS - failures} streams answered in ${acceptS.toFixed(1)} s, ${failures} failed`);

    const rampCpu = cpuMs(server.child.pid!) - cpuAtStart;

    await delay(2000);
    const cpuBeforeMeasure = cpuMs(server.child.pid!);
    const measured = await Promise.all(workers.map((worker) => worker.ask({ cmd: 'measure', ms: MEASURE_MS }, 'measured')));
    const measureCpu = cpuMs(server.child.pid!) - cpuBeforeMeasure;
    const lags = measured.flatMap((reply) => reply.lags).sort((a, b) => a - b);
    const events = measured.reduce((sum, reply) => sum + reply.events, 0);

    const heapAfter = await server.heapAfterGc();
    const rssAfter = rssKiB(server.child.pid!);
    if (flags['heap-snapshot']) await server.snapshot();
    const held = STREAMS - failures || 1;
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }, 'closed')));
    return {
      target,
      acceptS,
      failures,
      errors,
      rssKiB: (rssAfter - rssBefore) / held,
      heapKiB: (heapAfter - heapBefore) / 1024 / held,
      eventsPerS: events / (MEASURE_MS / 1000),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      rampCpuMs: rampCpu / held,
      eventCpuUs: events > 0 ? (measureCpu * 1000) / events : Number.NaN,
    };
  } finally {
    await server.stop();
  }
}

function table(rows: Row[]): string {
  const lines = [
    `| server, ${STREAMS.toLocaleString('en-US')} clock streams | accepted in | streams never answered | RSS per stream | live heap per stream | events/s | fan-out lag p50 / p99 | server CPU: ramp per stream, per event |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${LABELS[row.target]} | ${row.acceptS.toFixed(1)} s | ${row.failures} | ${row.rssKiB.toFixed(1)} KiB | ${row.heapKiB.toFixed(1)} KiB | ${Math.round(row.eventsPerS).toLocaleString('en-US')} | ${Math.round(row.lagP50)} / ${Math.round(row.lagP99)} ms | ${row.rampCpuMs.toFixed(2)} ms, ${row.eventCpuUs.toFixed(1)} µs |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  console.log(`fan-out bench: ${STREAMS} streams per server, ${WORKERS} client workers, 1 s tick, ${MEASURE_MS / 1000} s measured (node ${process.version})`);
  if (TARGETS.includes('floor')) {
    await ensureBuild(FIXTURE, ['next.config.mjs', 'app/api/clock/route.js'].map((file) => join(FIXTURE, file)).concat(['lib/sse/encoder.ts', 'lib/sse/server.ts', 'lib/clock/protocol.ts'].map((file) => join(ROOT, file))), 'the Next floor fixture');
  }
  if ((TARGETS.includes('app') || TARGETS.includes('piped')) && !existsSync(join(ROOT, '.next', 'BUILD_ID'))) await ensureBuild(ROOT, [], 'the app');
  const workers = Array.from({ length: WORKERS }, () => {
    const worker = startWorker();
    track(worker.child);
    return worker;
  });
  const rows: Row[] = [];
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    for (const target of TARGETS) rows.push(await run(target, workers));
  } finally {
    for (const worker of workers) worker.child.kill();
  }
  console.log();
  console.log(table(rows));
  for (const row of rows) if (row.failures > 0) console.log(`${row.target} failures: ${JSON.stringify(row.errors)}`);
  const floor = rows.find((row) => row.target === 'floor');
  const app = rows.find((row) => row.target === 'app');
  if (!floor || !app) return 0;
  const ratios = [
    { name: 'accept time', value: app.acceptS / floor.acceptS, target: 1.2 },
    { name: 'RSS per stream', value: app.rssKiB / floor.rssKiB, target: 1.1 },
    { name: 'lag p99', value: app.lagP99 / floor.lagP99, target: 1.2 },
  ];
  console.log();
  console.log('ours / the Next floor (target):');
  for (const ratio of ratios) console.log(`  ${ratio.name.padEnd(15)} ${ratio.value.toFixed(2)}x (<= ${ratio.target}x) ${ratio.value <= ratio.target ? 'met' : 'MISSED'}`);
  console.log(`  live heap/stream ${(app.heapKiB / floor.heapKiB).toFixed(2)}x`);
  console.log(`  failures        ${app.failures} (0) ${app.failures === 0 ? 'met' : 'MISSED'}`);
  return 0;
}

runBench(main);
