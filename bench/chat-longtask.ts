/**
 * The chat page at full speed: asks `/long` (2,000+ tokens) at `delayMs` 0 on /chat in Chromium,
 * rendered through both columns at once, and prints the main thread's long tasks (over 50 ms, by
 * `PerformanceObserver` for `longtask`) from Send until both answers are ready. Then checks that
 * each column's answer (its "Copy Markdown") is exactly the server's text: no token lost.
 *
 *   npm run build && npm run bench:chat-render [runs]
 *
 * A figure to read, not a test. Long tasks are wall time, so on a loaded machine a task the
 * scheduler pauses counts as long though the page did little: beside them it prints the same run's
 * tasks by CPU time of the renderer's main thread, from a Chromium trace (`RunTask` thread time).
 * Exits non-zero only when text was lost, never on timing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import { BENCH_ENV, chatAnswer, startServer } from './server';

const RUNS = Number(process.argv[2] ?? 3);
const SEED = 7;
const PROMPT = '/long';
const COLUMNS = ['es', 'fetch'] as const;

interface LongTasks {
  count: number;
  maxMs: number;
  totalMs: number;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The renderer main thread's tasks by CPU time (µs in the trace), for the busiest renderer. */
function cpuTasks(trace: Buffer): LongTasks {
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const mainThreads = new Set(
    events.filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain').map((event) => `${event.pid}:${event.tid}`),
  );
  const byThread = new Map<string, number[]>();
  for (const event of events) {
    const thread = `${event.pid}:${event.tid}`;
    if (event.ph !== 'X' || event.name !== 'RunTask' || !mainThreads.has(thread)) continue;
    byThread.set(thread, [...(byThread.get(thread) ?? []), (event.tdur ?? 0) / 1000]);
  }
  const busiest = [...byThread.values()].sort((a, b) => b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0))[0] ?? [];
  const long = busiest.filter((ms) => ms > 50);
  return { count: long.length, maxMs: Math.round(Math.max(0, ...busiest)), totalMs: Math.round(long.reduce((sum, ms) => sum + ms, 0)) };
}

async function oneRun(
  browser: Browser,
  page: Page,
  baseURL: string,
): Promise<{ longTasks: LongTasks; cpu: LongTasks; texts: Record<string, string>; ms: number }> {
  await page.goto(`${baseURL}/chat`);
  await page.getByTestId('delay').fill('0');
  await page.getByTestId('seed').fill(String(SEED));
  await page.getByTestId('prompt').fill(PROMPT);
  // Count only from Send on: page load's own tasks are not the chat's.
  await page.evaluate(() => {
    const tasks: number[] = [];
    (window as unknown as { longTasks: number[] }).longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const started = Date.now();
  await page.getByTestId('send').click();
  for (const column of COLUMNS) {
    await page.getByTestId(`${column}-status`).filter({ hasText: /^(ready|error)$/ }).waitFor({ timeout: 120_000 });
  }
  const ms = Date.now() - started;
  const cpu = cpuTasks(await browser.stopTracing());
  const durations = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const texts: Record<string, string> = {};
  for (const column of COLUMNS) {
    await page.getByTestId(`${column}-copy`).click();
    texts[column] = await page.evaluate(() => navigator.clipboard.readText());
  }
  return {
    longTasks: {
      count: durations.length,
      maxMs: Math.round(Math.max(0, ...durations)),
      totalMs: Math.round(durations.reduce((sum, value) => sum + value, 0)),
    },
    cpu,
    texts,
    ms,
  };
}

async function main(): Promise<void> {
  const server = await startServer({ env: { ...BENCH_ENV, SSE_FAULT_INJECTION: 'on' } });
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({ executablePath: executablePath || undefined });
  let lost = false;
  try {
    const expected = await chatAnswer(server.url, PROMPT, SEED);
    console.log(`/long at delayMs 0: ${expected.tokens} tokens, ${expected.text.length} characters from the server`);
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    console.log('     wall time (PerformanceObserver longtask)     CPU time (trace)');
    console.log('run  both ready in  long tasks  max ms  total ms  tasks > 50 ms  max task ms  es text  fetch text');
    for (let run = 1; run <= RUNS; run++) {
      const { longTasks, cpu, texts, ms } = await oneRun(browser, page, server.url);
      const verdicts = COLUMNS.map((column) => (texts[column] === expected.text ? 'equal' : `DIFFERS (${texts[column]?.length ?? 0} chars)`));
      if (verdicts.some((verdict) => verdict !== 'equal')) lost = true;
      console.log(
        `${String(run).padStart(3)}  ${`${ms} ms`.padStart(13)}  ${String(longTasks.count).padStart(10)}  ${String(longTasks.maxMs).padStart(6)}  ${String(longTasks.totalMs).padStart(8)}  ${String(cpu.count).padStart(13)}  ${String(cpu.maxMs).padStart(11)}  ${verdicts.join('  ')}`,
      );
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  if (lost) {
    console.error('Text was lost: a column does not show the server\'s answer.');
    process.exitCode = 1;
  }
}

void main();
