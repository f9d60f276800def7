import { expect, test } from '@playwright/test';
import type { SseEvent } from '../lib/sse/types';
import { startCluster, startInstance, type Cluster, type Instance } from './support/cluster';
import { readEventsUntil } from './helpers';

// What a Node host runs: the standalone server (`node .next/standalone/server.js`), alone and as a
// cluster of two behind nginx (deploy/nginx.conf) sharing a real redis-server. Each process here
// is started on free ports by the test and stopped by it.

test.describe.configure({ mode: 'serial' });

/** Distinct event ids in `events`: one per clock tick. */
const ticks = (events: SseEvent[]) => new Set(events.map((event) => event.lastEventId).filter(Boolean)).size;

test.describe('the standalone server', () => {
  let instance: Instance;

  test.beforeAll(async () => {
    instance = await startInstance('standalone', { SSE_MAX_STREAMS_PER_IP: '1', CLOCK_INTERVAL_MS: '200' });
  });
  test.afterAll(async () => {
    await instance?.stop();
  });

  test('serves public/ files and the build’s static chunks', async () => {
    const robots = await fetch(`${instance.url}/robots.txt`);
    expect(robots.status).toBe(200);
    const html = await (await fetch(`${instance.url}/`)).text();
    const chunk = html.match(/\/_next\/static\/[^"']+\.js/)?.[0];
    expect(chunk, 'the page links a static chunk').toBeTruthy();
    const script = await fetch(`${instance.url}${chunk}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  test('runs the instrumentation hook: the peer address is stamped, a forged one is ignored', async () => {
    // One stream allowed per client. Were the hook not installed, the forged private header would
    // make the second request another client and let it in.
    const controller = new AbortController();
    const first = await fetch(`${instance.url}/api/clock`, { signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await fetch(`${instance.url}/api/clock`, { headers: { 'x-sse-peer-address': '203.0.113.7' } });
    expect(second.status).toBe(429);
    controller.abort();
  });

  test('reports its INSTANCE_ID and that Redis is off', async () => {
    const health = await (await fetch(`${instance.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', instance: 'standalone', redis: 'off' });
  });

  test('writes its event streams to Node’s response directly, unless SSE_DIRECT_WRITES=off', async () => {
    // The stats of `url` while one clock stream is open there and has had two ticks: by then the
    // server has read its body, so the stream has taken its way (direct or through the body).
    const directStreams = async (url: string) => {
      const controller = new AbortController();
      try {
        const reader = (await fetch(`${url}/api/clock`, { signal: controller.signal })).body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        while ((text.match(/event: update\n/g) ?? []).length < 2) {
          const { done, value } = await reader.read();
          if (done) throw new Error('the clock stream ended');
          text += decoder.decode(value, { stream: true });
        }
        return (await (await fetch(`${url}/api/stats`)).json()) as { openStreams: number; directStreams: number };
      } finally {
        controller.abort();
      }
    };
    // The standalone server alone holds this one stream (the earlier test's has closed by now).
    await expect.poll(async () => (await directStreams(instance.url)).directStreams).toBe(1);
    const piped = await startInstance('piped', { SSE_DIRECT_WRITES: 'off' });
    try {
      expect(await directStreams(piped.url)).toEqual(expect.objectContaining({ openStreams: 1, directStreams: 0 }));
    } finally {
      await piped.stop();
    }
  });

  test('a REDIS_URL that is not a redis URL stops the process at startup with one line', async () => {
    await expect(startInstance('bad-url', { REDIS_URL: 'http://127.0.0.1:6379' })).rejects.toThrow(
      /Configuration error: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
  });

  test('SIGTERM ends open streams at once and the process exits 0 once drained', async () => {
    const response = await fetch(`${instance.url}/api/clock`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    instance.program.child.kill('SIGTERM');
    // The stream ends (rather than hanging) and the process exits cleanly once its connections
    // are gone (code 1 would mean lib/http/lifecycle.ts gave up waiting).
    while (!(await reader.read()).done);
    expect(await instance.program.exited).toBe(0);
  });
});

test.describe('two instances behind nginx with Redis', () => {
  let cluster: Cluster;

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    // 40 requests per client in any 20 s: room for the other tests, few enough to reach.
    cluster = await startCluster({ env: { CLOCK_INTERVAL_MS: '200', SSE_RATE_BURST: '40', SSE_RATE_LIMIT: '120', SSE_MAX_STREAMS_PER_IP: '3' } });
  });
  test.afterAll(async () => {
    await cluster?.stop();
  });

  test('nginx spreads requests over both instances, with no stickiness', async () => {
    const seen = new Set<string>();
    for (let index = 0; index < 4; index++) {
      const health = await (await fetch(`${cluster.url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', redis: 'ok' });
      seen.add(health.instance);
    }
    expect([...seen].sort()).toEqual(['app-1', 'app-2']);
  });

  test('an event stream through nginx arrives event by event, not buffered', async () => {
    // Three clock ticks at 200 ms: were nginx buffering, none would arrive before its buffer filled.
    const { response, events } = await readEventsUntil(`${cluster.url}/api/clock`, {}, (received) =>
      ticks(received) >= 3,
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(ticks(events)).toBeGreaterThanOrEqual(3);
  });

  test('/api/stats names the instance that answered and its Redis state', async () => {
    const stats = await (await fetch(`${cluster.url}/api/stats`)).json();
    expect(stats.instance).toMatch(/^app-[12]$/);
    expect(stats.redis).toEqual({ status: 'ok' });
  });

  test('/api/stats lists every instance of the cluster with its open streams', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${cluster.instances[0]!.url}/api/clock`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    await expect
      .poll(async () => (await (await fetch(`${cluster.url}/api/stats`)).json()).cluster, { timeout: 15_000 })
      .toEqual([
        { instance: 'app-1', openStreams: 1 },
        { instance: 'app-2', openStreams: 0 },
      ]);
    controller.abort();
  });

  test("the dashboard lists the cluster's instances with their open streams", async ({ page }) => {
    // Straight to app-1: its metrics samples carry what every instance last wrote to Redis.
    await page.goto(`${cluster.instances[0]!.url}/dashboard`);
    const rows = page.getByTestId('instance-row');
    await expect(rows).toHaveCount(2, { timeout: 15_000 });
    await expect(rows.nth(0)).toHaveAttribute('data-instance', 'app-1');
    await expect(rows.nth(1)).toHaveAttribute('data-instance', 'app-2');
    await expect(page.getByTestId('single-process')).toHaveCount(0);
    // app-1 holds the page's own metrics stream; its count arrives with its next write (every 5 s).
    await expect
      .poll(async () => Number(await rows.nth(0).getByTestId('instance-open').textContent()), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
  });

  test('the rate limit holds at its configured total across both instances', async () => {
    // Straight to the instances, alternating, as one client (they trust one proxy hop, so the
    // X-Forwarded-For entry names the client). Counted per instance, 80 would pass.
    const client = { 'X-Forwarded-For': '198.51.100.77' };
    const statuses: number[] = [];
    for (let index = 0; index < 44; index++) {
      const instance = cluster.instances[index % 2]!;
      statuses.push((await fetch(`${instance.url}/api/stats`, { headers: client })).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429]);
  });

  test('the per-client stream cap holds at its configured total across both instances', async () => {
    const client = { 'X-Forwarded-For': '198.51.100.88' };
    const open = async (instance: Instance) => {
      const controller = new AbortController();
      const response = await fetch(`${instance.url}/api/clock`, { headers: client, signal: controller.signal });
      return { status: response.status, close: () => controller.abort() };
    };
    const [one, two] = cluster.instances as [Instance, Instance];
    const held = [await open(one), await open(one), await open(two)];
    expect(held.map((stream) => stream.status)).toEqual([200, 200, 200]);
    // Counted per instance, app-2 would take two more.
    const refused = await open(two);
    expect(refused.status).toBe(429);
    // A stream closed on one instance frees its slot for the other.
    held[0]!.close();
    await expect.poll(async () => {
      const stream = await open(two);
      if (stream.status === 200) held.push(stream);
      return stream.status;
    }).toBe(200);
    for (const stream of held) stream.close();
  });

  test('the cap counts the /v1 model streams too, which take their slot once the body asks for a stream', async () => {
    const client = { 'X-Forwarded-For': '198.51.100.111', 'Content-Type': 'application/json', 'X-Delay-Ms': '500' };
    const body = JSON.stringify({ model: 'sse-lab-sim', stream: true, messages: [{ role: 'user', content: 'What are server-sent events?' }] });
    const controllers: AbortController[] = [];
    const open = async (instance: Instance) => {
      const controller = new AbortController();
      controllers.push(controller);
      return fetch(`${instance.url}/v1/chat/completions`, { method: 'POST', headers: client, body, signal: controller.signal });
    };
    const [one, two] = cluster.instances as [Instance, Instance];
    try {
      expect([(await open(one)).status, (await open(two)).status, (await open(one)).status]).toEqual([200, 200, 200]);
      const refused = await open(two);
      expect(refused.status).toBe(429);
      expect((await refused.json()).error).toMatchObject({ type: 'rate_limit_error' });
      // A whole answer (stream: false) holds no stream slot, so it is still served.
      const whole = await fetch(`${two.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...client, 'X-Delay-Ms': '0' },
        body: body.replace('"stream":true', '"stream":false'),
      });
      expect(whole.status).toBe(200);
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  test('a stream that ends by itself gives its slot back: more echo streams than the cap, one after another, all answer', async () => {
    // The playground's echo streams a few bytes and ends on its own (no client abort): were its
    // slot kept, the fourth of these would be refused, here and on every instance.
    const client = { 'X-Forwarded-For': '198.51.100.99' };
    const stream = Buffer.from('data: hi\n\n').toString('base64url');
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      const response = await fetch(`${cluster.instances[index % 2]!.url}/api/playground/echo?b=${stream}`, { headers: client });
      expect(await response.text()).toBe('data: hi\n\n');
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  test('Redis killed: health says degraded with the reason on every instance; back once Redis is', async () => {
    test.setTimeout(60_000);
    await cluster.redis.kill();
    for (const instance of cluster.instances) {
      await expect
        .poll(async () => (await (await fetch(`${instance.url}/api/health`)).json()) as Record<string, unknown>)
        .toMatchObject({ status: 'degraded', redis: 'degraded', reason: expect.stringMatching(/ECONNREFUSED|closed/) });
    }
    // New streams get a clear 503 with Retry-After, on either instance, rather than a hang.
    for (const instance of cluster.instances) {
      const refused = await fetch(`${instance.url}/api/clock`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect((await refused.json()).error.code).toBe('unavailable');
    }
    await cluster.redis.restart();
    for (const instance of cluster.instances) {
      await expect
        .poll(async () => (await (await fetch(`${instance.url}/api/health`)).json()) as Record<string, unknown>, {
          timeout: 15_000,
        })
        .toMatchObject({ status: 'ok', redis: 'ok' });
      expect(instance.program.child.exitCode).toBeNull();
    }
    const { events } = await readEventsUntil(`${cluster.url}/api/clock`, {}, (received) => ticks(received) >= 2);
    expect(ticks(events)).toBeGreaterThanOrEqual(2);
  });
});
