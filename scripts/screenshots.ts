/**
 * Screenshots of the course, the demos, the playground and the dashboard, in both languages, at a
 * desktop and a phone width, in the light and the dark colour scheme: PNGs in docs/screenshots/.
 *
 *   npm run build && npm run screenshots            # every page
 *   npm run screenshots -- learn clock              # only names containing one of these words
 *
 * It starts its own `next start` on the production build (bench/server.ts) and drives the system's
 * Chromium with Playwright. The Chinese pages need a CJK font, which a clean Debian machine lacks
 * (Chromium then draws boxes): `apt-get install fonts-noto-cjk`. Without one it stops and says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { BENCH_ENV, startServer } from '../bench/server';
import { findChromium } from '../e2e/support/tools';

const OUT = join(process.cwd(), 'docs', 'screenshots');

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

interface Shot {
  name: string;
  path: string;
  /** Brings the page to the state worth showing. */
  prepare?: (page: Page) => Promise<void>;
}

const SHOTS: Shot[] = [
  { name: 'home', path: '/' },
  { name: 'learn', path: '/learn' },
  {
    name: 'learn-eventsource',
    path: '/learn/eventsource',
    prepare: async (page) => {
      await page.getByTestId('widget-clock-events').scrollIntoViewIfNeeded();
      await page.getByTestId('widget-clock-events').getByTestId('event-count').filter({ hasNotText: /^0$/ }).waitFor();
    },
  },
  {
    name: 'learn-comparison',
    path: '/learn/comparison',
    prepare: async (page) => {
      const widget = page.getByTestId('widget-connection-limit');
      await widget.getByTestId('toggle').click();
      await widget.locator('[data-ready-state="1"]').nth(5).waitFor();
      await widget.scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'clock',
    path: '/clock',
    prepare: async (page) => {
      await page.getByTestId('es-count-notification').filter({ hasText: /^[1-9]/ }).waitFor();
      await page.getByTestId('fetch-count-notification').filter({ hasText: /^[1-9]/ }).waitFor();
    },
  },
  {
    name: 'chat',
    path: '/chat',
    prepare: async (page) => {
      await page.getByTestId('prompt').fill('Explain server-sent events with a short code example');
      await page.getByTestId('send').click();
      await page.getByTestId('fetch-status').filter({ hasText: /^ready$/ }).waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'playground',
    path: '/playground',
    prepare: async (page) => {
      // A case where the naive parser goes wrong, run by all three readers.
      await page.getByTestId('case').selectOption('crlf');
      await page.getByTestId('browser-events').waitFor();
    },
  },
  {
    name: 'dashboard',
    path: '/dashboard',
    prepare: async (page) => {
      // A few samples received by this page, so the charts have lines (the ids go on from page to
      // page: the server's sample sequence is shared).
      const shown = page.getByTestId('metrics-last-id');
      await shown.filter({ hasText: /^\d+$/ }).waitFor({ timeout: 30_000 });
      const first = Number(await shown.textContent());
      await page.waitForFunction((from) => Number(document.querySelector('[data-testid="metrics-last-id"]')?.textContent) >= from + 8, first, {
        timeout: 30_000,
      });
    },
  },
];

/** True when fontconfig knows a font with Chinese glyphs; undefined where there is no fontconfig. */
function hasChineseFont(): boolean | undefined {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return undefined;
  }
}

async function main() {
  if (hasChineseFont() === false) {
    console.error('screenshots: no Chinese font, so the zh pages would show boxes: apt-get install fonts-noto-cjk');
    process.exit(1);
  }
  const only = process.argv.slice(2);
  const shots = only.length ? SHOTS.filter((shot) => only.some((word) => shot.name.includes(word))) : SHOTS;
  mkdirSync(OUT, { recursive: true });
  const server = await startServer({ env: { ...BENCH_ENV, CLOCK_INTERVAL_MS: '250', CLOCK_NOTIFICATION_MS: '1000', SSE_METRICS_INTERVAL_MS: '250' } });
  const browser = await chromium.launch({ executablePath: findChromium().executablePath });
  try {
    for (const locale of ['en', 'zh'] as const) {
      for (const [width, viewport] of Object.entries(VIEWPORTS)) {
        for (const colorScheme of ['light', 'dark'] as const) {
          const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1, isMobile: width === 'phone', hasTouch: width === 'phone' });
          await context.addCookies([{ name: 'NEXT_LOCALE', value: locale, url: server.url }]);
          for (const shot of shots) {
            // A page of its own per shot: closing it closes the streams it opened, which would
            // otherwise hold the origin's six HTTP/1.1 connections.
            const page = await context.newPage();
            await page.goto(server.url + shot.path);
            await shot.prepare?.(page);
            const file = join(OUT, `${shot.name}-${locale}-${width}-${colorScheme}.png`);
            await page.screenshot({ path: file });
            console.log(file);
            await page.close();
          }
          await context.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
