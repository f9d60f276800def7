import { expect, test } from '@playwright/test';
import { createClient } from 'redis';
import { decodeClockEvent } from '../lib/clock/protocol';
import { CLOCK_KEYS } from '../lib/server/redis/clock-keys';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';
import { startCluster, type Cluster, type Instance } from './support/cluster';

// The clock of a cluster: redis-server, two standalone instances sharing it and nginx in front, all
// started on free ports by this file and stopped by it. One tick per interval across the cluster,
// one id sequence, a resume on any instance, and Redis or the leader dying on the way.

test.describe.configure({ mode: 'serial' });

// Long enough that a loaded machine's timer lag stays well inside the margins being checked.
const INTERVAL = 500;

/** An open clock stream, read event by event through the library's parser. */
interface ClockStream {
  response: Response;
  instance: string;
  events: SseEvent[];
  /** Reads until `done(events)` holds; false when the stream ended first. */
  readUntil(done: (events: SseEvent[]) => boolean): Promise<boolean>;
  /** Reads until the stream ends: true for a clean end of stream, false for an error. */
  readToEnd(): Promise<boolean>;
  close(): void;
}

async function openClock(url: string, lastEventId?: string): Promise<ClockStream> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/clock`, {
    headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  return {
    response,
    instance: response.headers.get('x-sse-instance') ?? '',
    events,
    async readUntil(done) {
      while (!done(events)) {
        const { done: ended, value } = await reader.read();
        if (ended) return false;
        parser.feed(value);
      }
      return true;
    },
    async readToEnd() {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return true;
          parser.feed(value);
        }
      } catch {
        return false;
      }
    },
    close: () => controller.abort(),
  };
}

const updates = (events: SseEvent[]) => events.filter((event) => event.type === 'update');
const updateIds = (events: SseEvent[]) => updates(events).map((event) => Number(event.lastEventId));
const tickTime = (event: SseEvent) => {
  const decoded = decodeClockEvent('update', event.data);
  if (decoded?.type !== 'update') throw new Error(`not an update: ${event.data}`);
  return Date.parse(decoded.data.timestamp);
};

function expectContiguous(ids: number[]): void {
  const expected = ids.length > 0 ? Array.from({ length: ids.length }, (_, index) => ids[0]! + index) : [];
  expect(ids).toEqual(expected);
}

/** The value of the clock's lease in Redis. */
async function leaseHolder(url: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    return (await client.get(CLOCK_KEYS.lease)) ?? '';
  } finally {
    client.destroy();
  }
}

/** What an instance logged that should never be there. */
const troubleIn = (instance: Instance) => instance.program.output().match(/unhandled|uncaught|TypeError|ReferenceError/gi) ?? [];

test.describe('the clock of two instances behind nginx with Redis', () => {
  let cluster: Cluster;

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    cluster = await startCluster({
      env: { CLOCK_INTERVAL_MS: String(INTERVAL), CLOCK_NOTIFICATION_MS: '600000', SSE_RATE_LIMIT: '100000', SSE_RATE_BURST: '10000', SSE_MAX_STREAMS_PER_IP: '20' },
    });
  });
  test.afterAll(async () => {
    await cluster?.stop();
  });

  test('a client reconnecting through nginx lands on each instance in turn, and its ids stay contiguous', async () => {
    const served: string[] = [];
    const received: SseEvent[] = [];
    test.setTimeout(60_000);
    let lastEventId: string | undefined;
    for (let round = 0; round < 6; round++) {
      const stream = await openClock(cluster.url, lastEventId);
      expect(stream.response.status).toBe(200);
      served.push(stream.instance);
      // Reconnects after the first say what they did: replayed (nothing lost), never reset.
      await stream.readUntil((events) => updates(events).length >= 2);
      stream.close();
      if (round > 0) {
        expect(stream.events.filter((event) => event.type === 'reset')).toEqual([]);
        expect(stream.events.filter((event) => event.type === 'resumed')).toHaveLength(1);
      }
      received.push(...updates(stream.events));
      lastEventId = received.at(-1)!.lastEventId;
      // Away for a few ticks, so every resume has something to replay.
      await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL));
    }
    // Round-robin with no stickiness: each reconnect went to the other instance.
    expect(new Set(served)).toEqual(new Set(['app-1', 'app-2']));
    for (let index = 1; index < served.length; index++) expect(served[index]).not.toBe(served[index - 1]);
    // One sequence across both: no gap, no duplicate.
    expectContiguous(received.map((event) => Number(event.lastEventId)));
    // Each id one tick: no tick sent twice under two ids.
    expect(new Set(received.map((event) => event.data)).size).toBe(received.length);
  });

  test('Redis killed: open clock streams end cleanly, new ones get 503 + Retry-After; all back once Redis is', async () => {
    test.setTimeout(60_000);
    const open = await Promise.all(cluster.instances.map((instance) => openClock(instance.url)));
    for (const stream of open) await stream.readUntil((events) => updates(events).length >= 1);
    const lastSeen = Math.max(...open.flatMap((stream) => updateIds(stream.events)));
    await cluster.redis.kill();
    // A clean end of stream on both (the clients then reconnect), not a hang and not an error.
    expect(await Promise.all(open.map((stream) => stream.readToEnd()))).toEqual([true, true]);
    for (const instance of cluster.instances) {
      await expect
        .poll(async () => {
          const refused = await fetch(`${instance.url}/api/clock`);
          await refused.body?.cancel();
          return { status: refused.status, retryAfter: refused.headers.get('retry-after') };
        })
        .toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    }
    await cluster.redis.restart();
    // Full recovery on both instances: a new stream ticks, under ids past every one given out.
    for (const instance of cluster.instances) {
      await expect
        .poll(async () => (await fetch(`${instance.url}/api/health`).then((response) => response.json())).redis, { timeout: 15_000 })
        .toBe('ok');
    }
    for (const instance of cluster.instances) {
      await expect
        .poll(
          async () => {
            const stream = await openClock(instance.url);
            if (stream.response.status !== 200) {
              stream.close();
              return stream.response.status;
            }
            await stream.readUntil((events) => updates(events).length >= 2);
            stream.close();
            const ids = updateIds(stream.events);
            expectContiguous(ids);
            expect(ids[0]).toBeGreaterThan(lastSeen);
            return stream.response.status;
          },
          { timeout: 15_000 },
        )
        .toBe(200);
    }
    for (const instance of cluster.instances) {
      expect(instance.program.child.exitCode).toBeNull();
      expect(troubleIn(instance)).toEqual([]);
    }
  });

  test('the leader SIGKILLed: the other instance ticks within two intervals, ids gap-free', async () => {
    test.setTimeout(60_000);
    const streams = await Promise.all(cluster.instances.map((instance) => openClock(instance.url)));
    for (const stream of streams) await stream.readUntil((events) => updates(events).length >= 3);
    // Who ticks: the lease's holder, `<INSTANCE_ID>:<random>`, as Redis has it.
    const holder = await leaseHolder(cluster.redis.url);
    const leader = cluster.instances.find((instance) => holder.startsWith(`${instance.id}:`))!;
    const survivor = cluster.instances.find((instance) => instance !== leader)!;
    expect(leader, `the lease holder ${holder} is an instance`).toBeTruthy();
    const watching = streams[cluster.instances.indexOf(survivor)]!;
    streams[cluster.instances.indexOf(leader)]!.close();
    const before = updates(watching.events).length;
    await leader.kill();
    await watching.readUntil((events) => updates(events).length >= before + 5);
    watching.close();
    const ticks = updates(watching.events);
    expectContiguous(ticks.map((event) => Number(event.lastEventId)));
    // The largest pause between ticks around the death: the lease lapses and the survivor takes it.
    const gaps = ticks.slice(before - 1).map((event, index, all) => (index === 0 ? 0 : tickTime(event) - tickTime(all[index - 1]!)));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * INTERVAL);
    expect(survivor.program.output()).toMatch(/Clock: this instance ticks now/);
    expect(survivor.program.child.exitCode).toBeNull();
    expect(troubleIn(survivor)).toEqual([]);
  });
});
