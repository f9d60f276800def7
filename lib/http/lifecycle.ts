import 'server-only';

import { Server } from 'node:http';
import { closeAllStreams } from '@/lib/sse/server';
import { PEER_HEADER } from './client-ip';

interface Lifecycle {
  installed: boolean;
  shuttingDown: boolean;
}

const state: Lifecycle = ((globalThis as { __sseLifecycle?: Lifecycle }).__sseLifecycle ??= {
  installed: false,
  shuttingDown: false,
});

/** True once SIGTERM or SIGINT arrived: new streams are refused with 503 so clients go elsewhere. */
export function isShuttingDown(): boolean {
  return state.shuttingDown;
}

/** Longest the process waits for Next's own shutdown before it exits anyway. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * Installs, once per process, what a server holding thousands of open streams needs from Node:
 *
 * - On SIGTERM/SIGINT, end every open stream cleanly at once (clients reconnect, to another
 *   instance behind the balancer) and refuse new ones. Next's own handler then closes the server;
 *   without this it would wait forever for streams that never end. A timer makes sure the process
 *   exits within a few seconds regardless.
 * - Stamp every request with the socket's peer address in a private header, replacing any value a
 *   client sent, because route handlers get no socket (see `client-ip.ts`).
 */
export function installLifecycle(): void {
  if (state.installed) return;
  state.installed = true;

  const shutdown = (signal: NodeJS.Signals) => {
    if (state.shuttingDown) return;
    state.shuttingDown = true;
    const closed = closeAllStreams();
    console.log(`${signal}: closed ${closed} open stream${closed === 1 ? '' : 's'}; shutting down.`);
    setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function emitWithPeer(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const incoming = args[0] as { headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } };
      incoming.headers[PEER_HEADER] = incoming.socket?.remoteAddress ?? 'unknown';
    }
    return emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
}
