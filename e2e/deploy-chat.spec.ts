import { expect, test, type Page } from '@playwright/test';
import type { SseEvent } from '../lib/sse/types';
import { startCluster, type Cluster, type Instance } from './support/cluster';
import { postChat, readEvents, readEventsUntil } from './helpers';

// Chat runs in Redis, on two standalone instances behind nginx (e2e/support/cluster.ts): a run is
// read, resumed and stopped from either instance, and an answer outlives the instance producing
// it. Each process here is started on free ports by the test and stopped by it.

test.describe.configure({ mode: 'serial' });

const PROMPT = 'Why do SSE streams need heartbeats behind nginx?';
const question = (seed: number, delayMs: number) => ({ messages: [{ role: 'user', content: PROMPT }], options: { seed, delayMs } });

/** The event ids, types and data of `events`, to compare streams exactly. */
const exactly = (events: SseEvent[]) => events.map((event) => [event.lastEventId, event.type, event.data]);

let cluster: Cluster;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  cluster = await startCluster();
});
test.afterAll(async () => {
  await cluster?.stop();
});

const instance = (index: 0 | 1): Instance => cluster.instances[index]!;

test('a run started on one instance is resumed on the other with exactly the events after Last-Event-ID', async () => {
  const started = await postChat(instance(0).url, question(7, 0));
  expect(started.status).toBe(200);
  expect(started.headers.get('x-instance')).toBe('app-1');
  const streamId = started.headers.get('x-stream-id')!;
  const whole = await readEvents(started);
  expect(whole.at(-1)?.type).toBe('done');
  const resumed = await fetch(`${instance(1).url}/api/chat/${streamId}`, { headers: { 'Last-Event-ID': `${streamId}:5` } });
  expect(resumed.status).toBe(200);
  expect(resumed.headers.get('x-instance')).toBe('app-2');
  const events = await readEvents(resumed);
  const replay = events.filter((event) => event.type !== 'resumed');
  expect(exactly(replay)).toEqual(exactly(whole.slice(5)));
  const note = events.find((event) => event.type === 'resumed');
  expect(JSON.parse(note!.data)).toEqual({ after: `${streamId}:5`, replayed: whole.length - 5 });
});

test('Stop sent to one instance ends a run the other produces: done with finishReason abort', async () => {
  const started = await postChat(instance(0).url, question(8, 50));
  expect(started.status).toBe(200);
  const streamId = started.headers.get('x-stream-id')!;
  const reading = readEvents(started);
  // Wait for the run to be under way where the other instance can see it.
  await expect
    .poll(async () => {
      const { events } = await readEventsUntil(`${instance(1).url}/api/chat/${streamId}`, {}, (received) => received.some((event) => event.type === 'token'));
      return events.some((event) => event.type === 'token');
    })
    .toBe(true);
  const stop = await fetch(`${instance(1).url}/api/chat/${streamId}`, { method: 'DELETE' });
  expect(stop.status).toBe(204);
  const events = await reading;
  const last = events.at(-1)!;
  expect(last.type).toBe('done');
  expect(JSON.parse(last.data)).toMatchObject({ finishReason: 'abort' });
});

async function ask(page: Page, seed: number, delayMs: number) {
  await page.getByTestId('delay').fill(String(delayMs));
  await page.getByTestId('seed').fill(String(seed));
  await page.getByTestId('prompt').fill(PROMPT);
  await page.getByTestId('send').click();
}

test('the instance producing an answer is SIGKILLed mid-answer: both columns finish with exactly the uninterrupted text', async ({ browser }) => {
  test.setTimeout(120_000);
  const SEED = 4242;
  // The uninterrupted answer, as the page shows it, from a run nobody disturbs.
  const control = await browser.newPage();
  await control.goto(`${cluster.url}/chat`);
  await ask(control, SEED, 0);
  for (const side of ['es', 'fetch']) await expect(control.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 20_000 });
  const answer = await control.getByTestId('es-answer').innerText();
  const metrics = await control.getByTestId('es-metrics').innerText();
  const tokens = /(\d+) tokens/.exec(metrics)?.[1];
  expect(tokens).toBeTruthy();
  await control.close();

  const page = await browser.newPage();
  // Which instance produces each column's run: the one that answered the request starting it.
  // (EventSource starts with GET, the fetch column with POST.)
  const producers: { side: string; instance: string }[] = [];
  page.on('response', (response) => {
    const instance = response.headers()['x-instance'];
    if (new URL(response.url()).pathname !== '/api/chat' || !instance || producers.length === 2) return;
    producers.push({ side: response.request().method() === 'GET' ? 'es' : 'fetch', instance });
  });
  await page.goto(`${cluster.url}/chat`);
  await ask(page, SEED, 25);
  for (const side of ['es', 'fetch']) await expect(page.getByTestId(`${side}-answer`)).not.toBeEmpty();
  await expect.poll(() => producers.length).toBe(2);
  expect(producers.map(({ side }) => side).sort()).toEqual(['es', 'fetch']);
  const victim = cluster.instances.find((candidate) => candidate.id === producers[0]!.instance)!;
  await victim.kill();
  for (const side of ['es', 'fetch']) {
    await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 30_000 });
    await expect(page.getByTestId(`${side}-metrics`)).toContainText(`${tokens} tokens`);
    await expect(page.getByTestId(`${side}-answer`)).toHaveText(answer, { useInnerText: true });
  }
  // The columns whose run the killed instance produced lost their connection and came back to the
  // instance left, which took the run over.
  for (const { side } of producers.filter(({ instance }) => instance === victim.id)) {
    expect(Number(await page.getByTestId(`${side}-reconnects`).textContent())).toBeGreaterThanOrEqual(1);
  }
  await page.close();
});
