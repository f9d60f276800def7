import { encodeComment, toBytes } from './encoder';

/**
 * The process's register of open event streams: what `/api/stats` and the caps count, the shared
 * heartbeat timers, the tags fault injection drops by, and the shutdown that ends them all. One
 * per process, on globalThis, so that dev reloads and every route module share it.
 * `createSseResponse` (server.ts) registers each stream it opens and unregisters it once closed.
 */

/** Why a stream ended, as counted in {@link getStreamStats}. */
export type CloseReason = 'client' | 'server' | 'slow' | 'shutdown' | 'error' | 'dropped';

/**
 * What the register needs of an open stream: how it is counted (its label, fault-injection tag,
 * client and heartbeat interval), and to write a heartbeat to it and end it.
 */
export interface RegisteredStream {
  readonly label: string;
  readonly tag: string | undefined;
  readonly client: string | undefined;
  readonly heartbeatMs: number;
  write(bytes: Uint8Array): boolean;
  close(reason: CloseReason): void;
}

interface Registry {
  open: Set<RegisteredStream>;
  /** Open streams writing to their Node response directly (see `SseResponseOptions.direct`). */
  direct: number;
  openByLabel: Map<string, number>;
  eventsSent: number;
  closedByReason: Record<CloseReason, number>;
  heartbeats: Map<number, { timer: ReturnType<typeof setInterval>; members: Set<RegisteredStream> }>;
  tagged: Map<string, Set<RegisteredStream>>;
  openByClient: Map<string, number>;
}

const registry: Registry = ((globalThis as { __sseRegistry?: Registry }).__sseRegistry ??= {
  open: new Set(),
  direct: 0,
  openByLabel: new Map(),
  eventsSent: 0,
  closedByReason: { client: 0, server: 0, slow: 0, shutdown: 0, error: 0, dropped: 0 },
  heartbeats: new Map(),
  tagged: new Map(),
  openByClient: new Map(),
});

const HEARTBEAT = toBytes(encodeComment('ping'));

/** Counts `stream` as open and puts it on its heartbeat (none when its interval is 0). */
export function registerStream(stream: RegisteredStream): void {
    registry.open.add(stream);
  if (stream.tag) {
    let tagged = registry.tagged.get(stream.tag);
    if (!tagged) registry.tagged.set(stream.tag, (tagged = new Set()));
    tagged.add(stream);
  }
  registry.openByLabel.set(stream.label, (registry.openByLabel.get(stream.label) ?? 0) + 1);
  if (stream.client) registry.openByClient.set(stream.client, (registry.openByClient.get(stream.client) ?? 0) + 1);
  if (stream.heartbeatMs > 0) joinHeartbeat(stream, stream.heartbeatMs);
}

/**
 * Counts `stream` closed for `reason` and takes it off everything {@link registerStream} put it on
 * (a stream closed before it was registered is only counted). `direct`: it was counted by
 * {@link countDirectStream}.
 */
export function unregisterStream(stream: RegisteredStream, reason: CloseReason, direct: boolean): void {
    if (registry.open.delete(stream)) {
    if (direct) registry.direct--;
    decrement(registry.openByLabel, stream.label);
    if (stream.client) decrement(registry.openByClient, stream.client);
  }
  registry.closedByReason[reason] = (registry.closedByReason[reason] ?? 0) + 1;
  leaveHeartbeat(stream, stream.heartbeatMs);
  const tagged = stream.tag ? registry.tagged.get(stream.tag) : undefined;
  if (tagged?.delete(stream) && tagged.size === 0) registry.tagged.delete(stream.tag!);
}

/** Counts an open stream as writing to its Node response directly. */
export function countDirectStream(): void {
  registry.direct++;
}

/** Counts one event sent. */
export function countEventSent(): void {
  registry.eventsSent++;
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

function joinHeartbeat(stream: RegisteredStream, intervalMs: number): void {
  let beat = registry.heartbeats.get(intervalMs);
  if (!beat) {
    const members = new Set<RegisteredStream>();
    const timer = setInterval(() => {
      for (const member of members) member.write(HEARTBEAT);
    }, intervalMs);
    // A heartbeat must never keep the process alive on its own.
    (timer as { unref?: () => void }).unref?.();
    beat = { timer, members };
    registry.heartbeats.set(intervalMs, beat);
  }
  beat.members.add(stream);
}

function leaveHeartbeat(stream: RegisteredStream, intervalMs: number): void {
  const beat = registry.heartbeats.get(intervalMs);
  if (!beat?.members.delete(stream) || beat.members.size > 0) return;
  clearInterval(beat.timer);
  registry.heartbeats.delete(intervalMs);
}


/** Counts of the process's event streams, for health checks and `/api/stats`. */
export interface StreamStats {
  openStreams: number;
  /** Of those, the ones writing to their Node response directly (see `SseResponseOptions.direct`). */
  directStreams: number;
  openByLabel: Record<string, number>;
  eventsSent: number;
  closedByReason: Record<CloseReason, number>;
}

/** A snapshot of the process-wide stream counts. */
export function getStreamStats(): StreamStats {
  return {
    openStreams: registry.open.size,
    directStreams: registry.direct,
    openByLabel: Object.fromEntries(registry.openByLabel),
    eventsSent: registry.eventsSent,
    closedByReason: { ...registry.closedByReason },
  };
}

/** Ends every open stream (close reason `shutdown`), as on SIGTERM; returns how many it closed. */
export function closeAllStreams(): number {
  const all = [...registry.open];
  for (const stream of all) stream.close('shutdown');
  return all.length;
}

/**
 * Fault injection: ends every open stream tagged `tag` abruptly, as a network failure would.
 * Returns how many it dropped.
 */
export function dropTagged(tag: string): number {
  const tagged = [...(registry.tagged.get(tag) ?? [])];
  for (const stream of tagged) stream.close('dropped');
  return tagged.length;
}

/** Open streams counted under `client` (see `SseResponseOptions.client`), or all open streams. */
export function countOpenStreams(client?: string): number {
  return client === undefined ? registry.open.size : (registry.openByClient.get(client) ?? 0);
}
