/**
 * What kept chat runs cost the server, under the attack of issue 10: several loopback source
 * addresses (127.0.0.2 .. 127.0.0.8) each start `GET /api/chat?prompt=explain%20sse%20/long&delayMs=0`
 * and hang up as soon as the response starts, over and over, for a while. Then it forces a garbage
 * collection and prints the runs the server holds, the live heap and RSS in all and per kept run,
 * and the answers the attackers got.
 *
 *   npm run bench:chat-memory [-- seconds [addresses]]     (default 30 s, 7 addresses)
 */
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_ENV, getStats, mib, rssKiB, runBench, startServer } from './server';

const SECONDS = Number(process.argv[2] ?? 30);
const ADDRESSES = Number(process.argv[3] ?? 7);
const PATH = '/api/chat?prompt=explain%20sse%20/long&delayMs=0';

/** Sends the request from `localAddress` and hangs up at the first byte of the answer; resolves with its status. */
function startAndHangUp(url: string, localAddress: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    socket.setNoDelay(true);
    socket.write(`GET ${PATH} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.once('data', (chunk: Buffer) => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0));
    });
    socket.once('error', () => resolve(-1));
  });
}

/** Bytes of one whole `/long` answer on the wire, read to its end by a client that stays. */
async function wireSize(url: string): Promise<number> {
  const response = await fetch(`${url}${PATH}`);
  return (await response.arrayBuffer()).byteLength;
}

async function main(): Promise<number> {
  // The rate limit and stream caps are not what is measured here; the chat's own limits are left
  // at their defaults, as the attack met them.
  const server = await startServer({ env: { ...BENCH_ENV }, exposeGc: true });
  try {
    const wire = await wireSize(server.url);
    // Let that run expire from the baseline's point of view: what is measured is the attack's.
    await server.collectGarbage();
    const before = await getStats(server.url);
    const rssBefore = rssKiB(server.pid);

    const statuses = new Map<number, number>();
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: ADDRESSES }, async (_, index) => {
        const address = `127.0.0.${index + 2}`;
        while (Date.now() < deadline) {
          const status = await startAndHangUp(server.url, address);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          // A refused client waits a little, as Retry-After asks, instead of spinning.
          if (status !== 200) await delay(50);
        }
      }),
    );
    // delayMs=0: the last runs finish within moments; measure what stays kept.
    await delay(2000);
    await server.collectGarbage();
    const after = await getStats(server.url);
    const rssAfter = rssKiB(server.pid);
    const kept = after.chat.heldRuns;
    const heapDelta = after.memory.heapUsedBytes - before.memory.heapUsedBytes;
    const rssDelta = rssAfter - rssBefore;
    const chat = after.chat as typeof after.chat & { heldBytes?: number };
    console.log(`chat memory under attack: ${ADDRESSES} addresses x ${SECONDS} s of ${PATH}, hang up at once (node ${process.version})`);
    console.log(`answers:          ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ')}`);
    console.log(`one answer:       ${(wire / 1024).toFixed(1)} KiB on the wire`);
    console.log(`kept runs:        ${kept} (${after.chat.activeGenerations} still generating)${chat.heldBytes === undefined ? '' : `, log bytes held ${mib(chat.heldBytes / 1024)}`}`);
    console.log(`live heap:        ${mib(before.memory.heapUsedBytes / 1024)} -> ${mib(after.memory.heapUsedBytes / 1024)} (+${mib(heapDelta / 1024)})`);
    console.log(`RSS:              ${mib(rssBefore)} -> ${mib(rssAfter)} (+${mib(rssDelta)})`);
    if (kept > 0) {
      console.log(`per kept run:     heap ${(heapDelta / kept / 1024).toFixed(1)} KiB (${(heapDelta / kept / wire).toFixed(2)}x the wire size), RSS ${(rssDelta / kept).toFixed(1)} KiB`);
    }
    return 0;
  } finally {
    await server.stop();
  }
}

runBench(main);
