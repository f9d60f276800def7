import 'server-only';

import { randomBytes } from 'node:crypto';
import { estimateTokens, simulateChat } from '@/lib/chat/simulate';
import { formatEventId, type CHAT_ERROR_CODES, type ChatEventMap, type ChatRequest } from '@/lib/chat/protocol';
import { abortableDelay } from '@/lib/sse/backoff';
import type { EventInput } from '@/lib/sse/types';
import { setting } from '@/lib/http/config';
import { ApiError } from '@/lib/http/errors';
import { getRedis, redisEnabled } from './redis';
import { createMemoryStore } from './run-log/memory-store';
import { createRunLog, type RunLog, type RunLogLimits, type StopReason } from './run-log/run-log';
import type { RunStore, StoreUsage } from './run-log/types';

type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

/** The chat's run-log policy, from the environment (see the README's configuration table). */
export function chatLimits(): RunLogLimits {
  return {
    graceMs: setting('CHAT_GRACE_MS'),
    retentionMs: setting('CHAT_RETENTION_MS'),
    abandonedRetentionMs: setting('CHAT_ABANDONED_RETENTION_MS'),
    maxRuns: setting('CHAT_MAX_RUNS'),
    maxRunningPerClient: setting('CHAT_MAX_RUNS_PER_IP'),
    maxLogBytes: 512 * 1024,
    maxTotalBytes: setting('CHAT_MAX_LOG_BYTES'),
  };
}

/**
 * The chat's events for one request: the simulated model's steps, paced. A token is counted once
 * the log asks for the next event, that is once it was logged, so a run the log limit ends
 * reports only the tokens it kept. After the user's Stop it ends with `done` (`abort`). The first
 * `replayed` steps come without their pauses: they are logged already (a run taken over).
 */
export async function* chatEvents(input: ChatRequest, signal: AbortSignal, replayed = 0): AsyncGenerator<EventInput> {
  const promptTokens = input.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
  let completionTokens = 0;
  let sinceYield = 0;
  let steps = 0;
  try {
    for (const step of simulateChat(input.messages, { delayMs: input.delayMs, seed: input.seed })) {
      const replaying = steps++ < replayed;
      if (step.delayMs > 0 && !replaying) {
        await abortableDelay(step.delayMs, signal);
        sinceYield = 0;
      } else if (++sinceYield >= 64) {
        // At delay 0, yield now and then so that aborts, other requests and flushing get a turn.
        await abortableDelay(0, signal);
        sinceYield = 0;
      }
      if (signal.aborted) break;
      yield { event: step.type, data: step.data };
      if (step.type === 'token') completionTokens++;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  if ((signal.reason as StopReason | undefined) === 'cancelled') {
    yield { event: 'done', data: { finishReason: 'abort', usage: { promptTokens, completionTokens } } satisfies ChatEventMap['done'] };
  }
}

/**
 * Creates the chat's run log over `store`. A run whose producer was lost (Redis only) is taken
 * over, or with `takeover` false ended with `error` `producer_lost`.
 */
export function createChatRunLog(store: RunStore, limits: RunLogLimits = chatLimits(), takeover = true): RunLog<ChatRequest> {
  return createRunLog<ChatRequest>({
    store,
    limits,
    takeover,
    producerLost: { event: 'error', data: { code: 'producer_lost' satisfies ChatErrorCode, message: 'The server producing this answer went away; ask again.' } satisfies ChatEventMap['error'] },
    makeStream: chatEvents,
    eventId: formatEventId,
    tooLarge: { event: 'error', data: { code: 'too_large' satisfies ChatErrorCode, message: 'The answer outgrew the server’s per-stream log limit.' } satisfies ChatEventMap['error'] },
    failed: { event: 'error', data: { code: 'internal' satisfies ChatErrorCode, message: 'The generation failed on the server.' } satisfies ChatEventMap['error'] },
    resumed: (runId, afterSeq, replayed) => ({ event: 'resumed', data: { after: formatEventId(runId, afterSeq), replayed } satisfies ChatEventMap['resumed'] }),
  });
}

// ---------------------------------------------------------------------------------------------
// Ids: 9 base-36 digits of the creation time in ms, then 128 random bits (22 base64url characters).

const TIME_DIGITS = 9;
const RUN_ID = /^([0-9a-z]{9})[A-Za-z0-9_-]{22}$/;

/** A new run id: its creation time, then 128 random bits. */
export function newRunId(now = Date.now()): string {
  return now.toString(36).padStart(TIME_DIGITS, '0') + randomBytes(16).toString('base64url');
}

/** When run `id` was created, or undefined for an id not minted by {@link newRunId}. */
export function runCreatedAt(id: string): number | undefined {
  const match = RUN_ID.exec(id);
  return match ? parseInt(match[1]!, 36) : undefined;
}

/** How old a run may have been when a restart lost it, to count as lost rather than long gone. */
const LOST_HORIZON_MS = 2 * 60 * 60 * 1000;

/**
 * True when run `id`, unknown here, was minted before this process started and would still be
 * kept had the process not restarted: it was lost in the restart, not finished and expired.
 */
export function lostInRestart(id: string, processStartedAt: number, retentionMs: number, now = Date.now()): boolean {
  const createdAt = runCreatedAt(id);
  if (createdAt === undefined || createdAt >= processStartedAt) return false;
  return processStartedAt - createdAt <= LOST_HORIZON_MS && now - processStartedAt < retentionMs;
}

// ---------------------------------------------------------------------------------------------
// The process's chat runs.

interface ChatRuns {
  log: RunLog<ChatRequest>;
  store: Promise<RunStore>;
  limits: RunLogLimits;
  startedAt: number;
}

/**
 * A run store for a run log of this process: in process without `REDIS_URL` (exactly as on a
 * single instance), else in Redis under `prefix`, shared by every instance.
 */
export function chooseRunStore(prefix: string): Promise<RunStore> {
  const redis = getRedis();
  if (!redis) return Promise.resolve(createMemoryStore());
  return Promise.all([redis, import('./run-log/redis-store')]).then(([connections, { createRedisStore }]) => createRedisStore(connections, { prefix }));
}

/**
 * A run log whose store is made asynchronously (Redis is loaded on first use). A store that
 * cannot answer (Redis down) makes the request a 503 with `Retry-After`, not a 500.
 */
export function deferredRunLog<Input>(store: Promise<RunStore>, make: (store: RunStore) => RunLog<Input>): RunLog<Input> {
  const log = store.then(make);
  const call = async <T>(action: (log: RunLog<Input>) => Promise<T>): Promise<T> => {
    try {
      return await action(await log);
    } catch (error) {
      if (error instanceof ApiError || !redisEnabled()) throw error;
      console.error('chat runs: the shared store failed', error);
      throw new ApiError('unavailable', 'Shared state (Redis) is unreachable; try again shortly.', { 'Retry-After': '2' });
    }
  };
  return {
    start: (id, input, meta) => call((made) => made.start(id, input, meta)),
    open: (id, afterSeq, principal, starting) => call((made) => made.open(id, afterSeq, principal, starting)),
    cancel: (id, principal) => call((made) => made.cancel(id, principal)),
  };
}

function chatRuns(): ChatRuns {
  const holder = globalThis as { __sseChatRuns?: ChatRuns };
  if (!holder.__sseChatRuns) {
    const store = chooseRunStore('sse:run');
    const limits = chatLimits();
    const takeover = setting('CHAT_TAKEOVER') === 1;
    holder.__sseChatRuns = {
      store,
      limits,
      log: deferredRunLog(store, (made) => createChatRunLog(made, limits, takeover)),
      startedAt: performance.timeOrigin,
    };
  }
  return holder.__sseChatRuns;
}

/** The process's chat run log. */
export function chatRunLog(): RunLog<ChatRequest> {
  return chatRuns().log;
}

/**
 * True when run `id` is unknown here because a restart lost it (see {@link lostInRestart}). With
 * Redis a restart loses nothing: an unknown run there has expired.
 */
export function isLost(id: string): boolean {
  if (redisEnabled()) return false;
  const { startedAt, limits } = chatRuns();
  return lostInRestart(id, startedAt, limits.retentionMs);
}

/** What the chat runs hold, for `/api/stats` (with Redis, the cluster's, approximately). */
export async function chatStats(): Promise<{ activeGenerations: number; heldRuns: number; heldBytes: number }> {
  const usage: StoreUsage = await (await chatRuns().store).usage();
  return { activeGenerations: usage.running, heldRuns: usage.held, heldBytes: usage.bytes };
}
