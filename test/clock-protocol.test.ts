import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOCK_EVENT_TYPES, clockEvent, decodeClockEvent, NAMED_CLOCK_EVENT_TYPES, parseClockId } from '../lib/clock/protocol';
import { encodeEvent } from '../lib/sse/encoder';

const time = '2026-11-30T14:00:00.000Z';

describe('the clock protocol', () => {
  test('decodes each event it names into typed data', () => {
    const samples = {
      message: 'Connected to the clock: 1 listening, ticking every 1000 ms.',
      update: { timestamp: time, random: 42 },
      notification: { title: 'Welcome', message: 'You joined 5 s ago; 1 listening now.', time },
      resumed: { after: '7', replayed: 3 },
      reset: { reason: 'expired', lastEventId: '6', latestId: 10 },
    };
    for (const type of CLOCK_EVENT_TYPES) {
      const data = samples[type];
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      assert.deepEqual(decodeClockEvent(type, text), { type, data }, type);
    }
  });

  test('rejects unknown names, data that is not JSON, and JSON of the wrong shape', () => {
    for (const [type, data] of [
      ['tick', '{}'],
      ['update', 'not json'],
      ['update', '[]'],
      ['update', JSON.stringify({ timestamp: 'yesterday', random: 1 })],
      ['update', JSON.stringify({ timestamp: time, random: 1.5 })],
      ['notification', JSON.stringify({ title: 'x', message: 'y' })],
      ['resumed', JSON.stringify({ after: 7, replayed: 1 })],
      ['reset', JSON.stringify({ reason: 'lost', lastEventId: '1', latestId: 2 })],
      ['reset', JSON.stringify({ reason: 'unknown', lastEventId: null, latestId: 2 })],
    ] as const) {
      assert.equal(decodeClockEvent(type, data), undefined, `${type} ${data}`);
    }
  });

  test('the greeting goes without an event field, named events with theirs, ids only where given', () => {
    assert.equal(encodeEvent(clockEvent('message', 'hello', 4)), 'id: 4\ndata: hello\n\n');
    assert.equal(encodeEvent(clockEvent('notification', { title: 't', message: 'm', time })), `event: notification\ndata: {"title":"t","message":"m","time":"${time}"}\n\n`);
    assert.deepEqual(NAMED_CLOCK_EVENT_TYPES, CLOCK_EVENT_TYPES.filter((type) => type !== 'message'));
  });

  test('ids are decimal integers of at most 15 digits', () => {
    assert.equal(parseClockId('0'), 0);
    assert.equal(parseClockId('123456789012345'), 123456789012345);
    for (const id of ['', '-1', '1.5', 'abc', ' 1', '1234567890123456']) assert.equal(parseClockId(id), undefined, id);
  });
});
