import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedis, type RedisServer } from '../e2e/support/redis-server';
import { freePort } from '../e2e/support/processes';
import { createConnections, reconnectDelay } from '../lib/server/redis/connections';
import { until } from './support/timers';

// These tests run a real redis-server (apt package redis-server) on a free port of their own.

describe('Redis connections', () => {
  let server: RedisServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedis();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop();
  });

  it('refuses a REDIS_URL that is not a redis URL with one clear line', () => {
    assert.throws(() => createConnections('http://127.0.0.1:6379'), /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('opens one connection per role, on first use, and reuses it', async () => {
    const redis = createConnections(server.url);
    try {
      assert.equal(redis.isReady('commands'), false);
      const commands = redis.commands();
      assert.equal(redis.commands(), commands);
      assert.notEqual(redis.blocking(), commands);
      assert.deepEqual(await redis.health(), { status: 'ok' });
      await commands.set('greeting', 'hello');
      assert.equal(await redis.blocking().get('greeting'), 'hello');
      const names = (await commands.sendCommand(['CLIENT', 'LIST'])) as string;
      const ours = names.split('\n').filter((line) => line.includes('name=sse-lab:'));
      assert.equal(ours.length, 2, names);
    } finally {
      await redis.close();
    }
  });

  it('with Redis down: degraded with the reason, commands fail at once, nothing unhandled', async () => {
    const port = await freePort();
    const redis = createConnections(`redis://127.0.0.1:${port}`);
    try {
      const health = await redis.health();
      assert.equal(health.status, 'degraded');
      assert.match(health.status === 'degraded' ? health.reason : '', /^Redis commands: .*ECONNREFUSED/);
      await assert.rejects(redis.commands().get('anything'), /offline|closed/i);
      assert.deepEqual(unhandled, []);
    } finally {
      await redis.close();
    }
  });

  it('recovers by itself when Redis is killed and comes back', async () => {
    const redis = createConnections(server.url);
    try {
      assert.deepEqual(await redis.health(), { status: 'ok' });
      await server.kill();
      await until('degraded', async () => (await redis.health()).status === 'degraded');
      await assert.rejects(redis.commands().ping());
      await server.restart();
      await until('ok again', async () => (await redis.health()).status === 'ok');
      assert.equal(await redis.commands().ping(), 'PONG');
      assert.deepEqual(unhandled, []);
    } finally {
      await redis.close();
    }
  });

  it('tells onLost listeners when a ready connection loses Redis, not while it never had it', async () => {
    const never = createConnections(`redis://127.0.0.1:${await freePort()}`);
    const redis = createConnections(server.url);
    const lost: string[] = [];
    never.onLost(() => lost.push('never'));
    const remove = redis.onLost(() => lost.push('commands'));
    try {
      never.commands();
      redis.commands();
      redis.blocking();
      assert.deepEqual(await redis.health(), { status: 'ok' });
      await server.kill();
      await until('the loss to be told', () => lost.length >= 2);
      // Each ready role tells once (commands and blocking here); the set that never connected, never.
      assert.deepEqual(lost, ['commands', 'commands']);
      remove();
      await server.restart();
      await until('ok again', async () => (await redis.health()).status === 'ok');
      await server.kill();
      await until('degraded', async () => (await redis.health()).status === 'degraded');
      assert.deepEqual(lost, ['commands', 'commands'], 'a removed listener is not called');
      await server.restart();
    } finally {
      await never.close();
      await redis.close();
    }
  });

  it('backs off from 100 ms, doubling, to at most about 3 s', () => {
    assert.ok(reconnectDelay(0) >= 100 && reconnectDelay(0) < 200);
    assert.ok(reconnectDelay(3) >= 800 && reconnectDelay(3) < 900);
    assert.ok(reconnectDelay(20) >= 3000 && reconnectDelay(20) < 3100);
  });
});
