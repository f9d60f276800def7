/**
 * The metrics stream's wire protocol (`GET /api/metrics`), shared by the producer, the route, the
 * dashboard and the tests: event names, each event's data, the id format and a typed decoder.
 * Nothing else spells a metrics event name.
 *
 * What a client receives: on a resume, the missed `sample`s and a `resumed` (or a `reset` when
 * they are gone); then a `sample` every `SSE_METRICS_INTERVAL_MS`.
 */

import type { EventInput } from '@/lib/sse/types';
import { decodeJsonObject, isJsonObject, type JsonObject } from '../json-data';

/** Why a `Last-Event-ID` could not be resumed from. */
export type MetricsResetReason = 'malformed' | 'unknown' | 'expired';

/** One instance of the cluster and the streams it holds open, as it last wrote them to Redis. */
export interface MetricsInstance {
  instance: string;
  openStreams: number;
}

/** One sample of a server process's own metrics. */
export interface MetricsSample {
  /** When it was taken (ms since the epoch). */
  at: number;
  /** The name of the instance that took it (`INSTANCE_ID`, else host name and pid). */
  instance: string;
  /**
   * Every live instance of the cluster with its open streams, when the server runs with Redis
   * (`REDIS_URL`); `null` for a single process, or while Redis cannot answer.
   */
  cluster: MetricsInstance[] | null;
  /** Open event streams of this instance by route label. */
  openByRoute: Record<string, number>;
  /** Events written to all streams a second, over the last interval. */
  eventsPerSecond: number;
  /** Not counted: lib/sse/server.ts keeps no byte totals. Always null until it does. */
  bytesPerSecond: null;
  /** The event loop's delay, 99th percentile, in ms. */
  loopDelayP99Ms: number;
  heapUsedBytes: number;
  rssBytes: number;
  /** Chat generations running, and finished runs held for resuming. */
  chat: { running: number; held: number };
  /** Slow clients cut off since the process started. */
  slowClientsCutOff: number;
}

/** The data of each metrics event, by event name. */
export interface MetricsEventMap {
  /** One sample, under the next id of the instance's sample sequence. */
  sample: MetricsSample;
  /** After a replay, under the newest id: what the resume did. */
  resumed: { after: string; replayed: number };
  /** The `Last-Event-ID` could not be resumed from: the client continues live and missed samples. */
  reset: { reason: MetricsResetReason; lastEventId: string | null; latestId: number };
}

/** A metrics event name. */
export type MetricsEventType = keyof MetricsEventMap;

/** Every metrics event name, for `EventSource.addEventListener`. */
export const METRICS_EVENT_TYPES = ['sample', 'resumed', 'reset'] as const satisfies readonly MetricsEventType[];

/** A decoded metrics event. */
export type MetricsEvent = { [K in MetricsEventType]: { type: K; data: MetricsEventMap[K] } }[MetricsEventType];

/** Builds an event for the encoder, its data checked against its name. */
export function metricsEvent<K extends MetricsEventType>(event: K, data: MetricsEventMap[K], id?: number): EventInput {
  const input: EventInput = { event, data };
  if (id !== undefined) input.id = id;
  return input;
}

// ---------------------------------------------------------------------------------------------
// Ids: decimal integers of one sequence per instance, strictly increasing from 1; `resumed` and
// `reset` repeat the newest.

const ID = /^\d{1,15}$/;

/** Reads a metrics event id (as sent back in `Last-Event-ID`); undefined when it is not one. */
export function parseMetricsId(id: string): number | undefined {
  return ID.test(id) ? Number(id) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const isInstance = (value: unknown) => isJsonObject(value) && typeof value.instance === 'string' && isCount(value.openStreams);
const RESET_REASONS: readonly string[] = ['malformed', 'unknown', 'expired'] satisfies MetricsResetReason[];

const CHECKS: { [K in MetricsEventType]: (data: JsonObject) => boolean } = {
  sample: (data) =>
    isNumber(data.at) &&
    typeof data.instance === 'string' &&
    (data.cluster === null || (Array.isArray(data.cluster) && data.cluster.every(isInstance))) &&
    isJsonObject(data.openByRoute) &&
    Object.values(data.openByRoute).every(isCount) &&
    isNumber(data.eventsPerSecond) &&
    data.bytesPerSecond === null &&
    isNumber(data.loopDelayP99Ms) &&
    isCount(data.heapUsedBytes) &&
    isCount(data.rssBytes) &&
    isJsonObject(data.chat) &&
    isCount(data.chat.running) &&
    isCount(data.chat.held) &&
    isCount(data.slowClientsCutOff),
  resumed: (data) => typeof data.after === 'string' && isCount(data.replayed),
  reset: (data) =>
    typeof data.reason === 'string' &&
    RESET_REASONS.includes(data.reason) &&
    (data.lastEventId === null || typeof data.lastEventId === 'string') &&
    isCount(data.latestId),
};

/**
 * Decodes one received event (its type and its `data` text) into a typed metrics event; undefined
 * for an unknown type, data that is not JSON, or JSON of the wrong shape.
 */
export function decodeMetricsEvent(type: string, data: string): MetricsEvent | undefined {
  if (!Object.hasOwn(CHECKS, type)) return undefined;
  const value = decodeJsonObject(data, CHECKS[type as MetricsEventType]);
  return value && ({ type, data: value } as MetricsEvent);
}
