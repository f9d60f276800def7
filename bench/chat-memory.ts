/**
 * What kept chat runs cost the server, in two parts on one `next start`:
 *
 * 1. Per kept run: clients read N whole `/long` answers (default 100), which the server keeps for
 *    resuming; after a forced garbage collection it prints the live heap, the log bytes and the RSS
 *    per kept run, against one answer's size on the wire.
 * 2. Under the attack of issue 10: several loopback source addresses (127.0.0.2 .. 127.0.0.8) each
 *    start `GET /api/chat?prompt=explain%20sse%20/long&delayMs=0` and hang up as soon as the
 *    response starts, over and over, for a while; then the runs held and the memory in all.
 *
 *   npm run bench:chat-memory [-- seconds [addresses [answers]]]   (default 30 s, 7 addresses, 100)
 */
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_ENV, getStats, mib, rssKiB, runBench, startServer } from './server';

const SECONDS = Number(process.argv[2] ?? 30);
const ADDRESSES = Number(process.argv[3] ?? 7);
const ANSWERS = Number(process.argv[4] ?? 100);
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
  // A long retention, so that every answer of part 1 is still kept when measured however slow the
  // machine; the attack's runs are abandoned ones, kept CHAT_ABANDONED_RETENTION_MS (default).
  const server = await startServer({ env: { ...BENCH_ENV, CHAT_RETENTION_MS: '600000' }, exposeGc: true });
  try {
    const wire = await wireSize(server.url);
    await server.collectGarbage();
    const base = await getStats(server.url);
    const rssBase = rssKiB(server.pid);
    let wireTotal = 0;
    for (let i = 0; i < ANSWERS; i += ADDRESSES) {
      const sizes = await Promise.all(Array.from({ length: Math.min(ADDRESSES, ANSWERS - i) }, () => wireSize(server.url)));
      wireTotal += sizes.reduce((sum, size) => sum + size, 0);
    }
    await server.collectGarbage();
    const read = await getStats(server.url);
    const rssRead = rssKiB(server.pid);
    const readBytes = (read.chat as { heldBytes?: number }).heldBytes;
    const keptRead = read.chat.heldRuns - base.chat.heldRuns;
    const perWire = wireTotal / ANSWERS;
    const heapPer = (read.memory.heapUsedBytes - base.memory.heapUsedBytes) / keptRead;
    console.log(`chat memory (node ${process.version})`);
    console.log(`1. ${ANSWERS} /long answers read to the end and kept: ${keptRead} runs held, ${(perWire / 1024).toFixed(1)} KiB each on the wire`);
    console.log(`   live heap per kept run:  ${(heapPer / 1024).toFixed(1)} KiB (${(heapPer / perWire).toFixed(2)}x the wire size)`);
    if (readBytes !== undefined) {
      const buffers = (readBytes - ((base.chat as { heldBytes?: number }).heldBytes ?? 0)) / keptRead;
      console.log(`   + log buffers (outside the JS heap): ${(buffers / 1024).toFixed(1)} KiB; heap + buffers ${((heapPer + buffers) / perWire).toFixed(2)}x the wire size`);
    }
    console.log(`   RSS per kept run:        ${((rssRead - rssBase) / keptRead).toFixed(1)} KiB`);

    // The attack is measured from here: what it adds to what part 1 left.
    const before = read;
    const rssBefore = rssRead;

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
    const kept = after.chat.heldRuns - before.chat.heldRuns;
    const heapDelta = after.memory.heapUsedBytes - before.memory.heapUsedBytes;
    const rssDelta = rssAfter - rssBefore;
    const chat = after.chat as typeof after.chat & { heldBytes?: number };
    console.log(`2. under attack: ${ADDRESSES} addresses x ${SECONDS} s of ${PATH}, hang up at once`);
    console.log(`   answers:          ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ')}`);
    console.log(`   one answer:       ${(wire / 1024).toFixed(1)} KiB on the wire`);
    console.log(`   runs held:        ${after.chat.heldRuns} (${kept} more; ${after.chat.activeGenerations} still generating)${chat.heldBytes === undefined ? '' : `, log bytes held ${mib(chat.heldBytes / 1024)}`}`);
    console.log(`   live heap:        ${mib(before.memory.heapUsedBytes / 1024)} -> ${mib(after.memory.heapUsedBytes / 1024)} (+${mib(heapDelta / 1024)})`);
    console.log(`   RSS:              ${mib(rssBefore)} -> ${mib(rssAfter)} (+${mib(rssDelta)})`);
    if (kept > 0) {
      // Only telling when many runs are kept: a few runs leave the attack's own garbage dominant.
      console.log(`   per kept run:     heap ${(heapDelta / kept / 1024).toFixed(1)} KiB (${(heapDelta / kept / wire).toFixed(2)}x the wire size), RSS ${(rssDelta / kept).toFixed(1)} KiB`);
    }
    return 0;
  } finally {
    await server.stop();
  }
}

runBench(main);
