import 'server-only';

import { estimateTokens, simulateChat } from '@/lib/chat/simulate';
import { formatEventId, type ChatEventMap, type ChatEventType, type ChatRequest, type ChatStep } from '@/lib/chat/protocol';
import { abortableDelay } from '@/lib/sse/backoff';
import { encodeEvent, toBytes } from '@/lib/sse/encoder';
import type { SseConnection } from '@/lib/sse/server';
import { setting } from '@/lib/http/config';

/** Limits of the run registry, from the environment. */
interface RunLimits {
  /** How long a generation runs on with nobody attached (`CHAT_GRACE_MS`, 30 s). */
  graceMs: number;
  /** How long a finished run's log is kept for resuming (`CHAT_RETENTION_MS`, 30 s). */
  retentionMs: number;
  /** Most runs held at once, running or kept (`CHAT_MAX_RUNS`, 1000). */
  maxRuns: number;
  /** Most bytes of events one run may log (512 KiB). */
  maxLogBytes: number;
}

/** One generation and the log of every event it produced, which any connection can replay. */
interface Run {
  id: string;
  state: 'running' | 'finished';
  entries: Uint8Array[];
  bytes: number;
  completionTokens: number;
  promptTokens: number;
  subscribers: Set<SseConnection>;
  generation: AbortController;
  /** The grace timer (running, nobody attached) or the retention timer (finished). */
  expiry: ReturnType<typeof setTimeout> | undefined;
}

interface Registry {
  runs: Map<string, Run>;
  limits: RunLimits;
}

const registry: Registry = ((globalThis as { __sseChatRuns?: Registry }).__sseChatRuns ??= {
  runs: new Map(),
  limits: {
    graceMs: setting('CHAT_GRACE_MS'),
    retentionMs: setting('CHAT_RETENTION_MS'),
    maxRuns: setting('CHAT_MAX_RUNS'),
    maxLogBytes: 512 * 1024,
  },
});

/** The number of generations still producing events, for `/api/stats`. */
export function activeGenerations(): number {
  let count = 0;
  for (const run of registry.runs.values()) if (run.state === 'running') count++;
  return count;
}

/** Runs held (running or kept for resuming). */
export function heldRuns(): number {
  return registry.runs.size;
}

/** True when the registry is full, so a new generation must be refused. */
export function atCapacity(): boolean {
  return registry.runs.size >= registry.limits.maxRuns;
}

/** Starts a generation detached from any connection; attach connections with {@link attach}. */
export function startRun(input: ChatRequest): string {
  const id = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
  const run: Run = {
    id,
    state: 'running',
    entries: [],
    bytes: 0,
    completionTokens: 0,
    promptTokens: 0,
    subscribers: new Set(),
    generation: new AbortController(),
    expiry: undefined,
  };
  registry.runs.set(id, run);
  // Until the first connection attaches, the run counts as detached.
  armExpiry(run, registry.limits.graceMs);
  void generate(run, input);
  return id;
}

/** True when `id` names a run that is running or still kept. */
export function hasRun(id: string): boolean {
  return registry.runs.has(id);
}

/** True when attaching after `afterSeq` would send something or wait for more. */
export function hasMoreAfter(id: string, afterSeq: number): boolean {
  const run = registry.runs.get(id);
  return run !== undefined && (run.state === 'running' || afterSeq < run.entries.length);
}

/**
 * Attaches a connection to a run: replays the logged events after `afterSeq`, then follows live
 * ones until the run finishes, when the stream ends.
 */
export function attach(id: string, connection: SseConnection, afterSeq: number): void {
  const run = registry.runs.get(id);
  if (!run) {
    connection.close('server');
    return;
  }
  let replayed = 0;
  for (let seq = afterSeq + 1; seq <= run.entries.length && !connection.closed; seq++) {
    if (connection.sendBytes(run.entries[seq - 1]!)) replayed++;
  }
  if (afterSeq > 0 && !connection.closed) {
    // Tell the client what the resume did. It repeats the id of the last event sent: without one,
    // a spec-following parser on a fresh connection would reset its last event ID to "".
    connection.send({ event: 'resumed', id: formatEventId(id, afterSeq + replayed), data: { after: formatEventId(id, afterSeq), replayed } satisfies ChatEventMap['resumed'] });
  }
  if (connection.closed) return detach(id, connection);
  if (run.state === 'finished') {
    connection.close('server');
    return detach(id, connection);
  }
  run.subscribers.add(connection);
  clearTimeout(run.expiry);
  run.expiry = undefined;
}

/** Detaches a connection (idempotent). A running generation left alone gets a grace period. */
export function detach(id: string, connection: SseConnection): void {
  const run = registry.runs.get(id);
  if (!run) return;
  run.subscribers.delete(connection);
  if (run.state === 'running' && run.subscribers.size === 0 && run.expiry === undefined) {
    armExpiry(run, registry.limits.graceMs);
  }
}

/**
 * Stops a generation because the user asked to (Stop), as opposed to a dropped connection: it logs
 * `done` with finishReason `abort` and ends every attached stream. Returns false for unknown ids.
 */
export function cancelRun(id: string): boolean {
  const run = registry.runs.get(id);
  if (!run) return false;
  if (run.state === 'running') {
    run.generation.abort();
    append(run, 'done', {
      finishReason: 'abort',
      usage: { promptTokens: run.promptTokens, completionTokens: run.completionTokens },
    });
    finish(run);
  }
  return true;
}

async function generate(run: Run, input: ChatRequest): Promise<void> {
  const { signal } = run.generation;
  run.promptTokens = input.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
  let sinceYield = 0;
  try {
    for (const step of simulateChat(input.messages, { delayMs: input.delayMs, seed: input.seed })) {
      if (step.delayMs > 0) {
        await abortableDelay(step.delayMs, signal);
        sinceYield = 0;
      } else if (++sinceYield >= 64) {
        // At delay 0, yield now and then so that aborts, other requests and flushing get a turn.
        await abortableDelay(0, signal);
        sinceYield = 0;
      }
      if (signal.aborted) return;
      // A run over its log limit ends like any other: finish() below closes its streams.
      if (!appendStep(run, step)) break;
    }
  } catch (error) {
    console.error('chat generation failed', error);
    append(run, 'error', { code: 'internal', message: 'The generation failed on the server.' });
  }
  finish(run);
}

function appendStep(run: Run, step: ChatStep): boolean {
  if (step.type === 'token') run.completionTokens++;
  if (run.bytes > registry.limits.maxLogBytes) {
    append(run, 'error', { code: 'too_large', message: 'The answer outgrew the server’s per-stream log limit.' });
    return false;
  }
  append(run, step.type, step.data);
  return true;
}

function append<K extends ChatEventType>(run: Run, event: K, data: ChatEventMap[K]): void {
  const seq = run.entries.length + 1;
  const bytes = toBytes(encodeEvent({ event, data, id: formatEventId(run.id, seq) }));
  run.entries.push(bytes);
  run.bytes += bytes.byteLength;
  for (const connection of run.subscribers) connection.sendBytes(bytes);
}

function finish(run: Run): void {
  if (run.state === 'finished') return;
  run.state = 'finished';
  for (const connection of run.subscribers) connection.close('server');
  run.subscribers.clear();
  armExpiry(run, registry.limits.retentionMs);
}

function armExpiry(run: Run, ms: number): void {
  clearTimeout(run.expiry);
  run.expiry = setTimeout(() => {
    run.generation.abort();
    registry.runs.delete(run.id);
  }, ms);
  (run.expiry as { unref?: () => void }).unref?.();
}
