import { expect, test } from '@playwright/test';

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

  test('sends a notification with title, message and time after connecting', async ({ baseURL }) => {
    const { text } = await readStream(`${baseURL}/api/clock`, {}, /event: notification\ndata: .*\n\n/);
    const data = JSON.parse(/event: notification\ndata: (.*)\n\n/.exec(text)![1]!) as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['message', 'time', 'title']);
    expect(new Date(data.time!).toISOString()).toBe(data.time);
  });
});
