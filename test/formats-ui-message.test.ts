import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatStep } from '../lib/chat/protocol';
import { simulateChat } from '../lib/chat/simulate';
import { encodeEvent } from '../lib/sse/encoder';
import { uiMessageChunks } from '../lib/chat/formats/ui-message';
import { parseUiChatRequest } from '../lib/chat/formats/ui-message-request';
import { RequestError } from '../lib/chat/formats/request';

const STEPS: ChatStep[] = [
  { type: 'status', data: { stage: 'thinking' }, delayMs: 10 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'input-streaming', inputTextDelta: '{"' }, delayMs: 2 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'input-streaming', inputTextDelta: 'query' }, delayMs: 7 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'input-streaming', inputTextDelta: '":"' }, delayMs: 7 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'input-streaming', inputTextDelta: 'sse' }, delayMs: 7 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'input-streaming', inputTextDelta: '"}' }, delayMs: 7 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'call', input: { query: 'sse' } }, delayMs: 0 },
  { type: 'tool', data: { id: 'call_1', name: 'web_search', state: 'result', output: { results: [] } }, delayMs: 4 },
  { type: 'status', data: { stage: 'generating' }, delayMs: 1 },
  { type: 'token', data: { text: 'Hi' }, delayMs: 3 },
  { type: 'token', data: { text: '!' }, delayMs: 5 },
  { type: 'done', data: { finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 2 } }, delayMs: 6 },
];

describe('uiMessageChunks', () => {
  test('frames a tool step and a text step with only the documented fields, ending with finish and [DONE]', () => {
    const frames = uiMessageChunks(STEPS, { messageId: 'm1' });
    assert.equal(
      frames.map((frame) => encodeEvent(frame)).join(''),
      [
        '{"type":"start","messageId":"m1"}',
        '{"type":"start-step"}',
        '{"type":"tool-input-start","toolCallId":"call_1","toolName":"web_search"}',
        '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"{\\""}',
        '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"query"}',
        '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"\\":\\""}',
        '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"sse"}',
        '{"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"\\"}"}',
        '{"type":"tool-input-available","toolCallId":"call_1","toolName":"web_search","input":{"query":"sse"}}',
        '{"type":"tool-output-available","toolCallId":"call_1","output":{"results":[]}}',
        '{"type":"finish-step"}',
        '{"type":"start-step"}',
        '{"type":"text-start","id":"text-m1"}',
        '{"type":"text-delta","id":"text-m1","delta":"Hi"}',
        '{"type":"text-delta","id":"text-m1","delta":"!"}',
        '{"type":"text-end","id":"text-m1"}',
        '{"type":"finish-step"}',
        '{"type":"finish","finishReason":"stop"}',
        '[DONE]',
      ]
        .map((data) => `data: ${data}\n\n`)
        .join(''),
    );
  });

  test('keeps the model’s pauses: each step’s goes to the first frame after it, each input piece keeps its own', () => {
    const delays = uiMessageChunks(STEPS, { messageId: 'm1' }).map((frame) => frame.delayMs);
    assert.deepEqual(delays, [0, 12, 0, 0, 7, 7, 7, 7, 0, 4, 0, 4, 0, 0, 5, 6, 0, 0, 0]);
  });

  test('the text deltas of a real answer join to the model’s text', () => {
    const steps = [...simulateChat([{ role: 'user', content: 'Look up EventSource docs' }], { delayMs: 0, seed: 3 })];
    const text = uiMessageChunks(steps, { messageId: 'm' })
      .map((frame) => frame.data as { type?: string; delta?: string })
      .filter((data) => data.type === 'text-delta')
      .map((data) => data.delta)
      .join('');
    assert.equal(text, steps.map((step) => (step.type === 'token' ? step.data.text : '')).join(''));
  });

  test('a failure is an error chunk with the message, then [DONE]', () => {
    const frames = uiMessageChunks([STEPS[9]!, { type: 'error', data: { code: 'model_error', message: 'boom' }, delayMs: 1 }], { messageId: 'm' });
    assert.deepEqual(
      frames.slice(-4).map((frame) => frame.data),
      [{ type: 'text-end', id: 'text-m' }, { type: 'finish-step' }, { type: 'error', errorText: 'boom' }, '[DONE]'],
    );
  });
});

describe('parseUiChatRequest', () => {
  test('reads the text parts of user and assistant messages, leaving system messages and other parts out', () => {
    assert.deepEqual(
      parseUiChatRequest({
        id: 'c',
        trigger: 'submit-message',
        messages: [
          { id: '0', role: 'system', parts: [{ type: 'text', text: 'be brief' }] },
          { id: '1', role: 'user', parts: [{ type: 'text', text: 'hi' }] },
          { id: '2', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'hello' }] },
          { id: '3', role: 'user', parts: [{ type: 'text', text: 'more' }, { type: 'file', url: 'x', mediaType: 'image/png' }] },
        ],
      }),
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'more' },
      ],
    );
  });

  test('refuses what it cannot read', () => {
    for (const body of [null, {}, { messages: [] }, { messages: [{ role: 'user' }] }, { messages: [{ role: 'assistant', parts: [] }] }]) {
      assert.throws(() => parseUiChatRequest(body), RequestError);
    }
  });
});
