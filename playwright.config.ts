import { defineConfig, devices } from '@playwright/test';
import { findChromium, MissingTool } from './e2e/support/tools';

const PORT = Number(process.env.PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

// The system's Chromium, or Playwright's own (installed here when missing); CHROMIUM_PATH picks
// another binary, or empty, Playwright's own. Where none can be had, one line says what to install.
let chromiumPath: string | undefined;
try {
  chromiumPath = findChromium().executablePath;
} catch (error) {
  if (!(error instanceof MissingTool)) throw error;
  console.error(`e2e: ${error.message}`);
  process.exit(1);
}

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
          executablePath: chromiumPath,
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
      // Off by default under next start; the drop and resume tests need it.
      SSE_FAULT_INJECTION: 'on',
    },
  },
});
