import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const PORT = Number(process.env.PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

// Playwright cannot download its browsers on every machine; Debian's Chromium works. Point
// CHROMIUM_PATH elsewhere, or set it empty to use Playwright's own browser.
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : '');

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: 'on-first-retry',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: chromiumPath || undefined,
          // No background traffic: the machines this runs on have no network beyond loopback.
          args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
  ],
  webServer: {
    command: `npm run build && npx next start -p ${PORT} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    env: {
      // Fast clock for tests: ticks every 200 ms, notification 1 s after connecting.
      CLOCK_INTERVAL_MS: '200',
      CLOCK_NOTIFICATION_MS: '1000',
      // Every test speaks from 127.0.0.1: room for the whole suite's requests. The limits
      // themselves are tested on a server of their own (e2e/hardening.spec.ts).
      SSE_RATE_LIMIT: '100000',
      SSE_RATE_BURST: '10000',
      // A small queue bound, so the slow-reader test reaches it quickly.
      SSE_MAX_QUEUED_BYTES: '262144',
    },
  },
});
