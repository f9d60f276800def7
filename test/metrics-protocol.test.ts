import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFrameTimes, FRAME_BUDGET_MS } from '../components/dashboard/frame-times';
import { decodeMetricsEvent, METRICS_EVENT_TYPES, metricsEvent, parseMetricsId, type MetricsSample } from '../lib/metrics/protocol';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';

process.env.SSE_METRICS_INTERVAL_MS = '50';

const sample: MetricsSample = {
  at: 1_764_500_000_000,
  instance: 'a',
  cluster: null,
  openByRoute: { clock: 2, metrics: 1 },
  eventsPerSecond: 4.5,
  bytesPerSecond: null,
  loopDelayP99Ms: 1.25,
  heapUsedBytes: 50_000_000,
  rssBytes: 90_000_000,
  chat: { running: 1, held: 0 },
  slowClientsCutOff: 0,
};

describe('the metrics protocol', () => {
  test('decodes each event it names into typed data', () => {
    const samples = {
      sample,
      resumed: { after: '7', replayed: 3 },
      reset: { reason: 'expired', lastEventId: '6', latestId: 10 },
    };
    for (const type of METRICS_EVENT_TYPES) {
      assert.deepEqual(decodeMetricsEvent(type, JSON.stringify(samples[type])), { type, data: samples[type] }, type);
    }
    const cluster = { ...sample, cluster: [{ instance: 'a', openStreams: 3 }, { instance: 'b', openStreams: 0 }] };
    assert.deepEqual(decodeMetricsEvent('sample', JSON.stringify(cluster)), { type: 'sample', data: cluster });
  });

  test('rejects unknown names, data that is not JSON, and JSON of the wrong shape', () => {
    for (const [type, data] of [
      ['message', JSON.stringify(sample)],
      ['sample', 'not json'],
      ['sample', '[]'],
      ['sample', JSON.stringify({ ...sample, instance: undefined })],
      ['sample', JSON.stringify({ ...sample, cluster: [{ instance: 'a' }] })],
      ['sample', JSON.stringify({ ...sample, cluster: undefined })],
      ['sample', JSON.stringify({ ...sample, openByRoute: { clock: -1 } })],
      ['sample', JSON.stringify({ ...sample, chat: { running: 1 } })],
      ['resumed', JSON.stringify({ after: 7, replayed: 1 })],
      ['reset', JSON.stringify({ reason: 'lost', lastEventId: '1', latestId: 2 })],
    ] as const) {
      assert.equal(decodeMetricsEvent(type, data), undefined, `${type} ${data}`);
    }
  });

  test('events carry their name, and an id only where given; ids are decimal integers', () => {
    assert.deepEqual(metricsEvent('resumed', { after: '1', replayed: 0 }, 4), { event: 'resumed', data: { after: '1', replayed: 0 }, id: 4 });
    assert.deepEqual(metricsEvent('sample', sample), { event: 'sample', data: sample });
    assert.equal(parseMetricsId('42'), 42);
    assert.equal(parseMetricsId('4x'), undefined);
    assert.equal(parseMetricsId(''), undefined);
  });

  test('what the server sends decodes: a sample without Redis says it is one process, a resume says how many it replayed', async () => {
    const { createMetricsResponse } = await import('../lib/server/metrics');
    const read = async (lastEventId: string | null, until: (events: SseEvent[]) => boolean) => {
      const abort = new AbortController();
      const response = createMetricsResponse(abort.signal, lastEventId);
      const events: SseEvent[] = [];
      const parser = createParser({ onEvent: (event) => events.push(event) });
      const reader = response.body!.getReader();
      while (!until(events)) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      abort.abort();
      await reader.cancel();
      return events;
    };
    const first = await read(null, (events) => events.filter((e) => e.type === 'sample').length >= 2);
    const samples = first.filter((e) => e.type === 'sample');
    const decoded = decodeMetricsEvent('sample', samples[0]!.data);
    assert.ok(decoded && decoded.type === 'sample', samples[0]!.data);
    assert.equal(decoded.data.cluster, null);
    assert.equal(typeof decoded.data.instance, 'string');
    const resumed = await read(samples[0]!.lastEventId, (events) => events.some((e) => e.type === 'resumed'));
    const event = resumed.find((e) => e.type === 'resumed')!;
    const resume = decodeMetricsEvent('resumed', event.data);
    assert.ok(resume && resume.type === 'resumed');
    assert.equal(resume.data.after, samples[0]!.lastEventId);
    assert.ok(resume.data.replayed >= 1);
  });
});

describe('the dashboard frame times', () => {
  test('the budget is 16 ms', () => {
    assert.equal(FRAME_BUDGET_MS, 16);
  });

  test('p99 is the nearest-rank percentile of the kept times', () => {
    const times = createFrameTimes();
    assert.equal(times.percentile(99), undefined);
    for (let ms = 1; ms <= 100; ms++) times.add(ms);
    assert.equal(times.percentile(99), 99);
    assert.equal(times.percentile(50), 50);
    assert.equal(times.percentile(100), 100);
  });

  test('keeps only the latest times, so an old slow frame drops out', () => {
    const times = createFrameTimes(10);
    times.add(500);
    for (let i = 0; i < 10; i++) times.add(2);
    assert.equal(times.count, 10);
    assert.equal(times.percentile(99), 2);
  });
});
