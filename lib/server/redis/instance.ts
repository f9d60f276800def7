import 'server-only';

import { hostname } from 'node:os';

/**
 * This process's name in logs, `/api/stats` and the cluster's shared state: `INSTANCE_ID`, or the
 * host name and pid, which tell two instances on one host apart.
 */
export function instanceId(): string {
  const store = globalThis as { __sseInstanceId?: string };
  return (store.__sseInstanceId ??= process.env.INSTANCE_ID?.trim() || `${hostname()}-${process.pid}`);
}

/** Logs one line prefixed with the instance's name, so interleaved logs of a cluster stay readable. */
export function logInstance(message: string): void {
  console.log(`[${instanceId()}] ${message}`);
}
