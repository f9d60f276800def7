/**
 * The clock of a cluster against the clock of one process, in one run: holds N clock streams
 * (default 2,000) against
 *
 *   single   one standalone instance without Redis (today's in-process clock),
 *   cluster  two standalone instances sharing a real redis-server, behind nginx (round-robin),
 *            one ticking under the lease into a Redis Stream, each tailing it for its own clients,
 *
 * one after the other, each ticking once a second, and prints for each: accept time, failures,
 * RSS per stream (the instances' growth, summed, over the streams held), fan-out lag p50/p99
 * (receipt time less the tick's own timestamp, so the cluster's includes the hop through Redis),
 * events delivered per second and Redis commands per second (INFO stats while measuring), then the
 * cluster's ratios to the single process against the target (within 1.2x).
 *
 *   npm run bench:cluster -- [--streams 2000] [--workers 4] [--measure 10] [--only single,cluster]
 *
 * Needs the standalone build (`npm run build`). Clients are bench/fanout-client.ts workers, as in
 * `bench:fanout`. nginx holds two connections per stream (client and upstream) within its
 * `worker_connections 16384` (deploy/nginx.conf).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { startCluster, startInstance, type Cluster, type Instance } from '../e2e/support/cluster';
import { percentile, startWorker, type Worker } from './fanout-workers';
import { BENCH_ENV, rssKiB, runBench } from './server';

const { values: flags } = parseArgs({
  options: {
    streams: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '4' },
    measure: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '128' },
    timeout: { type: 'string', default: '60' },
    only: { type: 'string', default: 'single,cluster' },
  },
});
const STREAMS = Number(flags.streams);
const MEASURE_MS = Number(flags.measure) * 1000;
const TARGETS = flags.only.split(',') as Target[];

type Target = 'single' | 'cluster' | 'direct';
const LABELS: Record<Target, string> = {
  single: 'one instance, no Redis',
  cluster: 'two instances + Redis, through nginx',
  direct: 'two instances + Redis, clients split between them (no nginx)',
};
const ENV = { ...BENCH_ENV, CLOCK_INTERVAL_MS: '1000' };

interface Row {
  target: Target;
  acceptS: number;
  failures: number;
  rssKiB: number;
  eventsPerS: number;
  lagP50: number;
  lagP99: number;
  redisPerS: number | undefined;
  spread: string;
}

/** The servers of one target: where clients go, which processes to weigh, and Redis if any. */
interface Setup {
  /** Where client worker `i` connects. */
  url: (worker: number) => URL;
  instances: Instance[];
  redisUrl: string | undefined;
  /** What the proxy logged, if there is one. */
  proxyLog(): string;
  stop(): Promise<void>;
}

async function setUp(target: Target): Promise<Setup> {
  if (target === 'single') {
    const instance = await startInstance('single', ENV);
    return { url: () => new URL(instance.url), instances: [instance], redisUrl: undefined, proxyLog: () => '', stop: () => instance.stop() };
  }
  const cluster: Cluster = await startCluster({ env: ENV });
  const url = (worker: number) => new URL(target === 'cluster' ? cluster.url : cluster.instances[worker % cluster.instances.length]!.url);
  const proxyLog = () => (target === 'cluster' ? cluster.nginx.output() : '');
  return { url, instances: cluster.instances, redisUrl: cluster.redis.url, proxyLog, stop: () => cluster.stop() };
}

/** Redis's count of commands processed (scripts' inner calls included), and the calls per command. */
async function commandsProcessed(url: string): Promise<{ total: number; calls: Map<string, number> }> {
  const client = createClient({ url });
  await client.connect();
  try {
    const stats = await client.info('stats');
    const commands = await client.info('commandstats');
    const calls = new Map<string, number>();
    for (const [, name, count] of commands.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls.set(name!, Number(count));
    return { total: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN), calls };
  } finally {
    client.destroy();
  }
}

async function openStreamsOf(instance: Instance): Promise<number> {
  const stats = (await (await fetch(`${instance.url}/api/stats`)).json()) as { openStreams: number };
  return stats.openStreams;
}

async function run(target: Target, workers: Worker[]): Promise<Row> {
  const setup = await setUp(target);
  try {
    await delay(1000);
    const rss = () => setup.instances.reduce((sum, instance) => sum + rssKiB(instance.program.child.pid!), 0);
    const rssBefore = rss();
    const share = (i: number) => Math.floor(STREAMS / workers.length) + (i < STREAMS % workers.length ? 1 : 0);
    const start = Date.now();
    const opened = await Promise.all(
      workers.map((worker, i) =>
        worker.ask(
          {
            cmd: 'open',
            host: setup.url(i).hostname,
            port: Number(setup.url(i).port),
            path: '/api/clock',
            count: share(i),
            concurrency: Number(flags.concurrency),
            timeoutMs: Number(flags.timeout) * 1000,
          },
          'opened',
        ),
      ),
    );
    const acceptS = (Math.max(...opened.map((reply) => reply.lastAnsweredAt)) - start) / 1000;
    const failures = opened.reduce((sum, reply) => sum + reply.failed, 0);
    const errors: Record<string, number> = {};
    for (const reply of opened) for (const [code, count] of Object.entries(reply.errors)) errors[code] = (errors[code] ?? 0) + count;
    console.log(`  ${target}: ${STREAMS - failures} streams answered in ${acceptS.toFixed(1)} s, ${failures} failed ${failures ? JSON.stringify(errors) : ''}`);
    const proxyLines = setup.proxyLog().trim().split('\n').filter(Boolean);
    if (failures && proxyLines.length > 0) console.log(`  nginx logged ${proxyLines.length} lines, the last: ${proxyLines.at(-1)}`);
    await delay(2000);
    const redisBefore = setup.redisUrl ? await commandsProcessed(setup.redisUrl) : undefined;
    const measureStart = Date.now();
    const measured = await Promise.all(workers.map((worker) => worker.ask({ cmd: 'measure', ms: MEASURE_MS }, 'measured')));
    const measuredS = (Date.now() - measureStart) / 1000;
    let redisPerS: number | undefined;
    if (setup.redisUrl && redisBefore) {
      const after = await commandsProcessed(setup.redisUrl);
      redisPerS = (after.total - redisBefore.total) / measuredS;
      const perCommand = [...after.calls]
        .map(([name, calls]) => [name, (calls - (redisBefore.calls.get(name) ?? 0)) / measuredS] as const)
        .filter(([, rate]) => rate >= 0.5)
        .sort((a, b) => b[1] - a[1])
        .map(([name, rate]) => `${name} ${rate.toFixed(1)}`);
      console.log(`  ${target}: Redis ${redisPerS.toFixed(1)} commands/s: ${perCommand.join(', ')}`);
    }
    const rssAfter = rss();
    const spread = (await Promise.all(setup.instances.map(async (instance) => `${instance.id} ${await openStreamsOf(instance)}`))).join(', ');
    const lags = measured.flatMap((reply) => reply.lags).sort((a, b) => a - b);
    const events = measured.reduce((sum, reply) => sum + reply.events, 0);
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }, 'closed')));
    return {
      target,
      acceptS,
      failures,
      rssKiB: (rssAfter - rssBefore) / (STREAMS - failures || 1),
      eventsPerS: events / (MEASURE_MS / 1000),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      redisPerS,
      spread,
    };
  } finally {
    await setup.stop();
  }
}

function table(rows: Row[]): string {
  const lines = [
    `| ${STREAMS.toLocaleString('en-US')} clock streams | accepted in | never answered | RSS per stream | events/s | fan-out lag p50 / p99 | Redis commands/s | streams per instance |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${LABELS[row.target]} | ${row.acceptS.toFixed(1)} s | ${row.failures} | ${row.rssKiB.toFixed(1)} KiB | ${Math.round(row.eventsPerS).toLocaleString('en-US')} | ${Math.round(row.lagP50)} / ${Math.round(row.lagP99)} ms | ${row.redisPerS === undefined ? '-' : Math.round(row.redisPerS)} | ${row.spread} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  console.log(`cluster bench: ${STREAMS} clock streams per setup, 1 s tick, ${MEASURE_MS / 1000} s measured (node ${process.version})`);
  const workers = Array.from({ length: Number(flags.workers) }, startWorker);
  process.once('exit', () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
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
  const single = rows.find((row) => row.target === 'single');
  const cluster = rows.find((row) => row.target === 'cluster') ?? rows.find((row) => row.target === 'direct');
  if (!single || !cluster) return 0;
  const ratios = [
    { name: 'accept time', value: cluster.acceptS / single.acceptS },
    { name: 'RSS per stream', value: cluster.rssKiB / single.rssKiB },
    { name: 'lag p50', value: cluster.lagP50 / single.lagP50 },
    { name: 'lag p99', value: cluster.lagP99 / single.lagP99 },
  ];
  console.log();
  console.log(`${cluster.target} / single process (target <= 1.2x):`);
  for (const ratio of ratios) console.log(`  ${ratio.name.padEnd(15)} ${ratio.value.toFixed(2)}x ${ratio.value <= 1.2 ? 'met' : 'MISSED'}`);
  return 0;
}

runBench(main);
