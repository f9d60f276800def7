import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAnthropicRequest } from '../lib/chat/formats/anthropic-request';
import { parseOpenAiRequest } from '../lib/chat/formats/openai-request';
import { readModelHeaders, RequestError } from '../lib/chat/formats/request';

const SEARCH_TOOL = { type: 'function', function: { name: 'web_search', parameters: { type: 'object' } } };

function refusal(parse: () => unknown, param: string | null): void {
  assert.throws(parse, (error: unknown) => error instanceof RequestError && error.status === 400 && error.param === param);
}

describe('parseOpenAiRequest', () => {
  const base = { model: 'sim', messages: [{ role: 'user', content: 'hi' }] };

  test('reads the conversation as the model does: user and assistant text, system and tool messages left out', () => {
    const request = parseOpenAiRequest({
      ...base,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'Look up ' }, { type: 'text', text: 'EventSource' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'web_search', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"results":[]}' },
      ],
      tools: [SEARCH_TOOL],
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
      max_tokens: 20,
    });
    assert.deepEqual(request, {
      model: 'sim',
      messages: [{ role: 'user', content: 'Look up EventSource' }],
      stream: true,
      includeUsage: true,
      seed: 7,
      maxTokens: 20,
      callTool: false,
    });
  });

  test('calls the tool only when web_search is offered and tool_choice allows it', () => {
    assert.equal(parseOpenAiRequest(base).callTool, false);
    assert.equal(parseOpenAiRequest({ ...base, tools: [SEARCH_TOOL] }).callTool, true);
    assert.equal(parseOpenAiRequest({ ...base, tools: [SEARCH_TOOL], tool_choice: 'none' }).callTool, false);
    assert.equal(parseOpenAiRequest({ ...base, tools: [{ type: 'function', function: { name: 'other' } }] }).callTool, false);
  });

  test('refuses a body it cannot serve, naming the field', () => {
    refusal(() => parseOpenAiRequest([]), null);
    refusal(() => parseOpenAiRequest({ messages: base.messages }), 'model');
    refusal(() => parseOpenAiRequest({ model: 5, messages: base.messages }), 'model');
    refusal(() => parseOpenAiRequest({ model: 'sim' }), 'messages');
    refusal(() => parseOpenAiRequest({ model: 'sim', messages: [] }), 'messages');
    refusal(() => parseOpenAiRequest({ model: 'sim', messages: [{ role: 'robot', content: 'x' }] }), 'messages[0].role');
    refusal(() => parseOpenAiRequest({ model: 'sim', messages: [{ role: 'user', content: 5 }] }), 'messages[0].content');
    refusal(() => parseOpenAiRequest({ model: 'sim', messages: [{ role: 'assistant', content: 'x' }] }), 'messages');
    refusal(() => parseOpenAiRequest({ ...base, stream: 'yes' }), 'stream');
    refusal(() => parseOpenAiRequest({ ...base, seed: -1 }), 'seed');
    refusal(() => parseOpenAiRequest({ ...base, seed: 2 ** 32 }), 'seed');
    refusal(() => parseOpenAiRequest({ ...base, max_tokens: 0 }), 'max_tokens');
    refusal(() => parseOpenAiRequest({ ...base, tools: {} }), 'tools');
    refusal(() => parseOpenAiRequest({ ...base, tool_choice: 'maybe' }), 'tool_choice');
    refusal(() => parseOpenAiRequest({ ...base, stream_options: { include_usage: 1 } }), 'stream_options.include_usage');
  });
});

describe('parseAnthropicRequest', () => {
  const base = { model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  const tool = { name: 'web_search', input_schema: { type: 'object' } };

  test('reads text blocks, and after a tool_result continues instead of calling again', () => {
    const request = parseAnthropicRequest({
      ...base,
      system: 'be brief',
      tools: [tool],
      messages: [
        { role: 'user', content: 'Look up EventSource' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'web_search', input: { query: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'found' }] },
      ],
    });
    assert.deepEqual(request, { model: 'sim', messages: [{ role: 'user', content: 'Look up EventSource' }], stream: false, maxTokens: 100, callTool: false });
  });

  test('calls the tool only for a client tool named web_search that tool_choice allows', () => {
    assert.equal(parseAnthropicRequest({ ...base, tools: [tool] }).callTool, true);
    assert.equal(parseAnthropicRequest({ ...base, tools: [tool], tool_choice: { type: 'none' } }).callTool, false);
    assert.equal(parseAnthropicRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }).callTool, false);
    assert.equal(parseAnthropicRequest(base).callTool, false);
  });

  test('refuses a body it cannot serve, naming the field', () => {
    refusal(() => parseAnthropicRequest('hi'), null);
    refusal(() => parseAnthropicRequest({ ...base, model: undefined }), 'model');
    refusal(() => parseAnthropicRequest({ ...base, max_tokens: undefined }), 'max_tokens');
    refusal(() => parseAnthropicRequest({ ...base, max_tokens: 1.5 }), 'max_tokens');
    refusal(() => parseAnthropicRequest({ ...base, messages: 'hi' }), 'messages');
    refusal(() => parseAnthropicRequest({ ...base, messages: [{ role: 'system', content: 'x' }] }), 'messages.0.role');
    refusal(() => parseAnthropicRequest({ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] }), 'messages.0.content[0].text');
    refusal(() => parseAnthropicRequest({ ...base, messages: [{ role: 'assistant', content: 'x' }] }), 'messages');
    refusal(() => parseAnthropicRequest({ ...base, stream: 'true' }), 'stream');
    refusal(() => parseAnthropicRequest({ ...base, tool_choice: { type: 'sometimes' } }), 'tool_choice');
  });
});

describe('readModelHeaders', () => {
  test('reads X-Delay-Ms and X-Seed as plain integers in range', () => {
    assert.deepEqual(readModelHeaders(new Headers()), { delayMs: undefined, seed: undefined });
    assert.deepEqual(readModelHeaders(new Headers({ 'x-delay-ms': '0', 'x-seed': '4294967295' })), { delayMs: 0, seed: 4294967295 });
    refusal(() => readModelHeaders(new Headers({ 'x-delay-ms': '1001' })), 'x-delay-ms');
    refusal(() => readModelHeaders(new Headers({ 'x-seed': '1e3' })), 'x-seed');
  });
});
