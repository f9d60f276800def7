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
