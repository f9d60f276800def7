import { mock } from 'node:test';

/** Lets every pending promise reaction run (setImmediate is not faked by mock.timers). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Wraps the current setTimeout and clearTimeout and returns the set of handles still pending. */
export function trackTimeouts(): Set<unknown> {
  const live = new Set<unknown>();
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  mock.method(globalThis, 'setTimeout', (callback: () => void, ms?: number) => {
    const handle = set(() => {
      live.delete(handle);
      callback();
    }, ms);
    live.add(handle);
    return handle;
  });
  mock.method(globalThis, 'clearTimeout', (handle: ReturnType<typeof setTimeout> | undefined) => {
    live.delete(handle);
    clear(handle);
  });
  return live;
}

/** Waits until `check()` holds, polling in real time; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
