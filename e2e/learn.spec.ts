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

    for (const [index, chapter] of CHAPTERS.entries()) {
      const article = page.getByTestId('chapter');
      await expect(article).toHaveAttribute('data-chapter', chapter);
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
      if (index < CHAPTERS.length - 1) await page.getByTestId('chapter-next').click();
      else await expect(page.getByTestId('chapter-next')).toHaveCount(0);
    }
  });
}

test('the first visit follows Accept-Language, and the switch keeps the place and persists across reloads', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } });
  const page = await context.newPage();
  await page.goto('/learn/production#slow');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh.learn.chapters.production.title);
  const scrolled = await page.evaluate(() => window.scrollY);

  await page.getByTestId('locale-en').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.learn.chapters.production.title);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('locale-en')).toHaveAttribute('aria-pressed', 'true');
  expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe('/learn/production#slow');
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);

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
  await expect(table.locator('tbody tr')).toHaveCount(10);
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
  await page.goto('/playground');
  await page.getByTestId('input').fill('event: typed\\r\\ndata: by hand\\r\\n\\r\\n');
  await page.getByTestId('run').click();
  const expected = JSON.stringify([{ type: 'typed', data: 'by hand', lastEventId: '' }]);
  await expect(page.getByTestId('browser-events')).toHaveAttribute('data-events', expected);
  await expect(page.getByTestId('our-events')).toHaveAttribute('data-events', expected);
  await expect(page.getByTestId('naive-events')).toHaveAttribute('data-events', '[]');
});

test('the echo route refuses bad input with JSON errors', async ({ request }) => {
  const bad = await request.get('/api/playground/echo?b=not%20base64');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe('invalid_parameter');
  const big = await request.get(`/api/playground/echo?b=${'A'.repeat(20_000)}`);
  expect(big.status()).toBe(413);
  const ok = await request.get('/api/playground/echo?b=ZGF0YTogaGkKCg');
  expect(ok.headers()['content-type']).toContain('text/event-stream');
  expect(await ok.text()).toBe('data: hi\n\n');
});

for (const locale of ['en', 'zh'] as const) {
  test(`no serious accessibility violations in ${locale}`, async ({ page, baseURL }) => {
    await useLocale(page, locale, baseURL);
    for (const path of ['/', '/learn', '/learn/what-is-sse', '/learn/server', '/playground']) {
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
