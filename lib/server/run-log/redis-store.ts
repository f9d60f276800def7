import 'server-only';

import { randomBytes } from 'node:crypto';
import { RESP_TYPES } from 'redis';
import type { RedisConnections } from '../redis/connections';
import { instanceId } from '../redis/instance';
import { ATTACH, CANCEL, CLAIM, CREATE, EXPIRE, FINISH, FLUSH, INDEX_FINISH, INDEX_TTL, INDEX_USAGE, ORPHAN, RENEW } from './redis-scripts';
import type { CreateLimits, CreateResult, Orphan, RunInfo, RunMeta, RunRead, RunStore, StoreUsage } from './types';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Key prefix: `<prefix>:{<id>}:meta` and so on. Two run logs sharing a Redis need two. */
  prefix?: string;
  /** How long a producer's lease lives unrenewed. One timer renews all of an instance's leases every third of it. */
  leaseMs?: number;
  /** Most time a run's appended events wait before they are written, in one round trip per run. */
  flushMs?: number;
  /** The time to live of a running run while a reader is attached (renewed with the lease), so a run nobody finishes does not stay forever. */
  attachedTtlMs?: number;
}

type WatchResult = 'cancelled' | 'gone' | 'aborted';

/** A run this instance produces: its lease token, its events not yet written, its watchers. */
interface Producing {
  token: string;
  /** Events appended, written or not: the last one's sequence number. */
  length: number;
  /** Events written to Redis. */
  flushed: number;
  pending: Buffer[];
  pendingBytes: number;
  /** Set once Redis said the run is gone, finished elsewhere or taken over: appends stop. */
  lost: boolean;
  cancelled: boolean;
  watchers: Set<(result: WatchResult) => void>;
  /** The chain of this run's writes: one at a time, in order. */
  chain: Promise<void>;
}

interface Waiter {
  afterSeq: number;
  wake(): void;
}

const META_FIELDS = ['state', 'length', 'bytes', 'readers', 'claimed', 'cancelled', 'owner', 'client'] as const;

/** Events one read asks Redis for at most (the byte budget may cut it shorter). */
const READ_BATCH = 256;

/**
 * A {@link RunStore} in Redis, shared by every instance using that Redis.
 *
 * Keys: per run, a hash `<prefix>:{<id>}:meta` (state, length, bytes, readers, flags, owner, client
 * and the producer's input as JSON), a list `<prefix>:{<id>}:log` (event `seq` at index `seq - 1`)
 * and a lease `<prefix>:{<id>}:lease`; the braces are a hash tag, so a run's keys share one slot of
 * a Redis Cluster and each script touches one slot. The global limits use an index under
 * `<prefix>:{index}:*` (one slot), updated beside the run's own keys, not atomically with them:
 * approximate (see the README).
 *
 * Writes are batched: a produced run's events are kept in process and written at most every
 * `flushMs` in one script call (one round trip) per run, and at once when it finishes. The script
 * checks the lease and the expected length, so a producer that lost its run to a takeover cannot
 * write into it. Readers follow runs through pub/sub: one channel per run, subscribed on the
 * instance's one subscriber connection while a reader or the producer of that run is here.
 *
 * One timer per store (every third of `leaseMs`) renews the leases of every run the instance
 * produces (learning of cancels and expiry as it goes) and checks the runs its readers wait on:
 * a running run with no lease lost its producer, and the first instance to see it claims the lease
 * (SET NX, in a script) and hands the run to the {@link RunStore.onOrphan} handler.
 */
export function createRedisStore(
  redis: RedisConnections,
  options: RedisStoreOptions = {},
): RunStore & {
  /** Stops the timers and writes nothing more (unwritten events are dropped), as if the instance died; for shutdown and tests. */
  close(): void;
} {
  const prefix = options.prefix ?? 'sse:run';
  const leaseMs = options.leaseMs ?? 3000;
  const flushMs = options.flushMs ?? 50;
  const attachedTtlMs = options.attachedTtlMs ?? 10 * 60_000;
  const owner = `${instanceId()}:${randomBytes(4).toString('hex')}`;
  let tokens = 0;

  const commands = () => redis.commands();
  // Reads get the log's bytes as Buffers, not decoded to strings and encoded again.
  let binaryOf: { client: ReturnType<typeof commands>; binary: ReturnType<typeof makeBinary> } | undefined;
  const makeBinary = (client: ReturnType<typeof commands>) => client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const binary = () => {
    const client = commands();
    if (binaryOf?.client !== client) binaryOf = { client, binary: makeBinary(client) };
    return binaryOf.binary;
  };
  const runKeys = (id: string) => [`${prefix}:{${id}}:meta`, `${prefix}:{${id}}:log`, `${prefix}:{${id}}:lease`];
  const channelOf = (id: string) => `${prefix}:{${id}}:changed`;
  const index = ['held', 'finished', 'client', 'perclient', 'bytes', 'total'].map((name) => `${prefix}:{index}:${name}`);
  const evalRun = (script: string, id: string, args: (string | Buffer)[]) => commands().eval(script, { keys: runKeys(id), arguments: args as string[] });
  const evalIndex = (script: string, args: string[]) => commands().eval(script, { keys: index, arguments: args });
  const indexTtl = (id: string, ttl: string) => {
    evalIndex(INDEX_TTL, [id, ttl]).catch(() => {});
  };

  // The connections are made now, so that they are up by the time a run is created or followed.
  redis.commands();
  redis.subscriber();
  const producing = new Map<string, Producing>();
  // After close() this store writes nothing more, as a dead instance: its runs' leases lapse.
  let closed = false;
  const waiters = new Map<string, Set<Waiter>>();
  let orphanHandler: ((orphan: Orphan) => void) | undefined;

  // --- pub/sub: one channel per run, held while someone here follows the run ---------------------
  const channels = new Map<string, { count: number; ready: Promise<void> }>();
  // The last length each followed run announced (Infinity once finished): a waiter that comes in
  // just after the announcement of what it waits for sees it here.
  const announced = new Map<string, number>();

  function onMessage(id: string, message: string): void {
    if (message === 'cancelled') {
      const run = producing.get(id);
      if (run) notify(run, 'cancelled');
      return;
    }
    const length = message === 'finished' ? Number.POSITIVE_INFINITY : Number(message);
    announced.set(id, Math.max(announced.get(id) ?? 0, length));
    wake(id, length);
  }

  function follow(id: string): Promise<void> {
    const held = channels.get(id);
    if (held) {
      held.count++;
      return held.ready;
    }
    const entry = { count: 1, ready: Promise.resolve() };
    channels.set(id, entry);
    const subscribe = (): Promise<void> =>
      redis
        .subscriber()
        .subscribe(channelOf(id), (message) => onMessage(id, message))
        .catch(() => {
          // Not subscribed (Redis unreachable, or the connection still coming up): the timer's
          // checks stand in meanwhile, and it is tried again while someone here follows the run.
          const retry = setTimeout(() => {
            if (channels.get(id) === entry) entry.ready = subscribe();
          }, 250);
          retry.unref();
        });
    entry.ready = subscribe();
    return entry.ready;
  }

  function unfollow(id: string): void {
    const held = channels.get(id);
    if (!held || --held.count > 0) return;
    channels.delete(id);
    announced.delete(id);
    redis.subscriber().unsubscribe(channelOf(id)).catch(() => {});
  }

  function wake(id: string, length = Number.POSITIVE_INFINITY): void {
    const set = waiters.get(id);
    if (!set) return;
    for (const waiter of [...set]) if (length > waiter.afterSeq) waiter.wake();
  }

  function notify(run: Producing, result: WatchResult): void {
    if (result === 'cancelled') run.cancelled = true;
    else run.lost = true;
    for (const watcher of [...run.watchers]) watcher(result);
  }

  // --- writes -----------------------------------------------------------------------------------
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  function scheduleFlush(): void {
    if (flushTimer !== undefined) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      for (const [id, run] of producing) if (run.pending.length > 0) queueFlush(id, run);
    }, flushMs);
  }

  function queueFlush(id: string, run: Producing): Promise<void> {
    run.chain = run.chain.then(() => flush(id, run));
    return run.chain;
  }

  async function flush(id: string, run: Producing): Promise<void> {
    if (run.pending.length === 0 || run.lost || closed) return;
    const events = run.pending;
    const bytes = run.pendingBytes;
    run.pending = [];
    run.pendingBytes = 0;
    let result: unknown;
    try {
      result = await evalRun(FLUSH, id, [run.token, String(run.flushed), String(leaseMs), channelOf(id), String(bytes), ...events]);
    } catch {
      // Redis is unreachable: keep the events, in order, and try again.
      run.pending = [...events, ...run.pending];
      run.pendingBytes += bytes;
      scheduleFlush();
      return;
    }
    if (typeof result === 'number' && result > 0) run.flushed = result;
    else notify(run, 'gone');
  }

  // --- the timer: leases, and the runs readers wait on -------------------------------------------
  let ticking = false;
  const ticker = setInterval(() => {
    if (!redis.isReady('commands')) {
      // Redis is unreachable: no waiter may hang on it. Woken, each reader reads, fails, and its
      // stream ends, so its client reconnects (and gets 503 until Redis is back).
      for (const id of [...waiters.keys()]) wake(id);
      return;
    }
    if (ticking) return;
    ticking = true;
    tick()
      .catch(() => {})
      .finally(() => (ticking = false));
  }, Math.max(10, Math.floor(leaseMs / 3)));
  ticker.unref();

  async function tick(): Promise<void> {
    const renewals = [...producing].map(async ([id, run]) => {
      const result = await evalRun(RENEW, id, [run.token, String(leaseMs), String(attachedTtlMs)]).catch(() => 'ok');
      if (result === 'cancelled' && !run.cancelled) notify(run, 'cancelled');
      if (result === 'gone' && producing.get(id) === run) {
        notify(run, 'gone');
        wake(id);
      }
    });
    for (const [id, run] of producing) if (waiters.has(id)) wake(id, run.flushed);
    const checks = [...waiters.keys()]
      .filter((id) => !producing.has(id))
      .map(async (id) => {
        const token = `${owner}:${++tokens}`;
        const result = (await evalRun(ORPHAN, id, [token, String(leaseMs)])) as string[];
        const [state, length] = result;
        if (state === 'taken') {
          if (!orphanHandler) return;
          adopt(id, token, Number(length)).cancelled = result[3] === '1';
          orphanHandler({ id, length: Number(length), bytes: Number(result[2]), cancelled: result[3] === '1', input: result[4] ?? '' });
          return;
        }
        if (state !== 'running') wake(id);
        else wake(id, Number(length));
      });
    await Promise.all([...renewals, ...checks]);
  }

  function adopt(id: string, token: string, length: number): Producing {
    const run: Producing = { token, length, flushed: length, pending: [], pendingBytes: 0, lost: false, cancelled: false, watchers: new Set(), chain: Promise.resolve() };
    producing.set(id, run);
    void follow(id);
    return run;
  }

  function release(id: string, run: Producing): void {
    if (producing.get(id) !== run) return;
    producing.delete(id);
    unfollow(id);
  }

  return {
    async create(id: string, meta: RunMeta, ttlMs: number, limits: CreateLimits, input = ''): Promise<CreateResult> {
      const result = (await evalIndex(CREATE, [id, meta.client ?? '', String(ttlMs), String(limits.maxRunningPerClient), String(limits.maxRuns), String(limits.maxBytes)])) as string[];
      const [outcome, ...evicted] = result;
      if (evicted.length > 0) await Promise.all(evicted.map((old) => commands().del(runKeys(old))));
      if (outcome !== 'created') return outcome as CreateResult;
      const token = `${owner}:${++tokens}`;
      const [metaKey, , leaseKey] = runKeys(id);
      const fields: Record<string, string> = { state: 'running', length: '0', bytes: '0', readers: '0', claimed: '0', cancelled: '0', input };
      if (meta.owner !== undefined) fields.owner = meta.owner;
      if (meta.client !== undefined) fields.client = meta.client;
      await commands()
        .multi()
        .hSet(metaKey!, fields)
        .pExpire(metaKey!, ttlMs)
        .set(leaseKey!, token, { PX: leaseMs })
        .exec();
      adopt(id, token, 0);
      return 'created';
    },

    async info(id: string): Promise<RunInfo | undefined> {
      const [state, length, bytes, readers, claimed, cancelled, runOwner, client] = await commands().hmGet(runKeys(id)[0]!, [...META_FIELDS]);
      if (state !== 'running' && state !== 'finished') return undefined;
      return {
        owner: runOwner ?? undefined,
        client: client ?? undefined,
        state,
        length: Number(length),
        bytes: Number(bytes),
        readers: Number(readers),
        claimed: claimed === '1',
        cancelled: cancelled === '1',
      };
    },

    async append(id: string, event: Uint8Array): Promise<number> {
      const run = producing.get(id);
      if (!run || run.lost || closed) return 0;
      run.pending.push(Buffer.from(event.buffer, event.byteOffset, event.byteLength));
      run.pendingBytes += event.byteLength;
      scheduleFlush();
      return ++run.length;
    },

    async read(id: string, afterSeq: number, maxBytes: number): Promise<RunRead | undefined> {
      const [metaKey, logKey] = runKeys(id);
      // Two commands in one round trip (pipelined), not atomic: the events may run past the
      // length read, which only ever means the reader is a little ahead.
      const client = binary();
      const [run, events] = (await Promise.all([client.hmGet(metaKey!, ['state', 'length']), client.lRange(logKey!, afterSeq, afterSeq + READ_BATCH - 1)])) as unknown as [
        (Buffer | null)[],
        Buffer[],
      ];
      const state = run[0]?.toString();
      if (state !== 'running' && state !== 'finished') return undefined;
      const length = Number(run[1]?.toString());
      const kept: Uint8Array[] = [];
      let bytes = 0;
      for (const event of events) {
        if (kept.length > 0 && bytes >= maxBytes) break;
        kept.push(event);
        bytes += event.byteLength;
      }
      return { state, length, events: kept };
    },

    wait(id: string, afterSeq: number, signal: AbortSignal): Promise<void> {
      if (signal.aborted || (announced.get(id) ?? 0) > afterSeq) return Promise.resolve();
      return new Promise((resolve) => {
        let set = waiters.get(id);
        if (!set) waiters.set(id, (set = new Set()));
        let woken = false;
        const waiter: Waiter = {
          afterSeq,
          wake() {
            if (woken) return;
            woken = true;
            set.delete(waiter);
            if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
            signal.removeEventListener('abort', waiter.wake);
            unfollow(id);
            resolve();
          },
        };
        set.add(waiter);
        signal.addEventListener('abort', waiter.wake, { once: true });
        // A reader attached here already follows the run; anyone else subscribes first, then
        // checks, so that an event written in between is seen either way.
        const followed = channels.has(id);
        const ready = follow(id);
        if (followed) return;
        void ready.then(async () => {
          const [state, length] = await commands()
            .hmGet(runKeys(id)[0]!, ['state', 'length'])
            .catch(() => ['running', '0']);
          if (state !== 'running' || Number(length) > afterSeq) waiter.wake();
        });
      });
    },

    async finish(id: string, ttlMs: number, abandonedTtlMs: number): Promise<void> {
      const run = producing.get(id);
      if (!run || closed) return;
      await queueFlush(id, run);
      try {
        if (run.lost) return;
        const result = await evalRun(FINISH, id, [run.token, String(ttlMs), String(abandonedTtlMs), channelOf(id)]);
        if (Array.isArray(result)) {
          const [ttl, bytes] = result as number[];
          await evalIndex(INDEX_FINISH, [id, String(ttl), String(bytes)]).catch(() => {});
        }
        wake(id);
      } finally {
        notify(run, 'gone');
        release(id, run);
      }
    },

    async expire(id: string, ttlMs: number | undefined): Promise<void> {
      const ttl = ttlMs === undefined ? '' : String(ttlMs);
      if ((await evalRun(EXPIRE, id, [ttl])) === 1) indexTtl(id, ttl);
    },

    async cancel(id: string): Promise<boolean> {
      return (await commands().eval(CANCEL, { keys: [runKeys(id)[0]!], arguments: [channelOf(id)] })) === 1;
    },

    watch(id: string, signal: AbortSignal): Promise<WatchResult> {
      const run = producing.get(id);
      if (!run || run.lost) return Promise.resolve('gone');
      if (run.cancelled) return Promise.resolve('cancelled');
      if (signal.aborted) return Promise.resolve('aborted');
      return new Promise((resolve) => {
        const done = (result: WatchResult) => {
          run.watchers.delete(done);
          signal.removeEventListener('abort', aborted);
          resolve(result);
        };
        const aborted = () => done('aborted');
        run.watchers.add(done);
        signal.addEventListener('abort', aborted, { once: true });
      });
    },

    async attach(id: string, delta: 1 | -1, idleTtlMs: number): Promise<number> {
      // A reader follows its run's channel from before its first read to its close.
      if (delta === 1) await follow(id);
      let result: [number, string];
      try {
        result = (await evalRun(ATTACH, id, [String(delta), String(idleTtlMs), String(attachedTtlMs)])) as [number, string];
      } catch (error) {
        unfollow(id);
        throw error;
      }
      const [readers, ttl] = result;
      if (delta === -1 || readers === 0) unfollow(id);
      if (ttl !== '') indexTtl(id, ttl);
      return readers;
    },

    async claim(id: string, ttlMs: number): Promise<void> {
      const ttl = await evalRun(CLAIM, id, [String(ttlMs)]);
      if (typeof ttl === 'string' && ttl !== '') indexTtl(id, ttl);
    },

    async usage(): Promise<StoreUsage> {
      const [held, finished, bytes] = (await evalIndex(INDEX_USAGE, [])) as number[];
      return { running: held! - finished!, held: held!, bytes: bytes! };
    },

    onOrphan(handler: (orphan: Orphan) => void): void {
      orphanHandler = handler;
    },

    close(): void {
      closed = true;
      clearInterval(ticker);
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      for (const id of [...channels.keys()]) {
        channels.delete(id);
        redis.subscriber().unsubscribe(channelOf(id)).catch(() => {});
      }
    },
  };
}
