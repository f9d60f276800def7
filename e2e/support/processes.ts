import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on loopback (the kernel picks it; the listener is closed before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A folder of its own under the system's tmp folder. */
export function tmpFolder(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `sse-lab-${prefix}-`));
}

/** A spawned program with its output kept for error messages. */
export interface Program {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit, with SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function runProgram(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Program {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    // Keep the tail only: a long-running instance logs for as long as it lives.
    if (output.length > 64_000) output = output.slice(-32_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve(-1);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls until `ready()` is true, or throws with the program's output once it exits or time runs out. */
export async function waitFor(what: string, program: Program, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await ready().catch(() => false)) return;
    if (program.child.exitCode !== null || program.child.signalCode !== null || Date.now() > deadline) {
      await program.stop('SIGKILL');
      throw new Error(`${what} did not start:\n${program.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
