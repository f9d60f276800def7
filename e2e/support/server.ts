import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './processes';

/** A `next start` of the built app, on its own port with its own environment. */
export interface TestServer {
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `next start` of the built app (the build Playwright's webServer made) on a free port,
 * without waiting for it: for a test that expects it to fail at startup. See {@link startServer}.
 */
export async function spawnServer(env: Record<string, string>): Promise<Omit<TestServer, 'stop'>> {
  const port = await freePort();
  const bin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [bin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url: `http://127.0.0.1:${port}`, process: child, exited, output: () => output };
}

/**
 * Starts another production server from the same build, for tests that need settings of their
 * own: tight limits, a token, or a process to send SIGTERM to. Resolves once it answers
 * `/api/health`. It inherits this process's environment, but not the settings of Playwright's
 * webServer: pass `SSE_FAULT_INJECTION: 'on'` for a test that needs fault injection.
 */
export async function startServer(env: Record<string, string>): Promise<TestServer> {
  const server = await spawnServer(env);
  const child = server.process;
  const deadline = Date.now() + 30_000;
  while (true) {
    try {
      if ((await fetch(`${server.url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Server on ${server.url} did not start:\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    ...server,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await server.exited;
      clearTimeout(timer);
    },
  };
}
