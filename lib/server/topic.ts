import 'server-only';

import { parseClockId, type ResetReason } from '@/lib/clock/protocol';
import { encodeEvent, toBytes } from '@/lib/sse/encoder';
import type { SseConnection } from '@/lib/sse/server';
import type { EventInput } from '@/lib/sse/types';

/** Options of {@link createTopic}. */
export interface TopicOptions {
  /** How many recent events are kept for resuming clients. */
  bufferSize: number;
  /** Called when the first subscriber arrives: start the topic's one shared timer here. */
  onActive?: () => void;
  /** Called when the last subscriber leaves: stop the timer here. */
  onIdle?: () => void;
}

/** Where a resuming subscriber starts, as told by {@link Topic.subscribe}. */
export type ResumeResult =
  | { kind: 'live' }
  | { kind: 'replayed'; count: number }
  | { kind: 'reset'; reason: ResetReason };

/** A broadcast topic: each event is encoded once and sent to every subscriber. */
export interface Topic {
  /** Publishes an event to every subscriber under the next id; returns that id. */
  publish(event: Omit<EventInput, 'id' | 'retry'>): number;
  /**
   * Publishes an event numbered elsewhere (a Redis Stream shared by several instances) under `id`.
   * An id at or below the newest is a repeat and is dropped (false). An id past the next one means
   * events were lost upstream: the buffer is emptied first, so no replay can step over the hole
   * (a client behind it gets a `reset`).
   */
  append(id: number, event: Omit<EventInput, 'id' | 'retry'>): boolean;
  /** Whether a client whose last event is `id` can resume here: the buffer holds all after it. */
  covers(id: number): boolean;
  /** Ends every subscriber's stream (close reason `server`), so their clients reconnect. */
  endAll(): number;
  /**
   * Adds a subscriber. With `lastEventId` (from `Last-Event-ID`), it first receives every buffered
   * event after that id, then live ones: no gap, no duplicate. An id the buffer no longer covers,
   * an unknown or a malformed one starts live (result `reset`: the caller tells the client it
   * missed events). Returns how it started. Call {@link Topic.unsubscribe} when the stream ends.
   *
   * `greet` runs before anything is sent, with the result and the id the client's cursor stands
   * at: its own `Last-Event-ID` when resuming, else the newest event's. A greeting sent with that
   * id keeps a spec-following parser's last event ID right even before the next numbered event.
   */
  subscribe(connection: SseConnection, lastEventId?: string | null, greet?: (result: ResumeResult, cursor: number) => void): ResumeResult;
  /** Removes a subscriber (idempotent). */
  unsubscribe(connection: SseConnection): void;
  /** Subscribers now. */
  readonly size: number;
  /** The id of the newest event, 0 before the first. */
  readonly lastId: number;
}

interface Entry {
  id: number;
  bytes: Uint8Array;
}

/** Creates a topic with numeric, strictly increasing event ids and a bounded replay buffer. */
export function createTopic(options: TopicOptions): Topic {
  const subscribers = new Set<SseConnection>();
  // A ring buffer: `buffer[(start + i) % size]` is the i-th oldest kept event.
  const buffer: Entry[] = [];
  let start = 0;
  let lastId = 0;

  function remember(entry: Entry): void {
    if (buffer.length < options.bufferSize) {
      buffer.push(entry);
    } else {
      buffer[start] = entry;
      start = (start + 1) % buffer.length;
    }
  }

  function replayAfter(id: number, connection: SseConnection): number {
    let count = 0;
    for (let i = 0; i < buffer.length; i++) {
      const entry = buffer[(start + i) % buffer.length]!;
      if (entry.id > id && connection.sendBytes(entry.bytes)) count++;
    }
    return count;
  }

  function send(id: number, event: Omit<EventInput, 'id' | 'retry'>): void {
    lastId = id;
    const entry = { id, bytes: toBytes(encodeEvent({ ...event, id })) };
    remember(entry);
    for (const subscriber of subscribers) subscriber.sendBytes(entry.bytes);
  }

  const oldestId = () => (buffer.length > 0 ? buffer[start]!.id : lastId + 1);

  function classify(lastEventId: string | null | undefined): ResumeResult {
    if (lastEventId === undefined || lastEventId === null || lastEventId === '') return { kind: 'live' };
    const id = parseClockId(lastEventId);
    if (id === undefined) return { kind: 'reset', reason: 'malformed' };
    if (id > lastId) return { kind: 'reset', reason: 'unknown' };
    // The client must have seen the event just before the oldest kept one, or events are lost.
    if (id < oldestId() - 1) return { kind: 'reset', reason: 'expired' };
    return { kind: 'replayed', count: 0 };
  }

  return {
    publish(event) {
      send(lastId + 1, event);
      return lastId;
    },
    append(id, event) {
      if (id <= lastId) return false;
      if (id !== lastId + 1) {
        buffer.length = 0;
        start = 0;
      }
      send(id, event);
      return true;
    },
    covers(id) {
      return id <= lastId && id >= oldestId() - 1;
    },
    endAll() {
      const all = [...subscribers];
      for (const subscriber of all) subscriber.close('server');
      // A connection's own cleanup unsubscribes it; one whose close has no cleanup is dropped here.
      for (const subscriber of all) this.unsubscribe(subscriber);
      return all.length;
    },
    subscribe(connection, lastEventId, greet) {
      let result = classify(lastEventId);
      greet?.(result, result.kind === 'replayed' ? Number(lastEventId) : lastId);
      if (result.kind === 'replayed') result = { kind: 'replayed', count: replayAfter(Number(lastEventId), connection) };
      if (connection.closed) return result;
      subscribers.add(connection);
      if (subscribers.size === 1) options.onActive?.();
      return result;
    },
    unsubscribe(connection) {
      if (subscribers.delete(connection) && subscribers.size === 0) options.onIdle?.();
    },
    get size() {
      return subscribers.size;
    },
    get lastId() {
      return lastId;
    },
  };
}
