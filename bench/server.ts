/**
 * Starts and stops a real production server (`next start` on a built `.next/`) for the benches,
 * and talks to it: `/api/stats`, the server's resident memory, raw HTTP/1.1 requests.
 *
 * Every server started here is also killed when the bench process exits for any reason (an
 * error, Ctrl-C, SIGTERM), so a bench never leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../e2e/support/processes';
import { decodeChatEvent } from '../lib/chat/protocol';
import { createParser } from '../lib/sse/parser';

/** The project root: npm runs scripts there, and `next start` serves the `.next/` in it. */
const ROOT = process.cwd();
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const HOST = '127.0.0.1';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Port to listen on; a free one when left out. */
  port?: number;
  /** Environment merged over `process.env` for the server. */
  env?: Record<string, string>;
  /** How long to wait for `/api/health` to answer 200. Default 60 s. */
  readyTimeoutMs?: number;
  /**
   * Lets {@link RunningServer.collectGarbage} force a full garbage collection in the server
   * (`--expose-gc` and a SIGUSR2 handler), so memory figures show what is retained, not what V8
   * has not got round to collecting yet.
   */
  exposeGc?: boolean;
}

/** A running server. */
export interface RunningServer {
  /** Its base URL, such as `http://127.0.0.1:41234`. */
  url: string;
  /** The server process itself (`next start` serves in-process), for {@link rssKiB}. */
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited 10 s later; resolves once it has exited. */
  stop(): Promise<void>;
  /** Forces a full garbage collection in the server and resolves once it is done (`exposeGc`). */
  collectGarbage(): Promise<void>;
  /** Errors the server has logged so far (Next marks them with `⨯`), and the last one. */
  loggedErrors(): { count: number; last: string | undefined };
}

/** What `GET /api/stats` answers. */
export interface ServerStats {
  openStreams: number;
  openStreamsByRoute: Record<string, number | undefined>;
  topicSubscribers: { clock: number };
  chat: { activeGenerations: number; heldRuns: number };
  eventsSent: number;
  closedByReason: Record<'client' | 'server' | 'slow' | 'shutdown' | 'error' | 'dropped', number>;
  droppedSlowClients: number;
  memory: { rssBytes: number; heapUsedBytes: number };
}

/**
 * Settings that keep the server's abuse limits out of a bench's way: a thousand streams from one
 * IP are the point here, not an attack.
 */
export const BENCH_ENV: Readonly<Record<string, string>> = Object.freeze({
  SSE_MAX_STREAMS_PER_IP: '100000',
  SSE_MAX_STREAMS: '100000',
  SSE_RATE_LIMIT: '10000000',
  SSE_RATE_BURST: '10000000',
  // No token even if the shell has one: the benches read /api/stats without one.
  SSE_AUTH_TOKEN: '',
});

// Preloaded into the server with --expose-gc; SIGUSR2 is otherwise unused by Node and Next.
const GC_ON_SIGUSR2 = "process.on('SIGUSR2', () => globalThis.gc());";

const children = new Set<ChildProcess>();

// A last resort, synchronous as 'exit' handlers must be: a bench that throws or is interrupted
// between start and stop still takes its servers down with it.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts `next start` on the production build and resolves once `/api/health` answers 200.
 * Fails (after killing it) when the server exits first or is not ready within the timeout.
 */
export async function startServer({ port, env = {}, readyTimeoutMs = 60_000, exposeGc = false }: StartServerOptions = {}): Promise<RunningServer> {
  if (!existsSync(join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error(`No production build in ${ROOT}/.next: run \`npm run build\` first.`);
  }
  const listenPort = port ?? (await freePort());
  const url = `http://${HOST}:${listenPort}`;
  const nodeFlags = exposeGc ? ['--expose-gc', `--import=data:text/javascript,${encodeURIComponent(GC_ON_SIGUSR2)}`] : [];
  const child = spawn(process.execPath, [...nodeFlags, NEXT_BIN, 'start', '-p', String(listenPort), '-H', HOST], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exit = new Promise<void>((resolve) => {
    child.once('close', () => {
      children.delete(child);
      resolve();
    });
  });
  // Keep the tail of its output, for the error message when it fails to start, and count the
  // errors it logs (a line starting with ⨯, possibly split across chunks: counted per line).
  let output = '';
  let partial = '';
  let errorCount = 0;
  let lastError: string | undefined;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trimStart().startsWith('⨯')) continue;
      errorCount++;
      lastError = line.trim();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async (): Promise<void> => {
    if (exited(child) || spawnError) return exit;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      await exit;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const deadline = Date.now() + readyTimeoutMs;
    while (true) {
      if (spawnError) throw spawnError;
      if (exited(child)) throw new Error(`The server exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${output}`);
      if (Date.now() > deadline) throw new Error(`The server was not ready within ${readyTimeoutMs} ms:\n${output}`);
      try {
        const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // Not listening yet: try again shortly.
      }
      await delay(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('The server process has no pid.');
  const { pid } = child;

  const collectGarbage = async (): Promise<void> => {
    if (!exposeGc) throw new Error('Start the server with exposeGc to collect its garbage.');
    process.kill(pid, 'SIGUSR2');
    // The collection runs on the server's event loop: a request sent after it has started is
    // answered only once it is done.
    await delay(50);
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
  };

  const loggedErrors = () => ({ count: errorCount, last: lastError });

  return { url, pid, stop, collectGarbage, loggedErrors };
}

/** The resident set size of a process in KiB (Linux: `VmRSS` in `/proc/<pid>/status`). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`No VmRSS for process ${pid}.`);
  return Number(match[1]);
}

/**
 * CPU time a process has used so far (user and system, in ms), from `/proc/<pid>/stat`: fields 14
 * and 15, in clock ticks (100 a second on Linux). The name (field 2) may hold spaces, so the
 * fields are counted from the `)` that ends it.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Asks `POST /api/chat` one question at `delayMs` 0 and reads the whole answer with the library's
 * parser: its text and token count as the server sent them.
 */
export async function chatAnswer(url: string, prompt: string, seed: number): Promise<{ text: string; tokens: number }> {
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }], options: { delayMs: 0, seed } }),
  });
  if (response.status !== 200) throw new Error(`/api/chat answered ${response.status}: ${await response.text()}`);
  let text = '';
  let tokens = 0;
  const parser = createParser({
    onEvent(event) {
      const decoded = decodeChatEvent(event.type, event.data);
      if (decoded?.type !== 'token') return;
      text += decoded.data.text;
      tokens++;
    },
  });
  for await (const chunk of response.body!) parser.feed(chunk);
  return { text, tokens };
}

/** Reads `GET /api/stats`. */
export async function getStats(url: string): Promise<ServerStats> {
  const response = await fetch(`${url}/api/stats`, { signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) throw new Error(`/api/stats answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ServerStats;
}

/**
 * Opens a raw TCP connection and writes a plain HTTP/1.1 GET for `path`, without a client library
 * in between: the bench decides exactly when to read, pause, reset or close.
 */
export function rawGet(url: string, path: string, headers: Record<string, string> = {}): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Accept: text/event-stream'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return socket;
}

/** Formats KiB as MiB with one decimal. */
export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}

/** Runs a bench's main function, which resolves with its exit code, and reports a crash as exit 1. */
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
