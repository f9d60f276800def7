import { expect, test } from '@playwright/test';
import { EventSource } from 'eventsource';
import { CHAT_EVENT_TYPES } from '../lib/chat/protocol';
import type { SseEvent } from '../lib/sse/types';
import { readEvents, readUntilEnd } from './helpers';
import { startServer, type TestServer } from './support/server';

const answer = (events: SseEvent[]) =>
  events
    .filter((event) => event.type === 'token')
    .map((event) => (JSON.parse(event.data) as { text: string }).text)
    .join('');

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
}

/** Starts a chat and hangs up as soon as the response has started; returns the status and stream id. */
async function startAndHangUp(url: string, headers: Record<string, string> = {}): Promise<{ status: number; streamId: string | null; retryAfter: string | null }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/chat?prompt=explain%20sse&delayMs=1000`, { headers, signal: controller.signal });
  controller.abort();
  return { status: response.status, streamId: response.headers.get('x-stream-id'), retryAfter: response.headers.get('retry-after') };
}

test.describe('replay under backpressure', () => {
  test('the eventsource client, dropped every 60 events, resumes through long replays and gets the whole answer', async ({ baseURL }) => {
    const query = 'prompt=hi&seed=5&delayMs=0';
    const whole = await readEvents(await fetch(`${baseURL}/api/chat?${query}`));
    let connections = 0;
    const received: SseEvent[] = [];
    const source = new EventSource(`${baseURL}/api/chat?${query}&dropAfter=60`, {
      fetch: (input, init) => {
        connections++;
        return fetch(input, init);
      },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        for (const type of CHAT_EVENT_TYPES) {
          source.addEventListener(type, (event) => {
            received.push({ type, data: event.data, lastEventId: event.lastEventId });
            if (type === 'done') resolve();
          });
        }
        source.addEventListener('error', () => {
          if (source.readyState === EventSource.CLOSED) reject(new Error('the client gave up'));
        });
      });
    } finally {
      source.close();
    }
    // The whole answer runs at delay 0, so every reconnection replays far more than 60 events.
    expect(whole.length).toBeGreaterThan(240);
    expect(connections).toBeGreaterThanOrEqual(Math.ceil(whole.length / 60));
    expect(answer(received)).toBe(answer(whole));
    expect(received.filter((event) => event.type !== 'resumed').at(-1)!.type).toBe('done');
  });

  test('dropAfter with a long replay delivers exactly N events per connection, and the resumes add up to the answer', async ({ baseURL }) => {
    const query = 'prompt=explain%20sse&seed=3&delayMs=0';
    const first = await readUntilEnd(await fetch(`${baseURL}/api/chat?${query}&dropAfter=6`));
    expect(first.dropped).toBe(true);
    expect(first.events).toHaveLength(6);
    const all = [...first.events];
    let connections = 1;
    while (true) {
      const cursor = all.at(-1)!.lastEventId;
      const response = await fetch(`${baseURL}/api/chat?${query}&dropAfter=6`, { headers: { 'Last-Event-ID': cursor } });
      if (response.status === 204) break;
      expect(response.status).toBe(200);
      const next = await readUntilEnd(response);
      connections++;
      // Every connection but the last is cut after six events; the last ends with the answer
      // (and the `resumed` that closes its replay).
      if (next.dropped) expect(next.events).toHaveLength(6);
      const answered = next.events.filter((event) => event.type !== 'resumed');
      if (!next.dropped) expect(answered.at(-1)?.type).toBe('done');
      all.push(...answered);
      if (!next.dropped) break;
    }
    const whole = await readEvents(await fetch(`${baseURL}/api/chat?${query}`));
    expect(connections).toBeGreaterThan(20);
    expect(answer(all)).toBe(answer(whole));
    const ids = all.map((event) => Number(event.lastEventId.split(':')[1]));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
  });
});

test.describe('chat runs on a server of their own', () => {
  test.describe.configure({ mode: 'serial' });
  let server: TestServer;

  test.beforeAll(async () => {
    server = await startServer({
      SSE_FAULT_INJECTION: 'on',
      // A small queue bound: a /long answer is ten times it.
      SSE_MAX_QUEUED_BYTES: '16384',
      CHAT_MAX_RUNS_PER_IP: '2',
      SSE_TRUST_PROXY: '1',
      SSE_RATE_LIMIT: '100000',
      SSE_RATE_BURST: '10000',
    });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test('a resume whose replay is ten times the queue bound completes', async () => {
    const query = 'prompt=explain%20sse%20/long&seed=4&delayMs=0';
    const first = await readUntilEnd(await fetch(`${server.url}/api/chat?${query}&dropAfter=3`, { headers: { 'X-Forwarded-For': '198.51.100.1' } }));
    expect(first.dropped).toBe(true);
    const cursor = first.events.at(-1)!.lastEventId;
    const response = await fetch(`${server.url}/api/chat?${query}`, { headers: { 'Last-Event-ID': cursor, 'X-Forwarded-For': '198.51.100.1' } });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.clone().arrayBuffer()).byteLength;
    const rest = await readUntilEnd(response);
    expect(rest.dropped).toBe(false);
    expect(bytes).toBeGreaterThan(10 * 16384);
    expect(rest.events.some((event) => event.type === 'resumed')).toBe(true);
    expect(rest.events.at(-1)!.type).toBe('done');
    const whole = await readEvents(await fetch(`${server.url}/api/chat?${query}`, { headers: { 'X-Forwarded-For': '198.51.100.1' } }));
    expect(answer([...first.events, ...rest.events])).toBe(answer(whole));
  });

  test('a client may run CHAT_MAX_RUNS_PER_IP generations at once, even after hanging up; past it 429 with Retry-After', async () => {
    const me = { 'X-Forwarded-For': '198.51.100.20' };
    const a = await startAndHangUp(server.url, me);
    const b = await startAndHangUp(server.url, me);
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await fetch(`${server.url}/api/chat?prompt=hi`, { headers: me });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(refused, 429, 'rate_limited');
    // Someone else is not affected.
    expect((await startAndHangUp(server.url, { 'X-Forwarded-For': '198.51.100.21' })).status).toBe(200);
    // A run that stops frees its slot.
    expect((await fetch(`${server.url}/api/chat/${a.streamId}`, { method: 'DELETE', headers: me })).status).toBe(204);
    await expect.poll(async () => (await startAndHangUp(server.url, me)).status).toBe(200);
  });

  test('/api/stats counts the chat runs and the log bytes they hold', async () => {
    const response = await fetch(`${server.url}/api/stats`, { headers: { 'X-Forwarded-For': '198.51.100.30' } });
    const { chat } = (await response.json()) as { chat: { activeGenerations: number; heldRuns: number; heldBytes: number } };
    expect(chat.heldRuns).toBeGreaterThanOrEqual(chat.activeGenerations);
    expect(chat.activeGenerations).toBeGreaterThan(0);
    expect(chat.heldBytes).toBeGreaterThan(160 * 1024);
  });
});

test.describe('chat runs belong to their starter', () => {
  const TOKEN = 'runs-token';
  let server: TestServer;

  test.beforeAll(async () => {
    server = await startServer({ SSE_AUTH_TOKEN: TOKEN, SSE_RATE_LIMIT: '100000', SSE_RATE_BURST: '10000' });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  async function signIn(): Promise<Record<string, string>> {
    const response = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
    expect(response.status).toBe(200);
    return { Cookie: response.headers.get('set-cookie')!.split(';')[0]! };
  }

  test('reading, resuming or stopping another credential’s run answers exactly as for an unknown id', async () => {
    const alice = await signIn();
    const bob = await signIn();
    const started = await startAndHangUp(server.url, alice);
    expect(started.status).toBe(200);
    const id = started.streamId!;
    const unknown = `${id.slice(0, -4)}AAAA`;
    for (const other of [bob, { Authorization: `Bearer ${TOKEN}` }]) {
      for (const streamId of [id, unknown]) {
        expect((await fetch(`${server.url}/api/chat/${streamId}`, { headers: other })).status).toBe(204);
        expect((await fetch(`${server.url}/api/chat?prompt=hi`, { headers: { ...other, 'Last-Event-ID': `${streamId}:1` } })).status).toBe(204);
        await expectError(await fetch(`${server.url}/api/chat/${streamId}`, { method: 'DELETE', headers: other }), 404, 'not_found');
      }
    }
    const mine = await fetch(`${server.url}/api/chat/${id}`, { headers: alice });
    expect(mine.status).toBe(200);
    await mine.body!.cancel();
    expect((await fetch(`${server.url}/api/chat/${id}`, { method: 'DELETE', headers: alice })).status).toBe(204);
  });
});

test('a resume of a run lost in a restart answers 410 stream_lost; one that finished answers 204', async () => {
  const before = await startServer({});
  let lost: string;
  try {
    lost = (await startAndHangUp(before.url)).streamId!;
  } finally {
    await before.stop();
  }
  const after = await startServer({});
  try {
    await expectError(await fetch(`${after.url}/api/chat/${lost}`), 410, 'stream_lost');
    await expectError(await fetch(`${after.url}/api/chat?prompt=hi`, { headers: { 'Last-Event-ID': `${lost}:3` } }), 410, 'stream_lost');
    const response = await fetch(`${after.url}/api/chat?prompt=hi&delayMs=0`);
    const events = await readEvents(response);
    const finished = await fetch(`${after.url}/api/chat?prompt=hi`, { headers: { 'Last-Event-ID': events.at(-1)!.lastEventId } });
    expect(finished.status).toBe(204);
  } finally {
    await after.stop();
  }
});
