/**
 * The storage seam of the resumable run log. A run is a log of encoded events (opaque bytes,
 * numbered from 1) written by one producer and read by any number of readers, each pulling by
 * sequence number. Every method is async and speaks in ids, numbers and bytes only, so that a
 * store shared between instances (Redis) can sit behind the same interface as the in-process one:
 * a reader on one instance can follow a run whose producer runs on another.
 */

/** What a run is doing: producing events, or finished and kept for replay until it expires. */
export type RunState = 'running' | 'finished';

/** What a run's creator records about it. */
export interface RunMeta {
  /** Who may read or stop the run (a principal); undefined: anyone who knows the id. */
  owner: string | undefined;
  /** Whom the run counts against for the per-client cap (the client address). */
  client: string | undefined;
}

/** A snapshot of one run. */
export interface RunInfo extends RunMeta {
  state: RunState;
  /** Events logged so far; the last one's sequence number. */
  length: number;
  /** Bytes logged so far. */
  bytes: number;
  /** Readers attached right now, on any instance. */
  readers: number;
  /**
   * True once a client came back for the run (attached again after the one that started it) or
   * read it to its end: such a run is kept for the full retention, an abandoned one for less.
   */
  claimed: boolean;
  /** True once the run was cancelled (the user's Stop). */
  cancelled: boolean;
}

/** Limits checked atomically when a run is created. */
export interface CreateLimits {
  /** Most runs held, running or kept; the oldest finished ones are evicted first to make room. */
  maxRuns: number;
  /** Most runs of one client running at once. */
  maxRunningPerClient: number;
  /** Most log bytes held; the oldest finished runs are evicted first to make room. */
  maxBytes: number;
}

/** Why a run could not be created. */
export type CreateResult = 'created' | 'client_busy' | 'full';

/** Totals of a store, for `/api/stats`. */
export interface StoreUsage {
  /** Runs producing events. */
  running: number;
  /** Runs held, running or kept. */
  held: number;
  /** Log bytes held, in all runs. */
  bytes: number;
}

/** One read of a run's log. */
export interface RunRead {
  state: RunState;
  /** The run's length when read. */
  length: number;
  /** The events after the requested sequence number, in order (possibly fewer than remain). */
  events: Uint8Array[];
}

/**
 * Where runs live. Expiry is the store's: a run whose time to live elapses is deleted with its
 * log, its waiters are woken and its producer sees it gone ({@link RunStore.watch}).
 */
export interface RunStore {
  /**
   * Creates a running run with time to live `ttlMs`, unless a limit forbids it: evicting the
   * oldest finished runs first when the store is over `maxRuns` or `maxBytes`. `input` is what
   * the run is produced from (serialised), kept by a store whose runs can outlive their producer
   * (see {@link RunStore.onOrphan}); the in-process store ignores it.
   */
  create(id: string, meta: RunMeta, ttlMs: number, limits: CreateLimits, input?: string): Promise<CreateResult>;
  /** A snapshot of run `id`; undefined when there is none (never was, or expired). */
  info(id: string): Promise<RunInfo | undefined>;
  /** Appends one event to a running run; returns its sequence number, or 0 when the run is not running. */
  append(id: string, event: Uint8Array): Promise<number>;
  /** The events after `afterSeq`, at most about `maxBytes` of them (at least one when any). */
  read(id: string, afterSeq: number, maxBytes: number): Promise<RunRead | undefined>;
  /**
   * Resolves once the run has an event after `afterSeq`, has finished, or is gone, or once
   * `signal` aborts; at once when that is already so.
   */
  wait(id: string, afterSeq: number, signal: AbortSignal): Promise<void>;
  /**
   * Marks a run finished and sets its time to live: `ttlMs` when a reader is attached or the run
   * was claimed, `abandonedTtlMs` when nobody is there to read it.
   */
  finish(id: string, ttlMs: number, abandonedTtlMs: number): Promise<void>;
  /** Sets a run's time to live (from now); `undefined` keeps it until set again. */
  expire(id: string, ttlMs: number | undefined): Promise<void>;
  /** Marks a running run cancelled and wakes its producer; false when the run is not running. */
  cancel(id: string): Promise<boolean>;
  /**
   * Resolves once run `id` is cancelled or gone (expired, evicted), wherever that was decided,
   * or once `signal` aborts. The producer watches its run with it.
   */
  watch(id: string, signal: AbortSignal): Promise<'cancelled' | 'gone' | 'aborted'>;
  /**
   * Counts a reader in (+1) or out (-1) and returns the readers attached after the change (0 for
   * an unknown run). A running run with a reader has no time to live; one whose last reader left
   * gets `idleTtlMs` (the grace period).
   */
  attach(id: string, delta: 1 | -1, idleTtlMs: number): Promise<number>;
  /**
   * Records that a client came back for the run or read it to its end (see
   * {@link RunInfo.claimed}); the first time, a finished run's time to live becomes `ttlMs`.
   */
  claim(id: string, ttlMs: number): Promise<void>;
  /** Totals, for `/api/stats`. */
  usage(): Promise<StoreUsage>;
  /**
   * Sets who takes over a run whose producer was lost (its instance died): the store has already
   * claimed the run for this instance, so appends and `finish` from here are the run's from now
   * on. Only a store shared between instances (Redis) has lost producers; the in-process one dies
   * with its runs and has no such method.
   */
  onOrphan?(handler: (orphan: Orphan) => void): void;
}

/** A run whose producer was lost, now this instance's to continue or to end. */
export interface Orphan {
  id: string;
  /** The input it was created with (see {@link RunStore.create}). */
  input: string;
  /** Events logged: the producer continues from event `length + 1`. */
  length: number;
  /** Bytes logged. */
  bytes: number;
  /** True when it was cancelled before its producer was lost. */
  cancelled: boolean;
}
