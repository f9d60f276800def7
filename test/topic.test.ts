import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTopic } from '../lib/server/topic';
import type { SseConnection } from '../lib/sse/server';
import type { EventInput } from '../lib/sse/types';

// A connection that records what it is sent, decoded.
function recorder(): SseConnection & { sent: string[] } {
  const decoder = new TextDecoder();
  const sent: string[] = [];
  return {
    sent,
    closed: false,
    signal: new AbortController().signal,
    send(event: EventInput) {
      sent.push(`event:${event.event ?? 'message'} ${JSON.stringify(event.data)}`);
      return true;
    },
    sendBytes(bytes: Uint8Array) {
      sent.push(decoder.decode(bytes));
      return true;
    },
    comment: () => true,
    close() {},
  };
}

const ids = (sent: string[]) => sent.flatMap((text) => /^id: (\d+)/.exec(text)?.[1] ?? []).map(Number);

describe('createTopic', () => {
  test('encodes each event once and sends the same bytes to every subscriber, ids strictly increasing', () => {
    const topic = createTopic({ bufferSize: 10 });
    const a = recorder();
    const b = recorder();
    topic.subscribe(a);
    topic.subscribe(b);
    assert.equal(topic.publish({ event: 'update', data: { n: 1 } }), 1);
    assert.equal(topic.publish({ event: 'update', data: { n: 2 } }), 2);
    assert.deepEqual(a.sent, ['id: 1\nevent: update\ndata: {"n":1}\n\n', 'id: 2\nevent: update\ndata: {"n":2}\n\n']);
    assert.deepEqual(b.sent, a.sent);
  });

  test('calls onActive for the first subscriber and onIdle when the last leaves', () => {
    const calls: string[] = [];
    const topic = createTopic({ bufferSize: 2, onActive: () => calls.push('active'), onIdle: () => calls.push('idle') });
    const a = recorder();
    const b = recorder();
    topic.subscribe(a);
    topic.subscribe(b);
    topic.unsubscribe(a);
    topic.unsubscribe(a);
    topic.unsubscribe(b);
    assert.deepEqual(calls, ['active', 'idle']);
    assert.equal(topic.size, 0);
  });

  test('replays every buffered event after Last-Event-ID, then live ones: no gap, no duplicate', () => {
    const topic = createTopic({ bufferSize: 5 });
    for (let i = 0; i < 4; i++) topic.publish({ event: 'update', data: i });
    const late = recorder();
    assert.deepEqual(topic.subscribe(late, '2'), { kind: 'replayed', count: 2 });
    topic.publish({ event: 'update', data: 4 });
    assert.deepEqual(ids(late.sent), [3, 4, 5]);
  });

  test('a client that saw the newest event gets nothing replayed', () => {
    const topic = createTopic({ bufferSize: 5 });
    topic.publish({ event: 'update', data: 0 });
    const client = recorder();
    assert.deepEqual(topic.subscribe(client, '1'), { kind: 'replayed', count: 0 });
    assert.deepEqual(client.sent, []);
  });

  test('the buffer is bounded: ids it no longer covers start live after a reset', () => {
    const topic = createTopic({ bufferSize: 3 });
    for (let i = 0; i < 10; i++) topic.publish({ event: 'update', data: i });
    // Kept: 8, 9, 10. A client that saw 7 misses nothing; one that saw 6 missed 7.
    const ok = recorder();
    assert.deepEqual(topic.subscribe(ok, '7'), { kind: 'replayed', count: 3 });
    assert.deepEqual(ids(ok.sent), [8, 9, 10]);
    const late = recorder();
    assert.deepEqual(topic.subscribe(late, '6'), { kind: 'reset', reason: 'expired' });
    // The topic replays nothing to it; telling the client is the caller's part (the clock's reset).
    assert.deepEqual(late.sent, []);
    topic.publish({ event: 'update', data: 10 });
    assert.deepEqual(ids(late.sent), [11]);
  });

  test('an unknown (future) or malformed id starts live after a reset', () => {
    const topic = createTopic({ bufferSize: 3 });
    topic.publish({ event: 'update', data: 0 });
    for (const [id, reason] of [
      ['5', 'unknown'],
      ['abc', 'malformed'],
      ['-1', 'malformed'],
      ['1.5', 'malformed'],
      ['9'.repeat(40), 'malformed'],
    ] as const) {
      const client = recorder();
      assert.deepEqual(topic.subscribe(client, id), { kind: 'reset', reason });
      assert.deepEqual(client.sent, []);
    }
  });

  test('an empty Last-Event-ID means a fresh start', () => {
    const topic = createTopic({ bufferSize: 3 });
    topic.publish({ event: 'update', data: 0 });
    const client = recorder();
    assert.deepEqual(topic.subscribe(client, ''), { kind: 'live' });
    assert.deepEqual(client.sent, []);
  });

  test('append takes ids from elsewhere: a repeat is dropped, a hole empties the buffer so no replay steps over it', () => {
    const topic = createTopic({ bufferSize: 5 });
    const client = recorder();
    topic.subscribe(client);
    assert.equal(topic.append(4, { event: 'update', data: 4 }), true);
    assert.equal(topic.append(5, { event: 'update', data: 5 }), true);
    assert.equal(topic.append(5, { event: 'update', data: 5 }), false);
    assert.equal(topic.append(3, { event: 'update', data: 3 }), false);
    assert.deepEqual(ids(client.sent), [4, 5]);
    assert.equal(topic.covers(3), true);
    assert.equal(topic.covers(2), false);
    assert.equal(topic.covers(6), false);
    // 6 and 7 were lost upstream.
    assert.equal(topic.append(8, { event: 'update', data: 8 }), true);
    assert.equal(topic.lastId, 8);
    assert.equal(topic.covers(5), false, 'a client at 5 missed 6 and 7');
    assert.equal(topic.covers(7), true);
    assert.deepEqual(topic.subscribe(recorder(), '5'), { kind: 'reset', reason: 'expired' });
  });

  test('endAll closes every subscriber and leaves the topic idle', () => {
    const calls: string[] = [];
    const topic = createTopic({ bufferSize: 2, onIdle: () => calls.push('idle') });
    const closed: string[] = [];
    const a = { ...recorder(), close: (reason?: string) => closed.push(`a:${reason}`) };
    const b = { ...recorder(), close: (reason?: string) => closed.push(`b:${reason}`) };
    topic.subscribe(a);
    topic.subscribe(b);
    assert.equal(topic.endAll(), 2);
    assert.deepEqual(closed, ['a:server', 'b:server']);
    assert.equal(topic.size, 0);
    assert.deepEqual(calls, ['idle']);
  });
});
