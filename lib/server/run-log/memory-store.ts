import type { CreateLimits, CreateResult, RunInfo, RunMeta, RunRead, RunState, RunStore, StoreUsage } from './types';

const INITIAL_CAPACITY = 4096;

type Wake = () => void;
type WatchResult = 'cancelled' | 'gone' | 'aborted';

/**
 * One run in memory. Its log is one growing byte buffer and the end offset of each event, not an
 * object per event: a kept run costs about its wire size (the buffer is trimmed to size when the
 * run finishes), and a read hands out views of the buffer without copying.
 */
interface StoredRun extends RunMeta {
  state: RunState;
  buffer: Uint8Array;
  used: number;
  /** `ends[seq - 1]` is where event `seq` ends in `buffer`. */
  ends: Uint32Array;
  length: number;
  readers: number;
  claimed: boolean;
  cancelled: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Readers waiting for more (created on first use: most kept runs never have any). */
  waiters: Set<Wake> | undefined;
  /** The producer waiting for a cancel or the end. */
  watchers: Set<(result: WatchResult) => void> | undefined;
}

function grow<T extends Uint8Array | Uint32Array>(array: T, needed: number): T {
  let capacity = Math.max(array.length, 16);
  while (capacity < needed) capacity *= 2;
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

/**
 * The in-process {@link RunStore}: runs in a `Map`, one timer per run for its time to live, the
 * oldest finished runs evicted first when over the limits. Suits one instance; another instance
 * cannot see these runs.
 */
export function createMemoryStore(): RunStore & { /** For tests: the timers armed now. */ readonly timers: number } {
  const runs = new Map<string, StoredRun>();
  // Finished runs in the order they finished: the first is the first to evict.
  const finished = new Set<string>();
  const runningByClient = new Map<string, number>();
  let running = 0;
  let bytes = 0;
  let timers = 0;
  // The byte budget of the last create(), also kept as running runs grow.
  let maxBytes = Number.POSITIVE_INFINITY;

  function wake(run: StoredRun): void {
    const waiters = run.waiters;
    run.waiters = undefined;
    if (waiters) for (const waiter of waiters) waiter();
  }

  function notify(run: StoredRun, result: WatchResult): void {
    const watchers = run.watchers;
    run.watchers = undefined;
    if (watchers) for (const watcher of watchers) watcher(result);
  }

  function stopRunning(run: StoredRun): void {
    if (run.state !== 'running') return;
    running--;
    if (run.client !== undefined) {
      const left = (runningByClient.get(run.client) ?? 1) - 1;
      if (left > 0) runningByClient.set(run.client, left);
      else runningByClient.delete(run.client);
    }
  }

  function setTimer(id: string, run: StoredRun, ttlMs: number | undefined): void {
    if (run.timer !== undefined) {
      clearTimeout(run.timer);
      timers--;
      run.timer = undefined;
    }
    if (ttlMs === undefined) return;
    timers++;
    run.timer = setTimeout(() => {
      run.timer = undefined;
      timers--;
      remove(id);
    }, ttlMs);
    (run.timer as { unref?: () => void }).unref?.();
  }

  function remove(id: string): void {
    const run = runs.get(id);
    if (!run) return;
    runs.delete(id);
    finished.delete(id);
    stopRunning(run);
    setTimer(id, run, undefined);
    bytes -= run.used;
    wake(run);
    notify(run, 'gone');
  }

  /** Evicts the oldest finished runs while `over()` holds; false when none is left to evict. */
  function evictWhile(over: () => boolean): boolean {
    while (over()) {
      const oldest = finished.values().next();
      if (oldest.done) return false;
      remove(oldest.value);
    }
    return true;
  }

  function runningBytes(): number {
    let total = 0;
    for (const run of runs.values()) if (run.state === 'running') total += run.used;
    return total;
  }

  return {
    get timers() {
      return timers;
    },

    async create(id: string, meta: RunMeta, ttlMs: number, limits: CreateLimits): Promise<CreateResult> {
      if (runs.has(id)) throw new Error(`Run ${id} exists already.`);
      if (meta.client !== undefined && (runningByClient.get(meta.client) ?? 0) >= limits.maxRunningPerClient) return 'client_busy';
      maxBytes = limits.maxBytes;
      if (!evictWhile(() => runs.size >= limits.maxRuns)) return 'full';
      if (!evictWhile(() => bytes >= limits.maxBytes)) {
        // Only running runs are left: they alone fill the budget.
        if (runningBytes() >= limits.maxBytes) return 'full';
      }
      const run: StoredRun = {
        ...meta,
        state: 'running',
        buffer: new Uint8Array(INITIAL_CAPACITY),
        used: 0,
        ends: new Uint32Array(64),
        length: 0,
        readers: 0,
        claimed: false,
        cancelled: false,
        timer: undefined,
        waiters: undefined,
        watchers: undefined,
      };
      runs.set(id, run);
      running++;
      if (meta.client !== undefined) runningByClient.set(meta.client, (runningByClient.get(meta.client) ?? 0) + 1);
      setTimer(id, run, ttlMs);
      return 'created';
    },

    async info(id: string): Promise<RunInfo | undefined> {
      const run = runs.get(id);
      if (!run) return undefined;
      const { owner, client, state, length, used, readers, claimed, cancelled } = run;
      return { owner, client, state, length, bytes: used, readers, claimed, cancelled };
    },

    async append(id: string, event: Uint8Array): Promise<number> {
      const run = runs.get(id);
      if (!run || run.state !== 'running') return 0;
      if (run.used + event.byteLength > run.buffer.length) run.buffer = grow(run.buffer, run.used + event.byteLength);
      if (run.length + 1 > run.ends.length) run.ends = grow(run.ends, run.length + 1);
      run.buffer.set(event, run.used);
      run.used += event.byteLength;
      run.ends[run.length++] = run.used;
      bytes += event.byteLength;
      if (bytes > maxBytes) evictWhile(() => bytes > maxBytes);
      wake(run);
      return run.length;
    },

    async read(id: string, afterSeq: number, maxBytes: number): Promise<RunRead | undefined> {
      const run = runs.get(id);
      if (!run) return undefined;
      const events: Uint8Array[] = [];
      let start = afterSeq > 0 ? (run.ends[afterSeq - 1] ?? run.used) : 0;
      const first = start;
      for (let seq = afterSeq + 1; seq <= run.length && (events.length === 0 || start - first < maxBytes); seq++) {
        const end = run.ends[seq - 1]!;
        events.push(run.buffer.subarray(start, end));
        start = end;
      }
      return { state: run.state, length: run.length, events };
    },

    wait(id: string, afterSeq: number, signal: AbortSignal): Promise<void> {
      const run = runs.get(id);
      if (!run || run.state !== 'running' || run.length > afterSeq || signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const waiters = (run.waiters ??= new Set());
        const done = () => {
          waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },

    async finish(id: string, ttlMs: number, abandonedTtlMs: number): Promise<void> {
      const run = runs.get(id);
      if (!run || run.state !== 'running') return;
      stopRunning(run);
      run.state = 'finished';
      // Trimmed to size: what is kept is the wire size, not the growth headroom.
      run.buffer = run.buffer.slice(0, run.used);
      run.ends = run.ends.slice(0, run.length);
      finished.add(id);
      setTimer(id, run, run.readers > 0 || run.claimed ? ttlMs : abandonedTtlMs);
      wake(run);
      notify(run, 'gone');
    },

    async expire(id: string, ttlMs: number | undefined): Promise<void> {
      const run = runs.get(id);
      if (run) setTimer(id, run, ttlMs);
    },

    async cancel(id: string): Promise<boolean> {
      const run = runs.get(id);
      if (!run || run.state !== 'running') return false;
      run.cancelled = true;
      notify(run, 'cancelled');
      return true;
    },

    watch(id: string, signal: AbortSignal): Promise<WatchResult> {
      const run = runs.get(id);
      if (!run || run.state !== 'running') return Promise.resolve('gone');
      if (run.cancelled) return Promise.resolve('cancelled');
      if (signal.aborted) return Promise.resolve('aborted');
      return new Promise((resolve) => {
        const watchers = (run.watchers ??= new Set());
        const done = (result: WatchResult) => {
          watchers.delete(done);
          signal.removeEventListener('abort', aborted);
          resolve(result);
        };
        const aborted = () => done('aborted');
        watchers.add(done);
        signal.addEventListener('abort', aborted, { once: true });
      });
    },

    async attach(id: string, delta: 1 | -1, idleTtlMs: number): Promise<number> {
      const run = runs.get(id);
      if (!run) return 0;
      run.readers = Math.max(0, run.readers + delta);
      if (run.state === 'running') {
        if (delta === 1) setTimer(id, run, undefined);
        else if (run.readers === 0) setTimer(id, run, idleTtlMs);
      }
      return run.readers;
    },

    async claim(id: string, ttlMs: number): Promise<void> {
      const run = runs.get(id);
      if (!run || run.claimed) return;
      run.claimed = true;
      if (run.state === 'finished') setTimer(id, run, ttlMs);
    },

    async usage(): Promise<StoreUsage> {
      return { running, held: runs.size, bytes };
    },
  };
}
