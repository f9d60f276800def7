import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import en from '../messages/en.json';
import zh from '../messages/zh.json';
import { CHAPTERS } from '../lib/learn/chapters';
import { CONTENT } from '../lib/learn/content';
import { PLAYGROUND_CASES } from '../lib/playground/cases';

const MESSAGES = { en, zh } as const;
type Locale = keyof typeof MESSAGES;

async function useLocale(page: Page, locale: Locale, baseURL: string | undefined) {
  await page.context().addCookies([{ name: 'NEXT_LOCALE', value: locale, url: baseURL! }]);
}

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

for (const locale of ['en', 'zh'] as const) {
  test(`the course in ${locale}: every chapter renders in order and every live widget receives events`, async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    const messages = MESSAGES[locale];
    await useLocale(page, locale, baseURL);
    await page.goto('/learn');
    await expect(page.locator('html')).toHaveAttribute('lang', locale === 'zh' ? 'zh-CN' : 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages.learn.title);
    await page.getByTestId('learn-index').getByRole('link', { name: messages.learn.chapters['what-is-sse'].title }).click();
    await expect(page.getByTestId('chapter')).toHaveAttribute('data-chapter', 'what-is-sse');

    for (const [index, chapter] of CHAPTERS.entries()) {
      // Client-side navigation keeps the document: a widget that left its stream open would hold
      // one of the origin's six HTTP/1.1 connections, and Next would soon wait for one.
      if (index > 0) await page.getByTestId('chapter-next').click();
      const article = page.getByTestId('chapter');
      await expect(article).toHaveAttribute('data-chapter', chapter, { timeout: 20_000 });
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages.learn.chapters[chapter].title);
      const widgets = CONTENT[chapter].flatMap((block) => (block.kind === 'widget' ? [block.widget] : []));
      for (const widget of new Set(widgets)) {
        const box = page.getByTestId(`widget-${widget}`).first();
        if (widget === 'clock-events' || widget === 'fetch-stream') {
          await expect(box.getByTestId('event-count')).not.toHaveText('0');
        } else if (widget === 'stream-headers') {
          await expect(box.getByTestId('headers')).toContainText('content-type: text/event-stream');
          await expect(box.getByTestId('headers')).toContainText('cache-control: no-cache, no-transform');
          await expect(box.getByTestId('headers')).toContainText('x-accel-buffering: no');
        } else {
          // Over HTTP/1.1 (next start), six streams open and the seventh waits for a connection.
          await box.getByTestId('toggle').click();
          await expect(box.getByTestId('protocol')).toContainText('http/1.1');
          await expect(box.locator('[data-ready-state="1"]')).toHaveCount(6);
          await expect(box.locator('[data-ready-state="0"]')).toHaveCount(1);
          await box.getByTestId('toggle').click();
          await expect(box.getByTestId('stream-slot')).toHaveCount(0);
        }
      }
      if (index < CHAPTERS.length - 1) await expect(page.getByTestId('chapter-next')).toHaveAttribute('href', `/learn/${CHAPTERS[index + 1]}`);
      else await expect(page.getByTestId('chapter-next')).toHaveCount(0);
      if (index > 0) await expect(page.getByTestId('chapter-previous')).toHaveAttribute('href', `/learn/${CHAPTERS[index - 1]}`);
    }
  });
}

test('the first visit follows Accept-Language, and the switch keeps the URL and persists across reloads', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } });
  const page = await context.newPage();
  await page.goto('/learn/production#slow');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.learn.chapters.production.title);
  await page.getByTestId('locale-en').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.learn.chapters.production.title);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('locale-en')).toHaveAttribute('aria-pressed', 'true');
  expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe('/learn/production#slow');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.learn.chapters.production.title);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.home.title);
  await context.close();
});

test('the landing page links every chapter and has the two new comparison rows', async ({ page, baseURL }) => {
  await useLocale(page, 'en', baseURL);
  await page.goto('/');
  await expect(page.getByTestId('home-course').getByRole('link')).toHaveCount(CHAPTERS.length);
  const table = page.getByTestId('comparison');
  // Ten rows, and the AI SDK's useChat row.
  await expect(table.locator('tbody tr')).toHaveCount(11);
  await expect(table.getByRole('link', { name: en.home.compare.rows.aiSdk.link })).toHaveAttribute('href', '/chat');
  await table.getByRole('link', { name: en.home.compare.rows.connections.link }).click();
  await expect(page).toHaveURL(/\/learn\/comparison#connection-limit$/);
  await expect(page.getByTestId('widget-connection-limit')).toBeVisible();
});

test('every playground case: the browser, our parser and the spec agree', async ({ page, baseURL }) => {
  await useLocale(page, 'en', baseURL);
  await page.goto('/playground');
  for (const playgroundCase of PLAYGROUND_CASES) {
    await page.getByTestId('case').selectOption(playgroundCase.id);
    const expected = JSON.stringify(playgroundCase.expected.events);
    await expect(page.getByTestId('our-events')).toHaveAttribute('data-events', expected);
    await expect(page.getByTestId('browser-events')).toHaveAttribute('data-events', expected);
  }
});

test('the playground runs a stream typed by hand, escapes included', async ({ page, baseURL }) => {
  await useLocale(page, 'en', baseURL);
  // A slow CPU (as on a loaded CI machine) holds hydration back, so the typing below reaches the
  // server-rendered textarea first unless the page keeps it read-only until React owns it. Typing
  // then was merged with the first case's text: the typed event, then that case's update and message.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
  await page.goto('/playground', { waitUntil: 'commit' });
  await page.getByTestId('input').fill('event: typed\\r\\ndata: by hand\\r\\n\\r\\n');
  await page.getByTestId('run').click();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(page.getByTestId('input')).toHaveValue('event: typed\\r\\ndata: by hand\\r\\n\\r\\n');
  const expected = JSON.stringify([{ type: 'typed', data: 'by hand', lastEventId: '' }]);
  await expect(page.getByTestId('browser-events')).toHaveAttribute('data-events', expected);
  await expect(page.getByTestId('our-events')).toHaveAttribute('data-events', expected);
  // The naive parser splits on LF only, so the CR stays in its type and data.
  await expect(page.getByTestId('naive-events')).toHaveAttribute('data-events', JSON.stringify([{ type: 'typed\r', data: 'by hand\r', lastEventId: '' }]));
});

/**
 * The plain texts (no arguments, no tags) of a namespace that read differently in Chinese, less
 * those the Chinese keeps as a term inside its own texts ("token" in "毫秒/token").
 */
function englishOnly(namespace: 'chatPage' | 'formats'): string[] {
  type Tree = { [key: string]: string | Tree };
  const pairs: [string, string][] = [];
  const walk = (english: Tree, chinese: Tree) => {
    for (const [key, value] of Object.entries(english)) {
      const other = chinese[key]!;
      if (typeof value !== 'string') walk(value, other as Tree);
      else pairs.push([value, other as string]);
    }
  };
  walk(en[namespace] as Tree, zh[namespace] as Tree);
  const chinese = pairs.map(([, other]) => other);
  return pairs.flatMap(([value, other]) => (!/[{<]/.test(value) && value !== other && !chinese.some((text) => text.includes(value)) ? [value] : []));
}

test('/chat and /formats read in Chinese, with no English text left in them', async ({ page, baseURL }) => {
  await useLocale(page, 'zh', baseURL);
  await page.goto('/chat');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.chatPage.title);
  await expect(page.getByTestId('send')).toHaveText(zh.chatPage.send);
  await expect(page.getByTestId('fetch-panel').getByRole('heading')).toHaveText(zh.chatPage.columns.fetch.title);
  await expect(page.getByTestId('ai-panel')).toContainText(zh.chatPage.stats.runId);
  await expect(page.getByTestId('es-panel')).toContainText(zh.chatPage.stats.reconnects);
  let text = await page.locator('main').innerText();
  for (const english of englishOnly('chatPage')) expect(text, `/chat still shows "${english}"`).not.toContain(english);

  await page.goto('/formats');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.formats.title);
  await expect(page.getByTestId('wire-send')).toHaveText(zh.formats.send);
  await expect(page.getByTestId('wire-ours').getByRole('heading')).toHaveText(zh.formats.formats.ours);
  await expect(page.getByTestId('wire-ours-status')).toHaveText(zh.formats.status.idle);
  text = await page.locator('main').innerText();
  for (const english of englishOnly('formats')) expect(text, `/formats still shows "${english}"`).not.toContain(english);
});

test('the echo route refuses bad input with JSON errors', async ({ request }) => {
  const bad = await request.get('/api/playground/echo?b=not%20base64');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe('invalid_parameter');
  const big = await request.get(`/api/playground/echo?b=${'A'.repeat(12_000)}`);
  expect(big.status()).toBe(413);
  const ok = await request.get('/api/playground/echo?b=ZGF0YTogaGkKCg');
  expect(ok.headers()['content-type']).toContain('text/event-stream');
  expect(await ok.text()).toBe('data: hi\n\n');
});

for (const locale of ['en', 'zh'] as const) {
  test(`no serious accessibility violations in ${locale}`, async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    await useLocale(page, locale, baseURL);
    for (const path of ['/', '/learn', '/learn/what-is-sse', '/learn/server', '/clock', '/chat', '/formats', '/playground', '/dashboard']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoSeriousViolations(page);
    }
  });
}

test('the language switch and the course work from the keyboard', async ({ page, baseURL }) => {
  await useLocale(page, 'en', baseURL);
  await page.goto('/learn/what-is-sse');
  await page.getByTestId('locale-zh').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.learn.chapters['what-is-sse'].title);
  await page.getByTestId('chapter-next').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('chapter')).toHaveAttribute('data-chapter', 'why-sse');
});

test('the dashboard shows moving numbers while clock and chat streams are open, and resumes without a gap', async ({ page, baseURL }) => {
  test.setTimeout(60_000);
  await useLocale(page, 'en', baseURL);
  await page.goto('/dashboard');
  await expect(page.getByTestId('metrics-state')).toHaveText('OPEN');
  await page.evaluate(() => {
    (window as unknown as { clock: EventSource }).clock = new EventSource('/api/clock');
    void fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me a long story about streams' }], options: { delayMs: 200 } }),
    }).then((response) => response.body?.pipeTo(new WritableStream()));
  });
  // The metrics stream, the clock and the chat: at least three streams open.
  await expect.poll(async () => Number(await page.getByTestId('now-open').textContent())).toBeGreaterThanOrEqual(3);
  await expect.poll(async () => Number(await page.getByTestId('now-events').textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId('now-heap')).not.toHaveText('—');
  await expect(page.getByTestId('now-bytes')).toHaveText(en.dashboard.notCounted);
  const firstId = Number(await page.getByTestId('metrics-last-id').textContent());
  await expect.poll(async () => Number(await page.getByTestId('metrics-last-id').textContent())).toBeGreaterThan(firstId);

  // The frame budget: the charts' redraw time per frame, measured in this browser, against 16 ms.
  await expect(page.getByTestId('frame-p99')).toHaveText(/^\d+\.\d$/);
  await expect(page.getByTestId('frame-budget')).toContainText(en.dashboard.frame.budget.replace('{budget}', '16'));
  await expect(page.getByTestId('frame-budget')).toHaveAttribute('data-state', /^(within|over)$/);
  // No REDIS_URL here: one process, named by the stream's own samples.
  const health = (await (await page.request.get('/api/health')).json()) as { instance: string };
  await expect(page.getByTestId('single-process')).toHaveText(en.dashboard.instances.single.replace('{instance}', health.instance));
  await expect(page.getByTestId('instance-row')).toHaveCount(0);

  await page.getByTestId('reconnect').click();
  await expect(page.getByTestId('metrics-status')).toContainText('1 resume');
  await expect(page.locator('[data-testid="chart-streams"] canvas')).toHaveCount(1);
});

test('switching the language keeps the block the reader was looking at in place, however late a widget fills in', async ({ browser }) => {
  // The project's device sets an English locale, whose Accept-Language would win without this.
  const context = await browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } });
  const page = await context.newPage();
  // The headers widget above #slow waits for /api/clock. On a loaded machine its answer came after
  // the reader had settled, the widget grew by three lines, and with the page scrolled to its end
  // (where the browser's scroll anchoring does not hold it) the heading moved ~50 px down before the
  // switch was even pressed. Hold that answer back to make it late every time.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/clock', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/learn/production#slow');
  const slow = page.locator('h2#slow');
  const topOf = () => slow.evaluate((element) => Math.round(element.getBoundingClientRect().top));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.learn.chapters.production.title);
  const headers = page.getByTestId('widget-stream-headers').getByTestId('headers');
  await expect(headers).toContainText(zh.widgets.waiting);
  const before = await topOf();
  release();
  await expect(headers).toContainText('content-type: text/event-stream');
  await page.getByTestId('locale-en').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.learn.chapters.production.title);
  await expect.poll(topOf, { timeout: 3000 }).toBeGreaterThanOrEqual(before - 2);
  await expect.poll(topOf, { timeout: 3000 }).toBeLessThanOrEqual(before + 2);
  await context.close();
});
