import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { eventLoopDelay, formatEventLoopLine } from '../lib/server/event-loop';

describe('eventLoopDelay', () => {
  test('shows a stall of the event loop in its max and p99', async () => {
    eventLoopDelay();
    await delay(100);
    const start = Date.now();
    while (Date.now() - start < 300) {
      // Hold the event loop, as 10,000 clients connecting at once would.
    }
    await delay(30);
    const stalled = eventLoopDelay();
    // The 10 ms timer could not run for 300 ms: it ran at least 280 ms late.
    assert.ok(stalled.maxMs >= 280, `max ${stalled.maxMs} ms`);
    assert.ok(stalled.p99Ms <= stalled.maxMs && stalled.p50Ms <= stalled.p99Ms);
    assert.ok(stalled.windowMs >= 400);
  });

  test('formats one line for the server log', () => {
    assert.equal(
      formatEventLoopLine({ p50Ms: 0.4, p99Ms: 12.5, maxMs: 210, meanMs: 1.1, windowMs: 10_000 }, 9876),
      'event loop delay over 10.0 s: p50 0.4 ms, p99 12.5 ms, max 210 ms; 9876 open streams',
    );
  });
});
