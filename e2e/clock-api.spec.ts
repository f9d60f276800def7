import { expect, test } from '@playwright/test';
import { decodeClockEvent } from '../lib/clock/protocol';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';
import { readEventsUntil } from './helpers';

// Reads a stream until `until` matches the text so far, then aborts.
async function readStream(url: string, init: RequestInit, until: RegExp): Promise<{ response: Response; text: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!until.test(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    controller.abort();
  }
  return { response, text };
}

test.describe('GET /api/clock', () => {
  test('answers an event stream with the exact SSE headers and framing', async ({ baseURL }) => {
    const { response, text } = await readStream(`${baseURL}/api/clock`, {}, /(event: update\n[\s\S]*){3}/);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');

    // The greeting carries the newest id, so the client's cursor is right from the first event.
    expect(text).toMatch(/^retry: 1000\nid: \d+\ndata: Connected to the clock: \d+ listening, ticking every 200 ms\.\n\n/);
    const updates = [...text.matchAll(/id: (\d+)\nevent: (update|notification)\ndata: (.*)\n\n/g)];
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const ids = updates.map((match) => Number(match[1]));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    const update = JSON.parse(updates.find((match) => match[2] === 'update')![3]!) as { timestamp: string; random: number };
    expect(new Date(update.timestamp).toISOString()).toBe(update.timestamp);
    expect(Number.isInteger(update.random) && update.random >= 0 && update.random <= 99).toBe(true);
  });

  test('sends each client its own notification, with no id, after the update of its tick', async ({ baseURL }) => {
    const { text } = await readStream(`${baseURL}/api/clock`, {}, /event: notification\ndata: .*\n\n/);
    const match = /(?:^|\n\n)((?:[^\n]+\n)*?)event: notification\ndata: (.*)\n\n/.exec(text);
    expect(match).not.toBeNull();
    // Nothing but the event and its data: no id: line, so the client's cursor stays on the updates.
    expect(match![1]).toBe('');
    const notification = decodeClockEvent('notification', match![2]!);
    expect(notification?.type).toBe('notification');
  });

  test('a notification goes only to the client who joined, not to everyone listening', async ({ baseURL }) => {
    const controller = new AbortController();
    const events: SseEvent[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    const first = await fetch(`${baseURL}/api/clock`, { signal: controller.signal });
    const reader = first.body!.getReader();
    const readUntil = async (stop: () => boolean) => {
      while (!stop()) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the stream ended');
        parser.feed(value);
      }
    };
    try {
      await readUntil(() => events.some((event) => event.type === 'notification'));
      // A second listener joins and stays until it has had its own notification.
      const second = await readEventsUntil(`${baseURL}/api/clock`, {}, (seen) => seen.some((event) => event.type === 'notification'));
      const secondTold = Number(second.events.findLast((event) => event.type === 'update')?.lastEventId);
      // The first keeps reading past the tick that told the second: still its one notification.
      await readUntil(() => events.some((event) => event.type === 'update' && Number(event.lastEventId) > secondTold + 1));
      expect(events.filter((event) => event.type === 'notification')).toHaveLength(1);
    } finally {
      controller.abort();
    }
  });
});

test.describe('GET /api/stats', () => {
  test('counts a clock stream as writing to Node’s response directly, past the web-stream pipe', async ({ baseURL }) => {
    const controller = new AbortController();
    // A client's own X-SSE-Response-Id is replaced by the server's stamp (test/lifecycle.test.ts
    // shows it then names no other response): the stream is still direct.
    const response = await fetch(`${baseURL}/api/clock`, { headers: { 'X-SSE-Response-Id': '1' }, signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      while ((text.match(/event: update\n/g) ?? []).length < 2) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the stream ended');
        text += decoder.decode(value, { stream: true });
      }
      const stats = (await (await fetch(`${baseURL}/api/stats`)).json()) as { openStreams: number; directStreams: number };
      expect(stats.directStreams).toBeGreaterThanOrEqual(1);
      expect(stats.directStreams).toBeLessThanOrEqual(stats.openStreams);
    } finally {
      controller.abort();
    }
  });

  test('reports the event-loop delay, p50 <= p99 <= max, over a window', async ({ baseURL }) => {
    await fetch(`${baseURL}/api/stats`);
    const response = await fetch(`${baseURL}/api/stats?log=1`);
    expect(response.status).toBe(200);
    const { eventLoopDelay: delay } = (await response.json()) as { eventLoopDelay: Record<string, number> };
    expect(Object.keys(delay).sort()).toEqual(['maxMs', 'meanMs', 'p50Ms', 'p99Ms', 'windowMs']);
    for (const value of Object.values(delay)) expect(value).toBeGreaterThanOrEqual(0);
    expect(delay.p50Ms!).toBeLessThanOrEqual(delay.p99Ms!);
    expect(delay.p99Ms!).toBeLessThanOrEqual(delay.maxMs!);
  });
});
