/**
 * The clock stream's wire protocol, shared by the producer, the route, the pages, the hooks, the
 * benches and the tests: event names, each event's data, the id format and a typed decoder.
 * Nothing else spells a clock event name.
 *
 * What a client receives, in order: a `message` greeting; on a resume, the missed `update`s and a
 * `resumed` (or a `reset` when they are gone); then an `update` every tick and, about
 * `CLOCK_NOTIFICATION_MS` after it connected, its own `notification`.
 */

import type { EventInput } from '@/lib/sse/types';
import { decodeJsonObject, type JsonObject } from '../json-data';

/** Why a `Last-Event-ID` could not be resumed from. */
export type ResetReason = 'malformed' | 'unknown' | 'expired';

/** The data of each clock event, by event name. */
export interface ClockEventMap {
  /** The greeting, plain text, under the id the client's cursor stands at. */
  message: string;
  /**
   * A tick, shared by every client under the next id of one sequence. `timestamp` is when the
   * server produced it (ISO 8601, millisecond precision): receipt time less it is the fan-out lag.
   */
  update: { timestamp: string; random: number };
  /**
   * Personal: sent to one client about `CLOCK_NOTIFICATION_MS` after it connected, with no id
   * (so the client's last event id stays on the shared sequence), and never replayed.
   */
  notification: { title: string; message: string; time: string };
  /** After a replay, under the newest id: what the resume did. */
  resumed: { after: string; replayed: number };
  /** The `Last-Event-ID` could not be resumed from: the client continues live and missed events. */
  reset: { reason: ResetReason; lastEventId: string; latestId: number };
}

/** A clock event name. */
export type ClockEventType = keyof ClockEventMap;

/** Every clock event name, for `EventSource.addEventListener` and for counting. */
export const CLOCK_EVENT_TYPES = ['message', 'update', 'notification', 'resumed', 'reset'] as const satisfies readonly ClockEventType[];

/** The clock events that carry a name of their own (all but the `message` greeting). */
export const NAMED_CLOCK_EVENT_TYPES = CLOCK_EVENT_TYPES.filter((type) => type !== 'message');

/** A decoded clock event. */
export type ClockEvent = { [K in ClockEventType]: { type: K; data: ClockEventMap[K] } }[ClockEventType];

/**
 * Builds an event for the encoder, its data checked against its name. The greeting goes without an
 * `event:` field, which clients read as `message`.
 */
export function clockEvent<K extends ClockEventType>(event: K, data: ClockEventMap[K], id?: number): EventInput {
  const input: EventInput = event === 'message' ? { data } : { event, data };
  if (id !== undefined) input.id = id;
  return input;
}

// ---------------------------------------------------------------------------------------------
// Ids: decimal integers of the one shared sequence, strictly increasing from 1. The `update`s
// carry them; the greeting and `resumed` repeat the id the client's cursor stands at; a
// `notification` and a `reset` carry none.

/** The events that advance the shared id sequence: a gap or a repeat among them is an error. */
export const SEQUENCED_CLOCK_EVENT_TYPES: readonly ClockEventType[] = ['update'];

const ID = /^\d{1,15}$/;

/** Reads a clock event id (as sent back in `Last-Event-ID`); undefined when it is not one. */
export function parseClockId(id: string): number | undefined {
  return ID.test(id) ? Number(id) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const isIsoTime = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const RESET_REASONS: readonly string[] = ['malformed', 'unknown', 'expired'] satisfies ResetReason[];

const CHECKS: { [K in Exclude<ClockEventType, 'message'>]: (data: JsonObject) => boolean } = {
  update: (data) => isIsoTime(data.timestamp) && Number.isInteger(data.random),
  notification: (data) => typeof data.title === 'string' && typeof data.message === 'string' && isIsoTime(data.time),
  resumed: (data) => typeof data.after === 'string' && Number.isInteger(data.replayed),
  reset: (data) => typeof data.reason === 'string' && RESET_REASONS.includes(data.reason) && typeof data.lastEventId === 'string' && Number.isInteger(data.latestId),
};

/**
 * Decodes one received event (its type and its `data` text) into a typed clock event; undefined
 * for an unknown type, data that is not JSON, or JSON of the wrong shape. The greeting is text.
 */
export function decodeClockEvent(type: string, data: string): ClockEvent | undefined {
  if (type === 'message') return { type, data };
  if (!Object.hasOwn(CHECKS, type)) return undefined;
  const value = decodeJsonObject(data, CHECKS[type as keyof typeof CHECKS]);
  return value && ({ type, data: value } as ClockEvent);
}
