import { expect, test, type Page } from '@playwright/test';
import { postChat, readEvents } from './helpers';
import { startServer } from './support/server';

async function ask(page: Page, prompt: string, { seed = '7', delay = '0' } = {}) {
  await page.getByTestId('delay').fill(delay);
  await page.getByTestId('seed').fill(seed);
  await page.getByTestId('prompt').fill(prompt);
  await page.getByTestId('send').click();
}

async function activeGenerations(page: Page): Promise<number> {
  const response = await page.request.get('/api/stats');
  return ((await response.json()) as { chat: { activeGenerations: number } }).chat.activeGenerations;
}

test.describe('/chat', () => {
  test.beforeEach(async ({ page }) => {
    // An alert would mean markup from a prompt or answer ran as HTML.
    page.on('dialog', (dialog) => {
      throw new Error(`Unexpected dialog: ${dialog.message()}`);
    });
    await page.goto('/chat');
  });

  test('the same prompt and seed give the same answer in both columns', async ({ page }) => {
    // A few ms a token, so that time to first token and tokens a second have a span to measure.
    await ask(page, 'What are server-sent events?', { delay: '3' });
    for (const side of ['es', 'fetch']) await expect(page.getByTestId(`${side}-status`)).toHaveText('ready');
    const esAnswer = await page.getByTestId('es-answer').innerText();
    expect(esAnswer.length).toBeGreaterThan(200);
    await expect(page.getByTestId('fetch-answer')).toHaveText(esAnswer, { useInnerText: true });
    await expect(page.getByTestId('es-answer').locator('pre code')).not.toHaveCount(0);
    await expect(page.getByTestId('es-answer').locator('li')).not.toHaveCount(0);
    await expect(page.getByTestId('fetch-metrics')).toContainText('tokens/s');
    await expect(page.getByTestId('fetch-metrics')).toContainText('first token');
    // A finished answer is no dropped connection: neither transport reconnected.
    await expect(page.getByTestId('es-reconnects')).toHaveText('0');
    await expect(page.getByTestId('fetch-reconnects')).toHaveText('0');
  });

  test('a follow-up question is answered with the conversation so far, and Clear resets it', async ({ page }) => {
    await ask(page, 'What are server-sent events?');
    await expect(page.getByTestId('fetch-status')).toHaveText('ready');
    await expect(page.getByTestId('es-status')).toHaveText('ready');
    await ask(page, 'Tell me more', { seed: '8' });
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-status`)).toHaveText('ready');
      await expect(page.getByTestId(`${side}-turn`)).toHaveCount(2);
    }
    await expect(page.getByTestId('fetch-answer')).toHaveText(await page.getByTestId('es-answer').innerText(), { useInnerText: true });
    await page.getByTestId('clear').click();
    await expect(page.getByTestId('es-turn')).toHaveCount(0);
    await expect(page.getByTestId('fetch-turn')).toHaveCount(0);
  });

  test('Stop halts both streams, keeps the partial answer, and ends the generation on the server', async ({ page }) => {
    await ask(page, '/long', { delay: '40' });
    for (const side of ['es', 'fetch']) await expect(page.getByTestId(`${side}-answer`)).not.toBeEmpty();
    await page.getByTestId('es-stop').click();
    await page.getByTestId('fetch-stop').click();
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-status`)).toHaveText('ready');
      await expect(page.getByTestId(`${side}-panel`)).toContainText('stopped');
    }
    await expect.poll(() => activeGenerations(page)).toBe(0);
    const partial = await page.getByTestId('fetch-answer').innerText();
    expect(partial.length).toBeGreaterThan(0);
    // Both connections are closed, and the server holds no chat stream any more.
    await expect(page.getByTestId('es-connection')).toHaveText('closed');
    await expect(page.getByTestId('fetch-connection')).toHaveText('closed');
    await expect
      .poll(async () => ((await (await page.request.get('/api/stats')).json()) as { openStreamsByRoute: { chat?: number } }).openStreamsByRoute.chat ?? 0)
      .toBe(0);
    expect(await page.getByTestId('fetch-answer').innerText()).toBe(partial);
  });

  test('markup in a prompt and answer renders as text, never as HTML', async ({ page }) => {
    const markup = '<img src=x onerror=alert(1)>';
    await ask(page, `What does ${markup} do?`);
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-status`)).toHaveText('ready');
      await expect(page.getByTestId(`${side}-answer`)).toContainText(markup);
      await expect(page.getByTestId(`${side}-panel`).locator('img')).toHaveCount(0);
      await expect(page.getByTestId(`${side}-turn`).locator('.bubble.user')).toHaveText(`What does ${markup} do?`);
    }
  });

  test('a prompt with /error shows the error state in both columns', async ({ page }) => {
    await ask(page, 'Please fail /error');
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-status`)).toHaveText('error');
      await expect(page.getByTestId(`${side}-error`)).toContainText('model_error');
      await expect(page.getByTestId(`${side}-answer`)).not.toBeEmpty();
    }
  });

  test('a 2,000-token answer at delayMs 0 completes in both columns without losing text', async ({ page, baseURL }) => {
    const expected = await readEvents(await postChat(baseURL!, { messages: [{ role: 'user', content: '/long' }], options: { delayMs: 0, seed: 7 } }));
    const tokens = expected.filter((event) => event.type === 'token').length;
    expect(tokens).toBeGreaterThanOrEqual(2000);

    await ask(page, '/long');
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 20_000 });
      await expect(page.getByTestId(`${side}-metrics`)).toContainText(`${tokens} tokens`);
    }
    await expect(page.getByTestId('fetch-answer')).toHaveText(await page.getByTestId('es-answer').innerText(), { useInnerText: true });
  });

  test('the answer in flight is stored when its stream id becomes known and forgotten at its end, not touched per token', async ({ page }) => {
    await page.addInitScript(() => {
      const calls: string[] = [];
      (window as unknown as { storageCalls: string[] }).storageCalls = calls;
      for (const method of ['getItem', 'setItem', 'removeItem'] as const) {
        const original = Storage.prototype[method] as (...args: unknown[]) => unknown;
        Storage.prototype[method] = function (this: Storage, ...args: unknown[]) {
          if (String(args[0]).startsWith('sse-lab:chat:')) calls.push(`${method} ${String(args[0])}`);
          return original.apply(this, args);
        } as never;
      }
    });
    await page.reload();
    // Paced (2 ms a token, some seconds in all), so the answer outlives the render that learns its
    // stream id: at delay 0 a column can read the whole answer before React commits once, and
    // then has nothing to store.
    test.setTimeout(60_000);
    await ask(page, '/long', { delay: '2' });
    for (const side of ['es', 'fetch']) await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 40_000 });
    // The two transport columns' keys (the useChat column keeps its own answer in flight).
    const calls = (await page.evaluate(() => (window as unknown as { storageCalls: string[] }).storageCalls)).filter((call) =>
      /:(es|fetch)$/.test(call),
    );
    // Per column: one read on load, one write once the id is known, one removal at the end.
    expect(calls.toSorted()).toEqual(
      ['es', 'fetch'].flatMap((column) => [`getItem sse-lab:chat:${column}`, `removeItem sse-lab:chat:${column}`, `setItem sse-lab:chat:${column}`]).toSorted(),
    );
  });
});

test('with fault injection off, the pages hide the drop controls and say how to enable them', async ({ page }) => {
  const server = await startServer({ SSE_FAULT_INJECTION: 'off' });
  try {
    for (const path of ['/chat', '/clock']) {
      await page.goto(`${server.url}${path}`);
      for (const side of ['es', 'fetch']) {
        await expect(page.getByTestId(`${side}-drop-off`)).toContainText('SSE_FAULT_INJECTION=on');
        await expect(page.getByTestId(`${side}-drop`)).toHaveCount(0);
      }
    }
  } finally {
    await server.stop();
  }
});
