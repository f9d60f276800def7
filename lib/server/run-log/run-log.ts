import { encodeEvent, toBytes } from '@/lib/sse/encoder';
import type { SseConnection, SseSource } from '@/lib/sse/server';
import type { EventInput } from '@/lib/sse/types';
import type { Orphan, RunStore } from './types';

/** The policy of a run log. */
export interface RunLogLimits {
  /** How long a running run goes on with nobody attached before it is stopped and dropped. */
  graceMs: number;
  /** How long a finished run is kept when a client was there at its end. */
  retentionMs: number;
  /** How long a finished run is kept when nobody was attached at its end (abandoned). */
  abandonedRetentionMs: number;
  /** Most runs held, running or kept. */
  maxRuns: number;
  /** Most runs one client may have running at once. */
  maxRunningPerClient: number;
  /** Most bytes one run may log; the run ends with {@link RunLogOptions.tooLarge} past it. */
  maxLogBytes: number;
  /** Most log bytes held in all; the oldest finished runs go first. */
  maxTotalBytes: number;
}

/** Why a producer's signal aborted (its `reason`). */
export type StopReason = 'cancelled' | 'gone' | 'too_large';

/** Options of {@link createRunLog}. */
export interface RunLogOptions<Input> {
  store: RunStore;
  limits: RunLogLimits;
  /**
   * Produces a run's events. Its signal aborts (with a {@link StopReason}) when the run is
   * cancelled, expires or outgrows its log; after a cancel the producer may still yield final
   * events (as a `done` saying it was stopped), then must return. The log asks for the next event
   * only once the previous one is logged, so code after a `yield` runs only for logged events.
   *
   * `replayed` is how many of its first events are logged already: when another instance takes
   * over a run whose producer died, it runs the producer again from the same input, and those
   * events must come again, the same and without their pauses (the log checks and skips them).
   */
  makeStream(input: Input, signal: AbortSignal, replayed: number): AsyncIterable<EventInput>;
  /** The `id:` of event `seq` of run `runId`. */
  eventId(runId: string, seq: number): string;
  /** The event that ends a run whose log would outgrow `maxLogBytes`. */
  tooLarge: Omit<EventInput, 'id'>;
  /** The event that ends a run whose producer threw. */
  failed: Omit<EventInput, 'id'>;
  /** The event sent after a replay, under the id of the last event replayed. */
  resumed?(runId: string, afterSeq: number, replayed: number): Omit<EventInput, 'id'>;
  /**
   * Whether a run whose producer was lost (its instance died; only a store shared between
   * instances has such runs) is taken over: produced again from its input, continuing after its
   * last logged event (true, the default; the producer must then be deterministic), or ended with
   * {@link RunLogOptions.producerLost} (false).
   */
  takeover?: boolean;
  /** The event that ends a run whose producer was lost, when it is not taken over. */
  producerLost?: Omit<EventInput, 'id'>;
}

/** What {@link RunLog.start} answers. */
export type StartResult = { ok: true } | { ok: false; reason: 'client_busy' | 'full' };

/** What {@link RunLog.open} answers. */
export type OpenResult =
  /** Stream it: a source for `createSseResponse` that replays, then follows. */
  | { kind: 'stream'; source: SseSource }
  /** Nothing (more) to send: finished with nothing after the cursor. */
  | { kind: 'finished' }
  /** No such run for this caller: never was, expired, or someone else's. */
  | { kind: 'unknown' };

/** A resumable event log over a {@link RunStore}. */
export interface RunLog<Input> {
  /** Starts run `id` detached from any connection; it runs for `graceMs` unless a reader attaches. */
  start(id: string, input: Input, meta: { owner: string | undefined; client: string | undefined }): Promise<StartResult>;
  /**
   * Opens run `id` for a reader with principal `principal`, after event `afterSeq`. The reader
   * counts as attached from now until its stream ends (see {@link SseSource.close}). Any reader
   * but the one that `starting` marks (the connection that started the run) claims the run: it
   * is kept for the full retention, as a client came back for it.
   */
  open(id: string, afterSeq: number, principal: string | undefined, starting?: boolean): Promise<OpenResult>;
  /** The user's Stop: false for an unknown run, or someone else's. A finished run stays as it is. */
  cancel(id: string, principal: string | undefined): Promise<boolean>;
}

/** Bytes of log one pull sends at most (and at least one event). */
const PULL_BYTES = 16 * 1024;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

function mayRead(owner: string | undefined, principal: string | undefined): boolean {
  return owner === undefined || owner === principal;
}

/**
 * One reader of one run: the source of its connection. It replays from the log as the client
 * reads, then waits for live events; it holds no timer and no closure of its own.
 */
class RunReader<Input> implements SseSource {
  private resumePending: boolean;
  private closed = false;
  private cursor: number;

  constructor(
    private readonly log: RunLogOptions<Input>,
    private readonly id: string,
    private readonly afterSeq: number,
    private readonly replayEnd: number,
  ) {
    this.cursor = afterSeq;
    this.resumePending = afterSeq > 0 && log.resumed !== undefined;
  }

  async pull(connection: SseConnection): Promise<void> {
    const { store } = this.log;
    while (!connection.closed) {
      const read = await store.read(this.id, this.cursor, PULL_BYTES);
      if (!read) {
        connection.close('server');
        return;
      }
      let sent = 0;
      for (const event of read.events) {
        if (!this.sendResumedIfDue(connection)) return;
        if (!connection.sendBytes(event)) return;
        this.cursor++;
        sent++;
      }
      if (!this.sendResumedIfDue(connection)) return;
      if (sent > 0) return;
      if (read.state === 'finished') {
        await store.claim(this.id, this.log.limits.retentionMs);
        connection.close('server');
        return;
      }
      await store.wait(this.id, this.cursor, connection.signal);
    }
  }

  /** Sends `resumed` once the replay (the log as it was when opened) is through; false when closed. */
  private sendResumedIfDue(connection: SseConnection): boolean {
    if (!this.resumePending || this.cursor < this.replayEnd) return !connection.closed;
    this.resumePending = false;
    const event = this.log.resumed!(this.id, this.afterSeq, Math.max(0, this.replayEnd - this.afterSeq));
    // It repeats the id of the last event sent: without one, a spec-following parser on a fresh
    // connection would reset its last event ID to "".
    connection.send({ ...event, id: this.log.eventId(this.id, this.cursor) });
    return !connection.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A shared store that cannot answer now (Redis down) keeps the count; the run's time to live
    // still bounds it.
    this.log.store.attach(this.id, -1, this.log.limits.graceMs).catch(() => {});
  }
}

/**
 * A resumable event log: each run's producer (the {@link RunLogOptions.makeStream} parameter)
 * writes encoded events into the store, detached from any connection, and readers pull them by
 * sequence number, replaying then following, from any instance that shares the store.
 */
export function createRunLog<Input>(options: RunLogOptions<Input>): RunLog<Input> {
  const { store, limits } = options;
  store.onOrphan?.((orphan) => void takeOver(orphan));

  /** Produces run `id`; `from` is a lost producer's run taken over, continued after its log. */
  async function produce(id: string, input: Input, from?: Orphan): Promise<void> {
    const controller = new AbortController();
    // The producer is the run's one writer: it numbers the events itself.
    let seq = from?.length ?? 0;
    let bytes = from?.bytes ?? 0;
    const watching = new AbortController();
    void store.watch(id, watching.signal).then((result) => {
      if (result !== 'aborted') controller.abort(result satisfies StopReason);
    });
    // A run taken over: the producer yields the logged events again, which must be the same
    // bytes; they are checked and skipped. A run cancelled before its producer was lost only
    // gets its final events.
    const replay = from && !from.cancelled ? await readLog(id, from.length) : [];
    let replayed = 0;
    const iterator = options.makeStream(input, controller.signal, replay.length)[Symbol.asyncIterator]();
    try {
      while (true) {
        let next: IteratorResult<EventInput>;
        try {
          next = await iterator.next();
        } catch (error) {
          if (controller.signal.aborted) break;
          console.error('run producer failed', error);
          await append(id, ++seq, options.failed);
          break;
        }
        if (next.done) break;
        if (replayed < replay.length) {
          const again = toBytes(encodeEvent({ ...next.value, id: options.eventId(id, replayed + 1) }));
          if (!sameBytes(again, replay[replayed]!)) {
            console.error(`run ${id}: taken over, its producer did not repeat event ${replayed + 1}; ending it`);
            await append(id, ++seq, options.failed);
            break;
          }
          replayed++;
          continue;
        }
        // Gone (expired, evicted): nothing is logged any more. Cancelled: the producer's final
        // events still are.
        if (controller.signal.reason === 'gone') break;
        const encoded = toBytes(encodeEvent({ ...next.value, id: options.eventId(id, seq + 1) }));
        if (bytes + encoded.byteLength > limits.maxLogBytes) {
          controller.abort('too_large' satisfies StopReason);
          await append(id, ++seq, options.tooLarge);
          break;
        }
        if ((await store.append(id, encoded)) === 0) break;
        seq++;
        bytes += encoded.byteLength;
      }
    } finally {
      watching.abort();
      if (!controller.signal.aborted) controller.abort('gone' satisfies StopReason);
      await iterator.return?.();
      await store.finish(id, limits.retentionMs, limits.abandonedRetentionMs);
    }
  }

  /** The first `length` events of run `id`'s log. */
  async function readLog(id: string, length: number): Promise<Uint8Array[]> {
    const events: Uint8Array[] = [];
    while (events.length < length) {
      const read = await store.read(id, events.length, Number.POSITIVE_INFINITY);
      if (!read || read.events.length === 0) break;
      events.push(...read.events);
    }
    return events.slice(0, length);
  }

  /** A run whose producer was lost, now this instance's: continued, or ended with `producerLost`. */
  async function takeOver(orphan: Orphan): Promise<void> {
    try {
      if (options.takeover !== false) {
        await produce(orphan.id, JSON.parse(orphan.input) as Input, orphan);
        return;
      }
      await append(orphan.id, orphan.length + 1, options.producerLost ?? options.failed);
      await store.finish(orphan.id, limits.retentionMs, limits.abandonedRetentionMs);
    } catch (error) {
      console.error(`run ${orphan.id}: taking it over failed`, error);
    }
  }

  async function append(id: string, seq: number, event: Omit<EventInput, 'id'>): Promise<void> {
    await store.append(id, toBytes(encodeEvent({ ...event, id: options.eventId(id, seq) })));
  }

  return {
    async start(id, input, meta) {
      const created = await store.create(
        id,
        meta,
        limits.graceMs,
        { maxRuns: limits.maxRuns, maxRunningPerClient: limits.maxRunningPerClient, maxBytes: limits.maxTotalBytes },
        store.onOrphan ? JSON.stringify(input) : undefined,
      );
      if (created !== 'created') return { ok: false, reason: created };
      // A store that fails mid-run (Redis down) ends the producer; nothing is left to answer.
      produce(id, input).catch((error: unknown) => console.error(`run ${id}: its producer stopped`, error));
      return { ok: true };
    },

    async open(id, afterSeq, principal, starting = false) {
      const info = await store.info(id);
      if (!info || !mayRead(info.owner, principal)) return { kind: 'unknown' };
      if (!starting) await store.claim(id, limits.retentionMs);
      if (info.state === 'finished' && afterSeq >= info.length) return { kind: 'finished' };
      if ((await store.attach(id, 1, limits.graceMs)) === 0) return { kind: 'unknown' };
      return { kind: 'stream', source: new RunReader(options, id, afterSeq, info.length) };
    },

    async cancel(id, principal) {
      const info = await store.info(id);
      if (!info || !mayRead(info.owner, principal)) return false;
      await store.cancel(id);
      return true;
    },
  };
}
