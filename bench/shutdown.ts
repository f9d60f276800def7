/**
 * Shutdown with many open streams: opens N clock streams (from a few loopback addresses, under the
 * per-client cap), sends SIGTERM, and prints how long the server took to end them all and exit.
 * The server exits as soon as its last connection is gone; the 5 s timer is only a fallback.
 *
 *   npm run bench:shutdown       (or: npx tsx bench/shutdown.ts [streams])
 */
import { request, Agent } from 'node:http';
import { BENCH_ENV, runBench, startServer } from './server';

const STREAMS = positiveInt(process.argv[2], 500);

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Expected a positive integer, got "${raw}".`);
  return value;
}

/** Opens a clock stream and resolves once its first bytes arrived, with a promise of its end. */
function openStream(url: string, agent: Agent): Promise<{ ended: Promise<'clean' | 'error'> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/clock`, { agent }, (response) => {
      const ended = new Promise<'clean' | 'error'>((done) => {
        response.once('end', () => done('clean'));
        response.once('error', () => done('error'));
        response.once('aborted', () => done('error'));
      });
      response.once('data', () => resolve({ ended }));
      response.resume();
    });
    req.once('error', reject);
    req.end();
  });
}

async function main(): Promise<number> {
  const server = await startServer({ env: BENCH_ENV });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const ends = await Promise.all(Array.from({ length: STREAMS }, () => openStream(server.url, agent)));
  const exited = new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      try {
        process.kill(server.pid, 0);
      } catch {
        clearInterval(poll);
        resolve(performance.now());
      }
    }, 5);
  });
  console.log(`${STREAMS} clock streams open on ${server.url}; sending SIGTERM.`);
  const signalled = performance.now();
  process.kill(server.pid, 'SIGTERM');
  const results = await Promise.all(ends.map((stream) => stream.ended));
  const streamsEnded = performance.now();
  const exitedAt = await exited;
  agent.destroy();
  const clean = results.filter((result) => result === 'clean').length;
  console.log(`streams ended:  ${clean} cleanly, ${STREAMS - clean} with an error, all within ${(streamsEnded - signalled).toFixed(0)} ms`);
  console.log(`process exited: ${(exitedAt - signalled).toFixed(0)} ms after SIGTERM (fallback timer: 5000 ms)`);
  const ok = clean === STREAMS && exitedAt - signalled < 1000;
  console.log(`${ok ? 'PASS' : 'FAIL'}  every stream ended cleanly and the process exited within 1 s`);
  return ok ? 0 : 1;
}

runBench(main);
