import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../lib/http/errors';
import { encodeEvent } from '../lib/sse/encoder';
import { openAiChunks, openAiCompletion, openAiErrorResponse } from '../lib/chat/formats/openai';
import { RequestError } from '../lib/chat/formats/request';
import { simulateTurn, turnText, type Turn } from '../lib/chat/formats/turn';
import { CALL_TURN as CALL, TEXT_TURN as TEXT } from './fixtures/turns';

const CONTEXT = { id: 'chatcmpl-1', model: 'sim', created: 1700000000, includeUsage: false };
const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"sim","choices":[';


function bytes(turn: Turn, includeUsage = false): string {
  return openAiChunks(turn, { ...CONTEXT, includeUsage })
    .map((frame) => encodeEvent(frame))
    .join('');
}

describe('openAiChunks', () => {
  test('frames text as a role chunk, a content chunk per token, a finish chunk and [DONE]', () => {
    assert.equal(
      bytes(TEXT),
      `data: ${HEAD}{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  test('keeps the pauses: the first token’s before the role chunk, then one per token', () => {
    assert.deepEqual(
      openAiChunks(TEXT, CONTEXT).map((frame) => frame.delayMs),
      [50, 0, 7, 5, 0],
    );
  });

  test('with include_usage every chunk has usage null and a last chunk with no choices carries the counts', () => {
    const out = bytes(TEXT, true);
    const lines = out.split('\n\n').filter(Boolean);
    assert.equal(lines.length, 6);
    for (const line of lines.slice(0, 4)) assert.ok(line.endsWith('],"usage":null}'), line);
    assert.equal(
      lines[4],
      'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"sim","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
    );
    assert.equal(lines[5], 'data: [DONE]');
  });

  test('frames a tool call as tool_calls deltas whose arguments arrive in pieces, ending with tool_calls', () => {
    assert.equal(
      bytes(CALL),
      `data: ${HEAD}{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"web_search","arguments":""}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"query\\":\\""}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"sse\\"}"}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  test('a model failure sends OpenAI’s error object and no [DONE]', () => {
    const failing: Turn = { promptTokens: 0, events: [TEXT.events[0]!, { type: 'error', code: 'model_error', message: 'boom', delayMs: 3 }] };
    const frames = openAiChunks(failing, CONTEXT);
    assert.equal(encodeEvent(frames.at(-1)!), 'data: {"error":{"message":"boom","type":"server_error","param":null,"code":"model_error"}}\n\n');
    assert.ok(!frames.some((frame) => frame.data === '[DONE]'));
  });

  test('the content of a real turn joins to the model’s text', () => {
    const turn = simulateTurn([{ role: 'user', content: 'How do I resume a stream?' }], { delayMs: 0, seed: 11, callTool: false });
    const text = openAiChunks(turn, CONTEXT)
      .filter((frame) => frame.data !== '[DONE]')
      .map((frame) => (frame.data as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(text, turnText(turn));
  });
});

describe('openAiCompletion', () => {
  test('is one chat.completion with the text, the finish reason and usage', () => {
    assert.deepEqual(openAiCompletion(TEXT, CONTEXT), {
      ok: true,
      completion: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1700000000,
        model: 'sim',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there', refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    });
  });

  test('a tool call has null content and the whole arguments text', () => {
    const result = openAiCompletion(CALL, CONTEXT);
    assert.ok(result.ok);
    assert.deepEqual((result.completion.choices as unknown[])[0], {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'web_search', arguments: '{"query":"sse"}' } }],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });

  test('a model failure is reported, not a completion', () => {
    assert.deepEqual(openAiCompletion({ promptTokens: 0, events: [{ type: 'error', code: 'model_error', message: 'boom', delayMs: 0 }] }, CONTEXT), {
      ok: false,
      code: 'model_error',
      message: 'boom',
    });
  });
});

describe('openAiErrorResponse', () => {
  test('answers in OpenAI’s shape with our status, headers and the field at fault', async () => {
    const response = openAiErrorResponse(new RequestError('stream must be a boolean.', 'stream', 'invalid_parameter'));
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      error: { message: 'stream must be a boolean.', type: 'invalid_request_error', param: 'stream', code: 'invalid_parameter' },
    });
    const limited = openAiErrorResponse(new ApiError('rate_limited', 'slow down', { 'Retry-After': '3' }));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(((await limited.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
  });
});
