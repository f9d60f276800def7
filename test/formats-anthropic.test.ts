import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../lib/http/errors';
import { encodeEvent } from '../lib/sse/encoder';
import { anthropicErrorResponse, anthropicEvents, anthropicMessage } from '../lib/chat/formats/anthropic';
import type { Turn } from '../lib/chat/formats/turn';
import { CALL_TURN as CALL, TEXT_TURN as TEXT } from './fixtures/turns';

const CONTEXT = { id: 'msg_1', model: 'sim' };
const START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"sim","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}\n\n' +
  'event: ping\ndata: {"type":"ping"}\n\n';


function bytes(turn: Turn): string {
  return anthropicEvents(turn, CONTEXT)
    .map((frame) => encodeEvent(frame))
    .join('');
}

describe('anthropicEvents', () => {
  test('frames text as message_start, ping, one text block of text_deltas, message_delta and message_stop', () => {
    assert.equal(
      bytes(TEXT),
      START +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}\n\n' +
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  test('keeps the pauses: message_start at once, the first token’s before its block opens', () => {
    assert.deepEqual(
      anthropicEvents(TEXT, CONTEXT).map((frame) => frame.delayMs),
      [0, 0, 50, 0, 7, 5, 0, 0],
    );
  });

  test('frames a tool call as a tool_use block with input_json_delta pieces and stop_reason tool_use', () => {
    assert.equal(
      bytes(CALL),
      START +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_1","name":"web_search","input":{}}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"query\\":\\""}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"sse\\"}"}}\n\n' +
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":2}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  test('a token cap ends with stop_reason max_tokens', () => {
    const capped: Turn = { ...TEXT, events: [TEXT.events[0]!, { type: 'finish', reason: 'length', usage: { promptTokens: 3, completionTokens: 1 }, delayMs: 0 }] };
    assert.match(bytes(capped), /"stop_reason":"max_tokens"/);
  });

  test('a model failure sends an error event and no message_stop', () => {
    const failing: Turn = { promptTokens: 0, events: [TEXT.events[0]!, { type: 'error', code: 'model_error', message: 'boom', delayMs: 3 }] };
    const frames = anthropicEvents(failing, CONTEXT);
    assert.equal(encodeEvent(frames.at(-1)!), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n');
    assert.ok(!frames.some((frame) => frame.event === 'message_stop'));
  });
});

describe('anthropicMessage', () => {
  test('is one message with a text block, stop_reason and usage', () => {
    assert.deepEqual(anthropicMessage(TEXT, CONTEXT), {
      ok: true,
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'sim',
        content: [{ type: 'text', text: 'Hi there' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 2 },
      },
    });
  });

  test('a tool call is a tool_use block with the parsed input', () => {
    const result = anthropicMessage(CALL, CONTEXT);
    assert.ok(result.ok);
    assert.deepEqual(result.message.content, [{ type: 'tool_use', id: 'call_1', name: 'web_search', input: { query: 'sse' } }]);
    assert.equal(result.message.stop_reason, 'tool_use');
  });
});

describe('anthropicErrorResponse', () => {
  test('answers in Anthropic’s shape with our status and headers', async () => {
    const tooLarge = anthropicErrorResponse(new ApiError('payload_too_large', 'too big'));
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(await tooLarge.json(), { type: 'error', error: { type: 'request_too_large', message: 'too big' } });
    const limited = anthropicErrorResponse(new ApiError('rate_limited', 'slow down', { 'Retry-After': '3' }));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.deepEqual(await limited.json(), { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  });
});
