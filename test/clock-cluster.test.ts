import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startRedis, type RedisServer } from '../e2e/support/redis-server';
import { decodeClockEvent } from '../lib/clock/protocol';
import { attachClient, createClock, type Clock } from '../lib/server/clock';
import { CLOCK_KEYS } from '../lib/server/redis/clock-log';
import { createConnections, type RedisConnections } from '../lib/server/redis/connections';
import { createParser } from '../lib/sse/parser';
import { encodeEvent, toBytes } from '../lib/sse/encoder';
import type { SseConnection } from '../lib/sse/server';
import type { SseEvent } from '../lib/sse/types';
import { until } from './support/timers';

// Two clocks on two connection sets to one real redis-server stand for two instances of a cluster.
// Every byte a client gets goes through the library's parser, as a browser's would.

interface Client extends SseConnection {
  closed: boolean;
  events: SseEvent[];
  leave: () => void;
}

function client(): Client {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const connection: Client = {
    events,
    leave: () => {},
    closed: false,
    signal: new AbortController().signal,
    send: (event) => connection.sendBytes(toBytes(encodeEvent(event))),
    sendBytes(bytes) {
      if (connection.closed) return false;
      parser.feed(bytes);
      return true;
    },
    comment: () => true,
    close() {
      if (connection.closed) return;
      connection.closed = true;
      connection.leave();
    },
  };
  return connection;
}

function join(clock: Clock, lastEventId: string | null = null): Client {
  const connection = client();
  connection.leave = attachClient(clock, connection, lastEventId);
  return connection;
}

const updates = (connection: Client) => connection.events.filter((event) => event.type === 'update');
const updateIds = (connection: Client) => updates(connection).map((event) => Number(event.lastEventId));
const ofType = (connection: Client, type: string) => connection.events.filter((event) => event.type === type);
const tickTime = (event: SseEvent) => {
  const decoded = decodeClockEvent('update', event.data);
  assert.equal(decoded?.type, 'update');
  return Date.parse(decoded.data.timestamp);
};

function assertContiguous(ids: number[], what: string): void {
  for (let index = 1; index < ids.length; index++) {
    assert.equal(ids[index], ids[index - 1]! + 1, `${what}: ${ids.join(',')}`);
  }
}

const INTERVAL = 300;

describe('the clock shared through Redis', () => {
  let server: RedisServer;
  let sets: RedisConnections[] = [];
  let clocks: Clock[] = [];

  async function newClock(bufferSize = 5): Promise<{ clock: Clock; redis: RedisConnections }> {
    const redis = createConnections(server.url);
    sets.push(redis);
    assert.deepEqual(await redis.health(), { status: 'ok' });
    const clock = createClock({ intervalMs: INTERVAL, notificationDelayMs: 60_000, bufferSize }, Promise.resolve(redis));
    clocks.push(clock);
    await clock.clusterReady;
    return { clock, redis };
  }

  async function closeAll(): Promise<void> {
    for (const clock of clocks) await clock.cluster?.close();
    await Promise.all(sets.map((set) => set.close()));
    clocks = [];
    sets = [];
  }

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await closeAll();
    await server.stop();
  });
  beforeEach(async () => {
    await closeAll();
    const admin = createConnections(server.url);
    assert.deepEqual(await admin.health(), { status: 'ok' });
    await admin.commands().flushAll();
    // Let `MAXLEN ~` trim close to the cap (by default it only drops whole nodes of 100 entries).
    await admin.commands().configSet('stream-node-max-entries', '2');
    await admin.close();
  });

  it('ticks once per interval across two instances: both see the same ids, gap-free, one leader', async () => {
    const { clock: one } = await newClock();
    const { clock: two } = await newClock();
    const a = join(one);
    const b = join(two);
    const startedAt = Date.now();
    await until('8 ticks', () => updates(a).length >= 8 && updates(b).length >= 8);
    const elapsed = Date.now() - startedAt;
    assert.equal([one, two].filter((clock) => clock.cluster!.leader).length, 1, 'exactly one leader');
    a.close();
    b.close();
    const ids = updateIds(a);
    assertContiguous(ids, 'ids seen on one');
    assert.deepEqual(updateIds(b).slice(0, 8), ids.slice(0, 8), 'the other instance sends the same ids');
    assert.deepEqual(
      updates(b).slice(0, 8).map((event) => event.data),
      updates(a).slice(0, 8).map((event) => event.data),
      'and the same ticks',
    );
    // Two instances each ticking would make about twice as many; timers can only run late.
    assert.ok(ids.length <= elapsed / INTERVAL + 1, `${ids.length} ticks in ${elapsed} ms`);
  });

  it('when the leader dies, the other ticks within two intervals, and the ids stay gap-free', async () => {
    const first = await newClock();
    const second = await newClock();
    const a = join(first.clock);
    await until('the first instance to lead', () => updates(a).length >= 2 && first.clock.cluster!.leader);
    const b = join(second.clock);
    await until('ticks on the second', () => updates(b).length >= 2);
    assert.equal(second.clock.cluster!.leader, false);
    // As SIGKILL: its connections go, it releases nothing, its lease is left to lapse.
    const from = updates(b).length - 1;
    await first.redis.close();
    await until('ticks by the new leader', () => second.clock.cluster!.leader && updates(b).length >= from + 5);
    // The longest pause between two ticks from just before the death on: the takeover's.
    const times = updates(b).slice(from).map(tickTime);
    const gap = Math.max(...times.slice(1).map((time, index) => time - times[index]!));
    assert.ok(gap <= 2 * INTERVAL, `the longest pause between ticks was ${gap} ms (interval ${INTERVAL} ms)`);
    assertContiguous(updateIds(b), 'ids across the change');
    assert.equal(second.clock.cluster!.leader, true);
    b.close();
    a.close();
  });

  it('replays from Redis what the local buffer no longer holds, on another instance', async () => {
    // `MAXLEN ~` at its default granularity: the stream keeps more than the 3 events buffered here.
    const admin = createConnections(server.url);
    assert.deepEqual(await admin.health(), { status: 'ok' });
    await admin.commands().configSet('stream-node-max-entries', '100');
    await admin.close();
    const { clock: one } = await newClock(3);
    const { clock: two } = await newClock(3);
    const a = join(one);
    await until('12 ticks', () => updates(a).length >= 12);
    const resumeAfter = updateIds(a)[2]!;
    assert.equal(two.topic.covers(resumeAfter), false, 'the local buffer (3 events) does not cover it');
    const b = join(two, String(resumeAfter));
    await until('the resume', () => ofType(b, 'resumed').length === 1);
    await until('a live tick after it', () => updates(b).length > 0 && updateIds(b).at(-1)! > updateIds(a).at(-1)! - 1);
    const ids = updateIds(b);
    assert.equal(ids[0], resumeAfter + 1, 'starts right after the client’s id');
    assertContiguous(ids, 'replayed then live');
    assert.equal(b.events[0]!.type, 'message');
    assert.equal(b.events[0]!.lastEventId, String(resumeAfter), 'greeted under its own id');
    const resumed = decodeClockEvent('resumed', ofType(b, 'resumed')[0]!.data);
    assert.equal(resumed?.type, 'resumed');
    assert.ok(resumed.data.replayed >= 9, `replayed ${resumed.data.replayed}`);
    assert.equal(ofType(b, 'reset').length, 0);
    a.close();
    b.close();
  });

  it('says reset (expired) for an id the stream no longer holds, and (unknown) for one never handed out', async () => {
    const { clock: one } = await newClock(3);
    const { clock: two } = await newClock(3);
    const a = join(one);
    await until('ticks', () => updates(a).length >= 12);
    const stored = Number(await sets[1]!.commands().xLen(CLOCK_KEYS.stream));
    assert.ok(stored < 12, `the stream is capped near 3 entries, holds ${stored}`);
    const expired = join(two, String(updateIds(a)[0]));
    const unknown = join(two, String(updateIds(a).at(-1)! + 1000));
    await until('both resets', () => ofType(expired, 'reset').length === 1 && ofType(unknown, 'reset').length === 1);
    assert.equal(JSON.parse(ofType(expired, 'reset')[0]!.data).reason, 'expired');
    assert.equal(JSON.parse(ofType(unknown, 'reset')[0]!.data).reason, 'unknown');
    await until('live ticks after the resets', () => updates(expired).length >= 2 && updates(unknown).length >= 2);
    assertContiguous(updateIds(expired), 'live after reset');
    a.close();
    expired.close();
    unknown.close();
  });

  it('Redis killed: open streams end; restarted empty: ids keep increasing and an unknown id gets reset', async () => {
    const { clock: one } = await newClock();
    const { clock: two } = await newClock();
    const a = join(one);
    const b = join(two);
    await until('ticks', () => updates(a).length >= 3 && updates(b).length >= 3);
    await server.kill();
    await until('both streams to end', () => a.closed && b.closed);
    const before = Math.max(...updateIds(a), ...updateIds(b));
    await server.restart();
    await until('the tails to catch up', () => one.cluster!.synced && two.cluster!.synced);
    const c = join(two);
    const d = join(one, String(before + 50));
    await until('ticks again', () => updates(c).length >= 3 && updates(d).length >= 1);
    assert.ok(updateIds(c)[0]! > before, `ids continue past ${before}: ${updateIds(c)}`);
    assertContiguous(updateIds(c), 'after the restart');
    assert.equal(JSON.parse(ofType(d, 'reset')[0]!.data).reason, 'unknown');
    c.close();
    d.close();
  });
});
