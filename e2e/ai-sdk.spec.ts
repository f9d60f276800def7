import { expect, test } from '@playwright/test';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { model, modelText } from './helpers';

// The AI SDK's own transport and reader against POST /v1/ui/chat on next start. The transport
// validates every chunk against the SDK's schema and fails the stream on one it does not know.
const ASK = 'What are server-sent events?';
const LOOKUP = 'Look up the docs on EventSource';

async function ask(baseURL: string, prompt: string, seed: number): Promise<{ message: UIMessage; chunks: UIMessageChunk[] }> {
  const transport = new DefaultChatTransport<UIMessage>({ api: `${baseURL}/v1/ui/chat`, headers: { 'X-Delay-Ms': '0', 'X-Seed': String(seed) } });
  const stream = await transport.sendMessages({
    trigger: 'submit-message',
    chatId: 'chat-1',
    messageId: undefined,
    abortSignal: undefined,
    messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: prompt }] }],
  });
  const chunks: UIMessageChunk[] = [];
  const errors: unknown[] = [];
  const observed = stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        chunks.push(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: observed, onError: (error) => errors.push(error) })) message = snapshot;
  expect(errors).toEqual([]);
  if (!message) throw new Error('The stream produced no message.');
  return { message, chunks };
}

test.describe('AI SDK (DefaultChatTransport + readUIMessageStream) against /v1/ui/chat', () => {
  test('the message’s text is the model’s text for the seed, and the stream ends with finish', async ({ baseURL }) => {
    const { message, chunks } = await ask(baseURL!, ASK, 42);
    expect(message.role).toBe('assistant');
    const texts = message.parts.filter((part) => part.type === 'text');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.text).toBe(modelText(ASK, 42));
    expect(chunks[0]!.type).toBe('start');
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(chunks.filter((chunk) => chunk.type === 'text-delta')).toHaveLength(model(ASK, 42).filter((step) => step.type === 'token').length);
  });

  test('a look-up shows the tool’s input (streamed in pieces) and output, then the same text', async ({ baseURL }) => {
    const { message, chunks } = await ask(baseURL!, LOOKUP, 1);
    const tool = message.parts.find((part) => part.type === 'tool-web_search');
    const call = model(LOOKUP, 1).find((step) => step.type === 'tool' && step.data.state === 'call');
    const result = model(LOOKUP, 1).find((step) => step.type === 'tool' && step.data.state === 'result');
    if (call?.type !== 'tool' || call.data.state !== 'call' || result?.type !== 'tool' || result.data.state !== 'result') throw new Error('no tool steps');
    expect(tool).toMatchObject({ state: 'output-available', toolCallId: call.data.id, input: call.data.input, output: result.data.output });
    expect(chunks.filter((chunk) => chunk.type === 'tool-input-delta').length).toBeGreaterThan(1);
    const text = message.parts.filter((part) => part.type === 'text').map((part) => part.text).join('');
    expect(text).toBe(modelText(LOOKUP, 1));
  });

  test('the response says which protocol it speaks', async ({ baseURL }) => {
    const response = await fetch(`${baseURL}/v1/ui/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Delay-Ms': '0' },
      body: JSON.stringify({ id: 'c', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'hi' }] }], trigger: 'submit-message' }),
    });
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect((await response.text()).endsWith('data: [DONE]\n\n')).toBe(true);
  });

  test('a model failure arrives as an error chunk the SDK reports', async ({ baseURL }) => {
    const transport = new DefaultChatTransport<UIMessage>({ api: `${baseURL}/v1/ui/chat`, headers: { 'X-Delay-Ms': '0' } });
    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId: 'chat-2',
      messageId: undefined,
      abortSignal: undefined,
      messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'break /error' }] }],
    });
    const errors: unknown[] = [];
    for await (const snapshot of readUIMessageStream({ stream, onError: (error) => errors.push(error) })) void snapshot;
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('/error');
  });

  for (const [name, body, status] of [
    ['missing messages', '{}', 400],
    ['a message without parts', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }), 400],
    ['malformed JSON', '{"messages":', 400],
  ] as const) {
    test(`${name}: ${status} JSON error and no stream`, async ({ baseURL }) => {
      const response = await fetch(`${baseURL}/v1/ui/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(response.status).toBe(status);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.message.length).toBeGreaterThan(0);
    });
  }
});
