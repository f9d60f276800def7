import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisServer } from '../e2e/support/redis-server';
import { decodeMetricsEvent, type MetricsSample } from '../lib/metrics/protocol';
import { createParser } from '../lib/sse/parser';

// A real redis-server; this process is instance "metrics-a", and a second instance's presence is
// written under the key every instance writes (lib/server/redis/presence.ts).

describe('the metrics stream with Redis', () => {
  let server: RedisServer;

  before(async () => {
    server = await startRedis();
    process.env.REDIS_URL = server.url;
    process.env.INSTANCE_ID = 'metrics-a';
    process.env.SSE_METRICS_INTERVAL_MS = '50';
  });
  after(async () => {
    const { getRedis } = await import('../lib/server/redis');
    await (await getRedis())?.close();
    await server.stop();
  });

  test("each sample lists the cluster's live instances with their open streams", async () => {
    const { getRedis } = await import('../lib/server/redis');
    const redis = (await getRedis())!;
    assert.deepEqual(await redis.health(), { status: 'ok' });
    await redis.commands().set('sse:instance:metrics-b', JSON.stringify({ openStreams: 2 }), { PX: 15_000 });
    const { createMetricsResponse } = await import('../lib/server/metrics');
    const abort = new AbortController();
    const reader = createMetricsResponse(abort.signal, null).body!.getReader();
    let found: MetricsSample | undefined;
    const parser = createParser({
      onEvent: (event) => {
        const decoded = decodeMetricsEvent(event.type, event.data);
        if (decoded?.type === 'sample' && decoded.data.cluster?.length === 2) found = decoded.data;
      },
    });
    const deadline = Date.now() + 5000;
    while (!found && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    abort.abort();
    await reader.cancel();
    assert.ok(found, 'no sample listed both instances');
    assert.equal(found.instance, 'metrics-a');
    // This instance's own count is as it last wrote it (every 5 s), so only its name is certain here.
    assert.deepEqual(
      found.cluster!.map((entry) => entry.instance),
      ['metrics-a', 'metrics-b'],
    );
    assert.equal(found.cluster![1]!.openStreams, 2);
  });
});
