import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHAT_EVENT_TYPES,
  decodeChatEvent,
  formatEventId,
  isTerminal,
  parseEventId,
  streamIdOf,
  STREAM_ID,
} from '../lib/chat/protocol';

describe('chat event ids', () => {
  test('format and parse are inverse', () => {
    const id = formatEventId('abc_DEF-123', 42);
    assert.equal(id, 'abc_DEF-123:42');
    assert.deepEqual(parseEventId(id), { streamId: 'abc_DEF-123', seq: 42 });
    assert.equal(streamIdOf(id), 'abc_DEF-123');
  });

  test('ids that are not <streamId>:<seq> do not parse', () => {
    for (const id of ['', 'abc', 'abc:', ':1', 'a b:1', 'abc:-1', 'abc:1.5', 'abc:1234567890', `${'x'.repeat(65)}:1`]) {
      assert.equal(parseEventId(id), undefined, id);
      assert.equal(streamIdOf(id), undefined, id);
    }
  });

  test('a stream id is 1 to 64 URL-safe characters', () => {
    assert.ok(STREAM_ID.test('a'));
    assert.ok(STREAM_ID.test('x'.repeat(64)));
    assert.ok(!STREAM_ID.test('x'.repeat(65)));
    assert.ok(!STREAM_ID.test('a/b'));
    assert.ok(!STREAM_ID.test(''));
  });
});

describe('decodeChatEvent', () => {
  const valid: Record<(typeof CHAT_EVENT_TYPES)[number], unknown> = {
    status: { stage: 'searching' },
    tool: { id: 't1', name: 'web_search', state: 'call', input: { query: 'sse' } },
    token: { text: ' hello' },
    done: { finishReason: 'abort', usage: { promptTokens: 3, completionTokens: 7 } },
    error: { code: 'internal', message: 'boom' },
    resumed: { after: 's:3', replayed: 4 },
  };

  test('decodes every event type the protocol names', () => {
    for (const type of CHAT_EVENT_TYPES) {
      const decoded = decodeChatEvent(type, JSON.stringify(valid[type]));
      assert.deepEqual(decoded, { type, data: valid[type] }, type);
    }
  });

  test('decodes a tool result', () => {
    const data = { id: 't1', name: 'web_search', state: 'result', output: { results: [] } };
    assert.deepEqual(decodeChatEvent('tool', JSON.stringify(data)), { type: 'tool', data });
  });

  test('decodes a piece of a tool input as it streams', () => {
    const data = { id: 't1', name: 'web_search', state: 'input-streaming', inputTextDelta: '{"que' };
    assert.deepEqual(decodeChatEvent('tool', JSON.stringify(data)), { type: 'tool', data });
  });

  test('rejects unknown types, non-JSON and data of the wrong shape', () => {
    const bad: [string, string][] = [
      ['message', '{}'],
      ['toString', '{}'],
      ['token', 'not json'],
      ['token', '"text"'],
      ['token', '{"text":5}'],
      ['token', '[]'],
      ['status', '{"stage":"dreaming"}'],
      ['done', '{"finishReason":"stop"}'],
      ['done', '{"finishReason":"later","usage":{"promptTokens":1,"completionTokens":1}}'],
      ['tool', '{"id":"t","name":"n","state":"call"}'],
      ['tool', '{"id":"t","name":"n","state":"result","input":{}}'],
      ['tool', '{"id":"t","name":"n","state":"input-streaming"}'],
      ['tool', '{"id":"t","name":"n","state":"input-streaming","inputTextDelta":{"query":"x"}}'],
      ['tool', '{"id":"t","name":"n","state":"streaming","inputTextDelta":"x"}'],
      ['error', '{"code":"x"}'],
      ['resumed', '{"after":"s:1","replayed":"2"}'],
    ];
    for (const [type, data] of bad) assert.equal(decodeChatEvent(type, data), undefined, `${type} ${data}`);
  });

  test('only done and error end a stream', () => {
    assert.deepEqual(
      CHAT_EVENT_TYPES.filter((type) => isTerminal(type)),
      ['done', 'error'],
    );
  });
});
