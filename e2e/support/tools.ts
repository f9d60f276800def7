import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

/**
 * What the end-to-end tests need from the machine, found or explained in one line: a Chromium
 * for Playwright, and programs some tests run (redis-server, nginx). A missing one ends in a line
 * naming the package to install, never a stack trace from deep inside a test.
 */

/** The Debian/Ubuntu package that provides each program the tests may run. */
const PACKAGES: Record<string, string> = {
  chromium: 'chromium',
  'redis-server': 'redis-server',
  nginx: 'nginx',
};

/** Where Debian and Ubuntu put Chromium; the first that exists wins. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

/** An error whose message is the whole story: test runners print it without a stack. */
export class MissingTool extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingTool';
    this.stack = `${this.name}: ${message}`;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program's path on `PATH` (or in the sbin folders, where nginx lives), if it is installed. */
export function findTool(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const folder of folders) {
    const candidate = path.join(folder, name);
    if (folder && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The path of a program a test needs; throws a {@link MissingTool} naming the package to install
 * when it is not there. Call it at the top of the test (or `beforeAll`) that runs the program.
 */
export function requireTool(name: string): string {
  const found = findTool(name);
  if (found) return found;
  throw new MissingTool(`${name} is not installed; install it with: apt-get install ${PACKAGES[name] ?? name}`);
}

/** How the tests get their browser. */
export interface BrowserChoice {
  /** A Chromium binary to launch, or undefined for Playwright's own build. */
  executablePath: string | undefined;
  /** Where it came from, for the log. */
  source: 'CHROMIUM_PATH' | 'system' | 'playwright' | 'playwright (just installed)';
}

function playwrightChromium(): string | undefined {
  try {
    const file = chromium.executablePath();
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a Chromium for the end-to-end tests, in this order: `CHROMIUM_PATH` (a binary; empty
 * means Playwright's own), the system's Chromium, Playwright's own build, and else Playwright's
 * own after `playwright install chromium`. Throws a {@link MissingTool} with one line naming the
 * package to install when none is there and the download fails (no network).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): BrowserChoice {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (isExecutable(configured)) return { executablePath: configured, source: 'CHROMIUM_PATH' };
    throw new MissingTool(`CHROMIUM_PATH=${configured} is not an executable file; point it at a Chromium, or unset it`);
  }
  if (configured === undefined) {
    // E2E_SYSTEM_CHROMIUM (paths, ":"-separated) replaces the usual places, so a test can play a machine without one.
    const system = (env.E2E_SYSTEM_CHROMIUM?.split(path.delimiter) ?? SYSTEM_CHROMIUM).find(isExecutable);
    if (system) return { executablePath: system, source: 'system' };
  }
  if (playwrightChromium()) return { executablePath: undefined, source: 'playwright' };

  const install = spawnSync('npx', ['playwright', 'install', 'chromium'], { env, stdio: 'ignore', timeout: 10 * 60_000 });
  if (install.status === 0 && playwrightChromium()) return { executablePath: undefined, source: 'playwright (just installed)' };
  throw new MissingTool(
    `No Chromium found, and "playwright install chromium" could not download one; install it with: apt-get install ${PACKAGES.chromium}`,
  );
}
