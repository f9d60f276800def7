import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedis, type RedisServer } from '../e2e/support/redis-server';
import { healthyConnections } from './support/redis';
import type { RedisConnections } from '../lib/server/redis/connections';
import { createSharedLimits, RedisUnavailableError, streamSlotsKey } from '../lib/server/redis/limits';

// Two connection sets to one real redis-server stand for two instances of a cluster.

describe('limits shared through Redis', () => {
  let server: RedisServer;
  let a: RedisConnections;
  let b: RedisConnections;

  before(async () => {
    server = await startRedis();
    a = await healthyConnections(server.url);
    b = await healthyConnections(server.url);
  });
  after(async () => {
    await a.close();
    await b.close();
    await server.stop();
  });

  it('the request burst holds across instances, per client', async () => {
    const one = createSharedLimits(a, { perMinute: 60, burst: 4 });
    const two = createSharedLimits(b, { perMinute: 60, burst: 4 });
    try {
      const waits = [];
      for (let index = 0; index < 6; index++) waits.push(await (index % 2 ? two : one).takeRequest('198.51.100.1'));
      assert.deepEqual(waits.slice(0, 4), [0, 0, 0, 0]);
      assert.ok(waits[4]! > 0 && waits[4]! <= 4000, `waits ${waits}`);
      assert.ok(waits[5]! > 0);
      assert.equal(await one.takeRequest('198.51.100.2'), 0, 'another client has its own allowance');
    } finally {
      one.stop();
      two.stop();
    }
  });

  it('the stream cap holds across instances, and a released slot is free again', async () => {
    const one = createSharedLimits(a, { perMinute: 600, burst: 100 });
    const two = createSharedLimits(b, { perMinute: 600, burst: 100 });
    try {
      const first = await one.acquireStream('198.51.100.3', 2);
      const second = await two.acquireStream('198.51.100.3', 2);
      assert.ok(first && second);
      assert.equal(await one.acquireStream('198.51.100.3', 2), undefined);
      assert.equal(await two.acquireStream('198.51.100.3', 2), undefined);
      second();
      second(); // idempotent
      const third = await one.acquireStream('198.51.100.3', 2);
      assert.ok(third);
      assert.equal(one.heldStreams, 2);
      first();
      third();
    } finally {
      one.stop();
      two.stop();
    }
  });

  it('slots of an instance that stops renewing lapse; renewed ones do not', async () => {
    // Renewed every second, lapsing after three without: only a stall of two seconds on this
    // shared machine could let a renewed slot lapse.
    const dying = createSharedLimits(a, { perMinute: 600, burst: 100, slotTtlMs: 3000 });
    const living = createSharedLimits(b, { perMinute: 600, burst: 100, slotTtlMs: 3000 });
    try {
      // The living instance holds two slots of the client's set: one renewal call renews both.
      assert.ok(await dying.acquireStream('198.51.100.4', 3));
      assert.ok(await living.acquireStream('198.51.100.4', 3));
      assert.ok(await living.acquireStream('198.51.100.4', 3));
      dying.stop(); // as if SIGKILLed: no release, no renewal
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.ok(await living.acquireStream('198.51.100.4', 3), 'the dead instance’s slot lapsed');
      assert.equal(await living.acquireStream('198.51.100.4', 3), undefined, 'the living one’s slots were renewed');
      assert.equal(await a.commands().zCard(streamSlotsKey('198.51.100.4')), 3);
      assert.equal(living.heldStreams, 3);
    } finally {
      living.stop();
    }
  });

  it('rejects with RedisUnavailableError while Redis is down, and works once it is back', async () => {
    const limits = createSharedLimits(a, { perMinute: 600, burst: 100 });
    try {
      await server.kill();
      await assert.rejects(limits.takeRequest('198.51.100.5'), RedisUnavailableError);
      await assert.rejects(limits.acquireStream('198.51.100.5', 1), RedisUnavailableError);
      await server.restart();
      const deadline = Date.now() + 10_000;
      while ((await a.health()).status !== 'ok' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await limits.takeRequest('198.51.100.5'), 0);
      assert.ok(await limits.acquireStream('198.51.100.5', 1));
    } finally {
      limits.stop();
    }
  });
});
