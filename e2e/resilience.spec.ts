import { expect, test, type Page } from '@playwright/test';
import { postChat, readEvents } from './helpers';

const PROMPT = 'Why do SSE streams need heartbeats behind nginx?';
const SEED = 4242;

async function expectedTokens(baseURL: string): Promise<number> {
  const events = await readEvents(await postChat(baseURL, { messages: [{ role: 'user', content: PROMPT }], options: { delayMs: 0, seed: SEED } }));
  return events.filter((event) => event.type === 'token').length;
}

async function ask(page: Page) {
  await page.getByTestId('delay').fill('25');
  await page.getByTestId('seed').fill(String(SEED));
  await page.getByTestId('prompt').fill(PROMPT);
  await page.getByTestId('send').click();
}

async function number(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).textContent());
}

test('dropping the chat mid-answer loses nothing: both columns resume to the uninterrupted answer', async ({ page, baseURL }) => {
  const tokens = await expectedTokens(baseURL!);
  await page.goto('/chat');
  await ask(page);
  for (const side of ['es', 'fetch']) {
    await expect(page.getByTestId(`${side}-answer`)).not.toBeEmpty();
    await expect(page.getByTestId(`${side}-connection`)).toHaveText('open');
    await page.getByTestId(`${side}-drop`).click();
  }
  for (const side of ['es', 'fetch']) {
    await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 20_000 });
    await expect(page.getByTestId(`${side}-metrics`)).toContainText(`${tokens} tokens`);
    expect(await number(page, `${side}-reconnects`)).toBeGreaterThanOrEqual(1);
  }
  // The back-off it waited is on show, with why.
  await expect(page.getByTestId('fetch-backoff')).toHaveText(/^\d+ ms \(network-error\)$/);
  await expect(page.getByTestId('fetch-answer')).toHaveText(await page.getByTestId('es-answer').innerText(), { useInnerText: true });
});

test('reloading /chat mid-answer picks the answer up where the server has it', async ({ page, baseURL }) => {
  const tokens = await expectedTokens(baseURL!);
  await page.goto('/chat');
  await ask(page);
  for (const side of ['es', 'fetch']) await expect(page.getByTestId(`${side}-answer`)).not.toBeEmpty();
  const resumes: { method: string; url: string; lastEventId: string | undefined }[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/chat')) {
      resumes.push({ method: request.method(), url: request.url(), lastEventId: request.headers()['last-event-id'] });
    }
  });
  await page.reload();
  for (const side of ['es', 'fetch']) {
    await expect(page.getByTestId(`${side}-turn`)).toHaveCount(1);
    await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 20_000 });
    await expect(page.getByTestId(`${side}-metrics`)).toContainText(`${tokens} tokens`);
  }
  await expect(page.getByTestId('fetch-answer')).toHaveText(await page.getByTestId('es-answer').innerText(), { useInnerText: true });
  // The fetch column resumes with the id in a header, out of the URL; EventSource cannot set
  // headers, so its resume names the stream in the path.
  const fetchResumes = resumes.filter((request) => request.url.includes('client=fetch-chat'));
  expect(fetchResumes.map(({ method, url, lastEventId }) => ({ method, path: new URL(url).pathname, lastEventId }))).toEqual([
    { method: 'POST', path: '/api/chat', lastEventId: expect.stringMatching(/^[\w-]+:0$/) },
  ]);
  const streamId = fetchResumes[0]!.lastEventId!.split(':')[0]!;
  expect(fetchResumes[0]!.url).not.toContain(streamId);
  expect(resumes.filter((request) => request.url.includes('client=es-chat')).map(({ url }) => new URL(url).pathname)).toEqual([
    expect.stringMatching(/^\/api\/chat\/[\w-]+$/),
  ]);
});

test('a reload whose answer the server no longer has shows "finished"; one lost in a restart shows "lost"', async ({ page }) => {
  // What a column keeps while an answer streams, naming a stream this server never had (as after
  // its retention): the server answers 204. It is stored from another page of the same origin,
  // before /chat loads: stored while /chat hydrates, the columns could read it on their first load,
  // reattach, end and forget it before the reload the test means.
  const openWithStored = async (streamId: string) => {
    await page.goto('/api/health');
    await page.evaluate((id) => {
      for (const column of ['es', 'fetch']) sessionStorage.setItem(`sse-lab:chat:${column}`, JSON.stringify({ prompt: 'Hi', seed: 1, streamId: id }));
    }, streamId);
    await page.goto('/chat');
  };
  await openWithStored('neverSeenStream');
  await expect(page.getByTestId('fetch-connection')).toHaveText('finished');
  await expect(page.getByTestId('fetch-error')).toContainText('Finished');
  // EventSource sees only an error and a closed connection, whatever the status.
  await expect(page.getByTestId('es-connection')).toHaveText('error');
  await expect(page.getByTestId('es-error')).toContainText('cannot tell which');
  // Once ended, the answer is forgotten: another reload reattaches to nothing.
  const reattaches: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/chat')) reattaches.push(request.url());
  });
  await page.reload({ waitUntil: 'networkidle' });
  await expect(page.getByTestId('fetch-turn')).toHaveCount(0);
  expect(reattaches).toEqual([]);

  // A run lost in a server restart answers 410 stream_lost. Restarting the shared test server is
  // not an option here, so this answer stands in for the server's.
  await page.route((url) => url.pathname === '/api/chat', (route) =>
    route.request().headers()['last-event-id']
      ? route.fulfill({ status: 410, contentType: 'application/json', body: JSON.stringify({ error: { code: 'stream_lost', message: 'Lost in a restart.' } }) })
      : route.continue(),
  );
  await openWithStored('lostStream');
  await expect(page.getByTestId('fetch-connection')).toHaveText('lost');
  await expect(page.getByTestId('fetch-error')).toContainText('Lost');
});

test('dropping the clock: both panels reconnect and the ids continue without a gap or duplicate', async ({ page }) => {
  await page.goto('/clock');
  for (const side of ['es', 'fetch']) {
    await expect.poll(() => number(page, `${side}-count-update`)).toBeGreaterThanOrEqual(3);
    await page.getByTestId(`${side}-drop`).click();
  }
  for (const side of ['es', 'fetch']) {
    await expect.poll(() => number(page, `${side}-reconnects`)).toBeGreaterThanOrEqual(1);
    const after = await number(page, `${side}-count-update`);
    await expect.poll(() => number(page, `${side}-count-update`)).toBeGreaterThanOrEqual(after + 3);
    await expect(page.getByTestId(`${side}-gaps`)).toHaveText('0');
    await expect(page.getByTestId(`${side}-duplicates`)).toHaveText('0');
    await expect(page.getByTestId(`${side}-log`)).toContainText('resumed after');
  }
});
