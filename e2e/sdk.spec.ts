import Anthropic from '@anthropic-ai/sdk';
import { expect, test } from '@playwright/test';
import OpenAI from 'openai';
import { model, modelText } from './helpers';
import { startServer, type TestServer } from './support/server';

// The official clients, pointed at our server. X-Delay-Ms: 0 makes the model answer at once;
// retries are off, so an error (a 429 above all) is seen, not retried.
const FAST = { 'X-Delay-Ms': '0' };
const MODEL = 'sse-lab-sim';
const ASK = 'What are server-sent events?';
const LOOKUP = 'Look up the docs on EventSource';
const SEARCH_PARAMETERS = {
  type: 'object',
  properties: { query: { type: 'string' } },
  required: ['query'],
  additionalProperties: false,
};

function openai(baseURL: string, options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: FAST, ...options });
}

function anthropic(baseURL: string, options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
  return new Anthropic({ baseURL, apiKey: 'unused', maxRetries: 0, defaultHeaders: FAST, ...options });
}

function modelCall(prompt: string, seed: number): { id: string; input: Record<string, unknown> } {
  const call = model(prompt, seed).find((step) => step.type === 'tool' && step.data.state === 'call');
  if (call?.type !== 'tool' || call.data.state !== 'call') throw new Error('The model made no tool call for this prompt.');
  return { id: call.data.id, input: call.data.input };
}

test.describe('openai SDK against /v1/chat/completions', () => {
  test('chat.completions.create({ stream: true }) streams the model’s text for the seed, then usage', async ({ baseURL }) => {
    const stream = await openai(baseURL!).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: ASK }],
      seed: 42,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    const finishes: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.model).toBe(MODEL);
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        contentChunks += 1;
      }
      if (choice) finishes.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(modelText(ASK, 42));
    expect(finishes.at(-1)).toBe('stop');
    expect(usage?.completion_tokens).toBe(contentChunks);
    expect(usage?.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);
  });

  test('the .stream() helper’s final completion holds the same text, and another seed another text', async ({ baseURL }) => {
    const client = openai(baseURL!);
    const final = async (seed: number) =>
      client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: ASK }], seed }).finalChatCompletion();
    const completion = await final(7);
    expect(completion.choices[0]!.message.content).toBe(modelText(ASK, 7));
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const other = await final(8);
    expect(other.choices[0]!.message.content).toBe(modelText(ASK, 8));
    expect(modelText(ASK, 8)).not.toBe(modelText(ASK, 7));
  });

  test('stream: false answers one chat.completion with the same text', async ({ baseURL }) => {
    const completion = await openai(baseURL!).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: ASK }], seed: 3 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe(modelText(ASK, 3));
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
  });

  test('without tools, a look-up prompt is answered with text, the search folded in', async ({ baseURL }) => {
    const completion = await openai(baseURL!)
      .chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: LOOKUP }], seed: 1 })
      .finalChatCompletion();
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.message.content).toBe(modelText(LOOKUP, 1));
  });

  test('with web_search offered, a look-up prompt is a tool call (arguments parsed); after its result comes the answer', async ({ baseURL }) => {
    const client = openai(baseURL!);
    const tools: OpenAI.ChatCompletionFunctionTool[] = [
      { type: 'function', function: { name: 'web_search', description: 'Search the web.', parameters: SEARCH_PARAMETERS, strict: true } },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: LOOKUP }];
    const runner = client.chat.completions.stream({ model: MODEL, messages, tools, seed: 1 });
    const argumentDeltas: string[] = [];
    runner.on('tool_calls.function.arguments.delta', (event) => argumentDeltas.push(event.arguments_delta));
    const completion = await runner.finalChatCompletion();
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    const expected = modelCall(LOOKUP, 1);
    expect(call.id).toBe(expected.id);
    expect(call.function.name).toBe('web_search');
    expect(call.function.parsed_arguments).toEqual(expected.input);
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(argumentDeltas.join('')).toBe(call.function.arguments);

    const stream = await client.chat.completions.create({
      model: MODEL,
      seed: 1,
      tools,
      stream: true,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] },
        { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ results: [] }) },
      ],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(modelText(LOOKUP, 1));
  });

  test('a model failure mid-answer reaches the SDK as an APIError', async ({ baseURL }) => {
    const stream = await openai(baseURL!).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'break /error' }], stream: true, seed: 2 });
    let text = '';
    const failure = (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })();
    await expect(failure).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
  });
});

test.describe('@anthropic-ai/sdk against /v1/messages', () => {
  test('messages.stream() ends with a final message holding the model’s text for the seed', async ({ baseURL }) => {
    const stream = anthropic(baseURL!, { defaultHeaders: { ...FAST, 'X-Seed': '42' } }).messages.stream({
      model: MODEL,
      max_tokens: 4096,
      messages: [{ role: 'user', content: ASK }],
    });
    let deltas = 0;
    stream.on('text', () => (deltas += 1));
    const message = await stream.finalMessage();
    expect(message.role).toBe('assistant');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toHaveLength(1);
    const block = message.content[0]!;
    expect(block.type === 'text' && block.text).toBe(modelText(ASK, 42));
    expect(message.usage.output_tokens).toBe(deltas);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  test('max_tokens cuts the answer with stop_reason max_tokens', async ({ baseURL }) => {
    const message = await anthropic(baseURL!, { defaultHeaders: { ...FAST, 'X-Seed': '5' } })
      .messages.stream({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: ASK }] })
      .finalMessage();
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(5);
    const block = message.content[0]!;
    expect(modelText(ASK, 5).startsWith(block.type === 'text' ? block.text : '-')).toBe(true);
  });

  test('with web_search offered, a look-up prompt is a tool_use block; after the tool_result comes the answer', async ({ baseURL }) => {
    const client = anthropic(baseURL!, { defaultHeaders: { ...FAST, 'X-Seed': '1' } });
    const tools: Anthropic.Tool[] = [{ name: 'web_search', description: 'Search the web.', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: LOOKUP }];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 4096, tools, messages });
    const pieces: string[] = [];
    stream.on('inputJson', (partial) => pieces.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    const use = message.content[0]!;
    if (use.type !== 'tool_use') throw new Error(`Expected a tool_use block, got ${use.type}.`);
    const expected = modelCall(LOOKUP, 1);
    expect(use.id).toBe(expected.id);
    expect(use.name).toBe('web_search');
    expect(use.input).toEqual(expected.input);
    expect(pieces.length).toBeGreaterThan(1);

    const answer = await client.messages
      .stream({
        model: MODEL,
        max_tokens: 4096,
        tools,
        messages: [
          ...messages,
          { role: 'assistant', content: message.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'three results' }] },
        ],
      })
      .finalMessage();
    expect(answer.stop_reason).toBe('end_turn');
    const block = answer.content[0]!;
    expect(block.type === 'text' && block.text).toBe(modelText(LOOKUP, 1));
  });

  test('messages.create without stream answers one message with the same text', async ({ baseURL }) => {
    const message = await anthropic(baseURL!, { defaultHeaders: { ...FAST, 'X-Seed': '3' } }).messages.create({
      model: MODEL,
      max_tokens: 4096,
      messages: [{ role: 'user', content: ASK }],
    });
    const block = message.content[0]!;
    expect(block.type === 'text' && block.text).toBe(modelText(ASK, 3));
  });

  test('a model failure mid-answer reaches the SDK as an APIError', async ({ baseURL }) => {
    const stream = anthropic(baseURL!).messages.stream({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'break /error' }] });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input: each API's own error shape and status, and no stream.

const JSON_TYPE = { 'Content-Type': 'application/json' };
const OVERSIZED = 'x'.repeat(65 * 1024);

interface BadCase {
  name: string;
  body: string;
  headers?: Record<string, string>;
  status: number;
}

function cases(valid: Record<string, unknown>, messagesKey: 'messages'): BadCase[] {
  const without = (key: string) => JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([name]) => name !== key)));
  return [
    { name: 'missing model', body: without('model'), status: 400 },
    { name: 'missing messages', body: without(messagesKey), status: 400 },
    { name: 'model of the wrong type', body: JSON.stringify({ ...valid, model: 42 }), status: 400 },
    { name: 'messages of the wrong type', body: JSON.stringify({ ...valid, messages: 'hi' }), status: 400 },
    { name: 'a message of the wrong shape', body: JSON.stringify({ ...valid, messages: [{ role: 'user', content: 5 }] }), status: 400 },
    { name: 'stream not a boolean', body: JSON.stringify({ ...valid, stream: 'true' }), status: 400 },
    { name: 'malformed JSON', body: '{"model":', status: 400 },
    { name: 'a body over 64 KiB', body: JSON.stringify({ ...valid, messages: [{ role: 'user', content: OVERSIZED }] }), status: 413 },
    { name: 'a non-JSON content type', body: JSON.stringify(valid), headers: { 'Content-Type': 'text/plain' }, status: 415 },
  ];
}

test.describe('bad input to /v1/chat/completions', () => {
  for (const bad of cases({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'messages')) {
    test(`${bad.name}: ${bad.status} in OpenAI's error shape`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_TYPE, ...bad.headers }, body: bad.body });
      expect(response.status).toBe(bad.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(body.error.type).toBe('invalid_request_error');
      expect(String(body.error.message).length).toBeGreaterThan(0);
    });
  }

  test('the SDK sees a refusal as BadRequestError naming the field', async ({ baseURL }) => {
    const refused = openai(baseURL!).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], seed: -1 });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(refused).rejects.toMatchObject({ status: 400, param: 'seed', code: 'invalid_parameter' });
  });

  test('GET answers 405 in OpenAI’s shape', async ({ baseURL }) => {
    const response = await fetch(`${baseURL}/v1/chat/completions`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

test.describe('bad input to /v1/messages', () => {
  for (const bad of cases({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'messages')) {
    test(`${bad.name}: ${bad.status} in Anthropic's error shape`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}/v1/messages`, { method: 'POST', headers: { ...JSON_TYPE, ...bad.headers }, body: bad.body });
      expect(response.status).toBe(bad.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { type: string; error: Record<string, unknown> };
      expect(body.type).toBe('error');
      expect(Object.keys(body.error).sort()).toEqual(['message', 'type']);
      expect(body.error.type).toBe(bad.status === 413 ? 'request_too_large' : 'invalid_request_error');
    });
  }

  test('missing max_tokens: 400 through the SDK as BadRequestError', async ({ baseURL }) => {
    const refused = anthropic(baseURL!).messages.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    await expect(refused).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

// ---------------------------------------------------------------------------------------------
// The guard: the same token and rate limit as the rest of the API.

test.describe('the guard, on a server with a token and a tight rate', () => {
  const TOKEN = 'sdk-test-token';
  let server: TestServer;
  let nextClient = 1;
  // Each test speaks for its own client address, so rate buckets do not leak between tests.
  const client = () => ({ ...FAST, 'X-Forwarded-For': `198.51.100.${nextClient++}` });

  test.describe.configure({ mode: 'serial' });
  test.beforeAll(async () => {
    // A burst of three, refilled one every ten seconds: no request is given back while a test runs,
    // however slow the machine.
    server = await startServer({ SSE_AUTH_TOKEN: TOKEN, SSE_RATE_LIMIT: '6', SSE_RATE_BURST: '3', SSE_TRUST_PROXY: '1' });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('OpenAI: a wrong key is a 401 AuthenticationError; the token as apiKey works', async () => {
    const ask = (apiKey: string) =>
      openai(server.url, { apiKey, defaultHeaders: client() }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: ASK }], seed: 4 });
    await expect(ask('wrong')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await ask(TOKEN)).choices[0]!.message.content).toBe(modelText(ASK, 4));
  });

  test('Anthropic: the token works as apiKey (x-api-key) and as authToken (bearer); a wrong one is a 401', async () => {
    const ask = (options: Partial<ConstructorParameters<typeof Anthropic>[0]>) =>
      anthropic(server.url, { defaultHeaders: { ...client(), 'X-Seed': '4' }, ...options }).messages.create({
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: ASK }],
      });
    const failed = ask({ apiKey: 'wrong' });
    await expect(failed).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(failed).rejects.toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
    for (const options of [{ apiKey: TOKEN }, { apiKey: null, authToken: TOKEN }]) {
      const block = (await ask(options)).content[0]!;
      expect(block.type === 'text' && block.text).toBe(modelText(ASK, 4));
    }
  });

  test('past the rate, both SDKs see a 429 RateLimitError (retries off)', async () => {
    const headers = client();
    const oa = openai(server.url, { apiKey: TOKEN, defaultHeaders: headers });
    const an = anthropic(server.url, { apiKey: TOKEN, defaultHeaders: headers });
    const ask = () => oa.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 3; i += 1) await ask();
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const limited = an.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    await expect(limited).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(limited).rejects.toMatchObject({ error: { error: { type: 'rate_limit_error' } } });
  });
});
