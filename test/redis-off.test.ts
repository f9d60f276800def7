import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRedis, redisEnabled, redisHealth } from '../lib/server/redis';

// A file of its own: node --test runs each file in its own process, so what this one finds in the
// require cache is only what the in-process default loaded.

const loadedRedisModules = () =>
  Object.keys(require.cache).filter((file) => /node_modules[\\/](redis|@redis)[\\/]/.test(file));

describe('without REDIS_URL', () => {
  it('loads nothing of Redis and reports it off', async () => {
    delete process.env.REDIS_URL;
    assert.equal(redisEnabled(), false);
    assert.equal(getRedis(), undefined);
    assert.deepEqual(await redisHealth(), { status: 'off' });
    // The clock is today's in-process one: its own timer, nothing shared.
    const { getClock } = await import('../lib/server/clock');
    const clock = getClock();
    assert.equal(clock.clusterReady, undefined);
    assert.equal(clock.cluster, undefined);
    assert.deepEqual(loadedRedisModules(), []);
  });

  it('does load it once REDIS_URL is set (the check above can fail)', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    try {
      const redis = await getRedis()!;
      assert.ok(loadedRedisModules().length > 0);
      await redis.close();
    } finally {
      delete process.env.REDIS_URL;
    }
  });
});
