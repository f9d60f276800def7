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
  await page.reload();
  for (const side of ['es', 'fetch']) {
    await expect(page.getByTestId(`${side}-turn`)).toHaveCount(1);
    await expect(page.getByTestId(`${side}-status`)).toHaveText('ready', { timeout: 20_000 });
    await expect(page.getByTestId(`${side}-metrics`)).toContainText(`${tokens} tokens`);
  }
  await expect(page.getByTestId('fetch-answer')).toHaveText(await page.getByTestId('es-answer').innerText(), { useInnerText: true });
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
