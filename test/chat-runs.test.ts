import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { createChatRunLog, chatLimits, lostInRestart, newRunId, runCreatedAt } from '../lib/server/chat-runs';
import { createMemoryStore } from '../lib/server/run-log/memory-store';
import { STREAM_ID, decodeChatEvent, parseEventId, type ChatRequest } from '../lib/chat/protocol';
import { closeAllStreams, createSseResponse } from '../lib/sse/server';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';

afterEach(() => {
  closeAllStreams();
});

async function readAll(response: Response, onEvent?: (event: SseEvent) => void): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      onEvent?.(event);
    },
  });
  const reader = response.body!.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) return events;
    parser.feed(value);
  }
}

const request = (content: string, delayMs: number): ChatRequest => ({ messages: [{ role: 'user', content }], delayMs, seed: 7 });

describe('chat run ids', () => {
  test('carry their creation time and 128 random bits, and fit the stream-id and event-id formats', () => {
    const at = Date.UTC(2026, 10, 30, 12, 0, 0);
    const ids = Array.from({ length: 100 }, () => newRunId(at));
    for (const id of ids) {
      assert.match(id, STREAM_ID);
      assert.equal(runCreatedAt(id), at);
      // 22 base64url characters after the 9 of the time: 132 bits, of which 128 are random.
      assert.equal(id.length, 31);
      assert.deepEqual(parseEventId(`${id}:12`), { streamId: id, seq: 12 });
    }
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.slice(9))).size, ids.length);
    assert.equal(runCreatedAt('0123456789abcdef'), undefined, 'an id of the old format has no time');
  });

  test('a run minted before this process started, within retention of the start, was lost in the restart', () => {
    const started = 1_000_000_000_000;
    const retention = 30_000;
    assert.equal(lostInRestart(newRunId(started - 5000), started, retention, started + 1000), true);
    // Minted by this process: unknown means finished and expired, not lost.
    assert.equal(lostInRestart(newRunId(started + 10), started, retention, started + 1000), false);
    // Long after the restart it would have expired anyway.
    assert.equal(lostInRestart(newRunId(started - 5000), started, retention, started + retention), false);
    // Minted long before the restart: gone long before it.
    assert.equal(lostInRestart(newRunId(started - 3 * 60 * 60 * 1000), started, retention, started + 1000), false);
    assert.equal(lostInRestart('0123456789abcdef', started, retention, started + 1000), false);
  });
});

describe('the chat run log', () => {
  test('a Stop ends the answer with done (abort) whose completionTokens counts exactly the tokens logged', async () => {
    const store = createMemoryStore();
    const log = createChatRunLog(store, { ...chatLimits(), graceMs: 60_000 });
    await log.start('run', request('explain sse', 2), { owner: undefined, client: undefined });
    const opened = await log.open('run', 0, undefined);
    assert.equal(opened.kind, 'stream');
    if (opened.kind !== 'stream') return;
    let seen = 0;
    let cancelled: Promise<boolean> | undefined;
    const events = await readAll(createSseResponse({ heartbeatMs: 0, source: opened.source }), (event) => {
      if (event.type === 'token' && ++seen === 5) cancelled = log.cancel('run', undefined);
    });
    assert.equal(await cancelled, true);
    const tokens = events.filter((event) => event.type === 'token').length;
    const done = decodeChatEvent(events.at(-1)!.type, events.at(-1)!.data);
    assert.ok(tokens > 0);
    assert.equal(done?.type, 'done');
    if (done?.type !== 'done') return;
    assert.equal(done.data.finishReason, 'abort');
    assert.equal(done.data.usage.completionTokens, tokens);
  });

  test('an answer the log limit ends closes with error too_large, every token kept fitting in the limit', async () => {
    const store = createMemoryStore();
    const log = createChatRunLog(store, { ...chatLimits(), maxLogBytes: 4096 });
    await log.start('run', request('explain sse /long', 0), { owner: undefined, client: undefined });
    const opened = await log.open('run', 0, undefined);
    if (opened.kind !== 'stream') assert.fail(`expected a stream, got ${opened.kind}`);
    const events = await readAll(createSseResponse({ heartbeatMs: 0, source: opened.source }));
    const last = decodeChatEvent(events.at(-1)!.type, events.at(-1)!.data);
    assert.deepEqual(last?.type === 'error' && last.data.code, 'too_large');
    const info = await store.info('run');
    assert.ok(info && info.bytes > 3000 && info.bytes < 4096 + 200);
  });
});
