/**
 * The parent's side of bench/fanout-client.ts, shared by the benches that hold many clock streams
 * (`bench:fanout`, `bench:cluster`): forks a client worker and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ClientCommand, ClientReply } from './fanout-client';

/** A forked client worker. */
export interface Worker {
  child: ChildProcess;
  /** Resolves once the worker has loaded and listens for commands. */
  ready: Promise<void>;
  ask<T extends ClientReply['type']>(command: ClientCommand, reply: T): Promise<Extract<ClientReply, { type: T }>>;
}

/** Forks one client worker; the caller kills it (and should on exit). */
export function startWorker(): Worker {
  const child = fork(join(process.cwd(), 'bench', 'fanout-client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return {
    child,
    ready: new Promise((resolve) => child.once('message', () => resolve())),
    ask: (command, type) =>
      new Promise((resolve, reject) => {
        const onMessage = (reply: ClientReply) => {
          if (reply.type !== type) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(reply as never);
        };
        const onExit = () => reject(new Error('a client worker exited'));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(command);
      }),
  };
}

/** The p-th percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
