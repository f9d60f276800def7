import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_DELAY_MS,
  estimateTokens,
  simulateChat,
  type SimulateOptions,
} from '../lib/chat/simulate';
import type { ChatMessage, ChatStep } from '../lib/chat/protocol';

const OPTIONS: SimulateOptions = { delayMs: DEFAULT_DELAY_MS, seed: 42 };
const SEEDS = [0, 1, 7, 42, 1234, 0xffff_ffff];

function ask(content: string): ChatMessage[] {
  return [{ role: 'user', content }];
}

function run(messages: readonly ChatMessage[], options: SimulateOptions = OPTIONS): ChatStep[] {
  return [...simulateChat(messages, options)];
}

type TokenStep = Extract<ChatStep, { type: 'token' }>;

function tokens(steps: readonly ChatStep[]): TokenStep[] {
  return steps.filter((step): step is TokenStep => step.type === 'token');
}

function answer(steps: readonly ChatStep[]): string {
  return tokens(steps)
    .map((step) => step.data.text)
    .join('');
}

function last(steps: readonly ChatStep[]): ChatStep {
  const step = steps.at(-1);
  assert.ok(step, 'expected at least one step');
  return step;
}

/** Asserts the markdown has a paragraph, a list and a fenced TypeScript block. */
function assertMarkdown(text: string): void {
  assert.match(text, /^[A-Z`*].{40,}$/m, 'a paragraph');
  assert.match(text, /^(?:- |\d+\. )\S/m, 'a bullet or numbered list');
  assert.match(text, /^```ts\n[\s\S]+?\n```$/m, 'a fenced ts code block');
}

// One prompt per built-in topic, with a phrase only that topic's answer contains.
const TOPIC_PROMPTS: readonly [prompt: string, marker: RegExp][] = [
  ['What are server-sent events?', /Where SSE is a good fit/],
  ['How is the text/event-stream format parsed?', /parsing rules that trip people up/],
  ['Should I use EventSource or fetch streaming?', /Choose `fetch` streaming when/],
  ['SSE vs WebSocket vs long polling: which one?', /rough rule of thumb/],
  ['How does reconnection work with Last-Event-ID?', /checklist for resumable streams/],
  ['My events arrive all at once behind nginx; do I need heartbeats?', /X-Accel-Buffering: no/],
  ['How do I stream AI tokens from an LLM to the browser?', /streaming chat UI handles/],
  ['How do I stream from a Next.js route handler with a ReadableStream?', /app\/api\/events\/route\.ts/],
  ['Why does my app hang with many tabs? Does HTTP/2 help with connection limits?', /SETTINGS_MAX_CONCURRENT_STREAMS/],
  ['How do I handle CORS and auth with EventSource?', /withCredentials: true/],
];

describe('simulateChat', () => {
  test('gives exactly the same steps for the same messages and seed', () => {
    for (const prompt of ['What is SSE?', 'look up the latest docs on nginx buffering', 'Hello /error', 'hi /long']) {
      assert.deepEqual(run(ask(prompt)), run(ask(prompt)));
    }
  });

  test('varies the answer with the seed', () => {
    const answers = new Set(SEEDS.map((seed) => answer(run(ask('What is SSE?'), { delayMs: 0, seed }))));
    assert.ok(answers.size > 1, 'different seeds should phrase the answer differently');
  });

  test('gives the same answer at any delay, so pacing never changes content', () => {
    const slow = run(ask('What is SSE?'), { delayMs: 1000, seed: 9 });
    const instant = run(ask('What is SSE?'), { delayMs: 0, seed: 9 });
    assert.deepEqual(
      slow.map((step) => ({ ...step, delayMs: 0 })),
      instant,
    );
  });

  test('starts thinking, says generating before the first token, and ends with done', () => {
    const steps = run(ask('What is SSE?'));
    assert.deepEqual(steps[0]?.data, { stage: 'thinking' });
    assert.equal(steps[0]?.type, 'status');
    const generating = steps.findIndex((step) => step.type === 'status' && step.data.stage === 'generating');
    const firstToken = steps.findIndex((step) => step.type === 'token');
    assert.ok(generating > 0 && generating < firstToken);
    assert.ok(steps.slice(firstToken, -1).every((step) => step.type === 'token'));
    assert.equal(last(steps).type, 'done');
    assert.equal(steps.filter((step) => step.type === 'done').length, 1);
  });

  test('reports prompt tokens over all messages and one completion token per token step', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'What is SSE?' },
      { role: 'assistant', content: 'Server-Sent Events stream text from a server.' },
      { role: 'user', content: 'How does reconnection work?' },
    ];
    const steps = run(messages);
    const done = last(steps);
    assert.equal(done.type, 'done');
    assert.deepEqual(done.data, {
      finishReason: 'stop',
      usage: {
        promptTokens: messages.reduce((sum, message) => sum + estimateTokens(message.content), 0),
        completionTokens: tokens(steps).length,
      },
    });
  });

  test('searches the web before answering a look-up prompt', () => {
    for (const seed of SEEDS) {
      const steps = run(ask('Can you look up the latest docs on nginx buffering for SSE?'), { delayMs: 10, seed });
      const generating = steps.findIndex((step) => step.type === 'status' && step.data.stage === 'generating');
      const kinds = steps.slice(0, generating + 1).map((step) => (step.type === 'status' ? step.data.stage : step.type === 'tool' ? `tool:${step.data.state}` : step.type));
      const pieceCount = kinds.filter((kind) => kind === 'tool:input-streaming').length;
      assert.ok(pieceCount > 2, 'the input streams in several pieces');
      assert.deepEqual(kinds, ['thinking', 'searching', ...Array<string>(pieceCount).fill('tool:input-streaming'), 'tool:call', 'tool:result', 'generating']);
      const pieces = steps.slice(2, 2 + pieceCount);
      const [call, result] = [steps[2 + pieceCount], steps[3 + pieceCount]];
      assert.ok(call?.type === 'tool' && call.data.state === 'call');
      const inputText = pieces.map((step) => (step.type === 'tool' && step.data.state === 'input-streaming' ? step.data.inputTextDelta : '')).join('');
      assert.equal(inputText, JSON.stringify(call.data.input), 'the pieces join to the input’s JSON');
      for (const piece of pieces) assert.ok(piece.type === 'tool' && piece.data.id === call.data.id && piece.data.name === 'web_search');
      assert.ok(result?.type === 'tool' && result.data.state === 'result');
      assert.match(call.data.id, /^call_[0-9a-f]{8}$/);
      assert.equal(result.data.id, call.data.id);
      assert.equal(call.data.name, 'web_search');
      assert.equal(result.data.name, 'web_search');
      assert.deepEqual(call.data.input, { query: 'nginx buffering SSE' });

      const { results } = result.data.output as { results: { title: string; url: string; snippet: string }[] };
      assert.ok(results.length >= 2 && results.length <= 3);
      for (const { title, url, snippet } of results) {
        assert.ok(title.length > 0 && snippet.length > 0);
        assert.match(url, /^https:\/\/(?:developer\.mozilla\.org|html\.spec\.whatwg\.org|nextjs\.org|nginx\.org|www\.rfc-editor\.org)\//);
      }
      assert.equal(last(steps).type, 'done');
    }
  });

  test('derives the tool call id from the seed', () => {
    const id = (seed: number) => {
      const call = run(ask('search for EventSource docs'), { delayMs: 0, seed }).find((step) => step.type === 'tool');
      assert.ok(call?.type === 'tool');
      return call.data.id;
    };
    assert.equal(id(5), id(5));
    assert.notEqual(id(5), id(6));
  });

  test('calls no tool when nothing needs looking up', () => {
    for (const [prompt] of TOPIC_PROMPTS) {
      const steps = run(ask(prompt));
      assert.ok(!steps.some((step) => step.type === 'tool'), prompt);
      assert.ok(!steps.some((step) => step.type === 'status' && step.data.stage === 'searching'), prompt);
    }
  });

  test('fails mid-answer with /error: some tokens, then an error step and no done', () => {
    for (const seed of SEEDS) {
      const steps = run(ask('Explain SSE reconnection /error'), { delayMs: 0, seed });
      const full = tokens(run(ask('Explain SSE reconnection'), { delayMs: 0, seed })).length;
      assert.deepEqual(last(steps), {
        type: 'error',
        data: { code: 'model_error', message: 'The simulated model failed mid-answer (/error in the prompt).' },
        delayMs: 0,
      });
      assert.ok(!steps.some((step) => step.type === 'done'));
      const sent = tokens(steps).length;
      assert.ok(sent > 0 && sent < full, `${sent} of ${full} tokens`);
    }
  });

  test('answers /long with over 2,000 tokens of markdown sections and finishes with stop', () => {
    for (const prompt of ['What are server-sent events? /long', 'nginx buffering /long', 'bake me a cake /long']) {
      for (const seed of SEEDS) {
        const steps = run(ask(prompt), { delayMs: 0, seed });
        const count = tokens(steps).length;
        assert.ok(count >= 2000 && count < 4096, `${prompt} (seed ${seed}): ${count} tokens`);
        const done = last(steps);
        assert.ok(done.type === 'done');
        assert.equal(done.data.finishReason, 'stop');
        const text = answer(steps);
        assert.ok((text.match(/^## /gm) ?? []).length >= 3, 'several sections');
        assertMarkdown(text);
      }
    }
  });

  test('answers each built-in topic with markdown: a paragraph, a list and a fenced code block', () => {
    for (const [prompt, marker] of TOPIC_PROMPTS) {
      for (const seed of SEEDS) {
        const text = answer(run(ask(prompt), { delayMs: 0, seed }));
        assert.match(text, marker, prompt);
        assertMarkdown(text);
        assert.equal((text.match(/^```/gm) ?? []).length % 2, 0, 'fences are balanced');
      }
    }
  });

  test('cuts tokens like a model: short pieces, words with their leading space, punctuation alone', () => {
    const texts = tokens(run(ask('How does reconnection work with Last-Event-ID?'))).map((step) => step.data.text);
    assert.ok(texts.every((text) => text.length >= 1 && text.length <= 7));
    assert.ok(texts.includes(' server'));
    assert.ok(texts.includes('.'));
    assert.ok(texts.includes('\n\n'));
    assert.ok(texts.includes('```'));
    assert.ok(!texts.some((text) => /\p{L}/u.test(text) && /[.,:;!?]/.test(text)), 'no word glued to punctuation');
    const mean = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
    assert.ok(mean > 2 && mean < 6, `mean token length ${mean}`);
  });

  test('jitters token delays between half and one and a half times delayMs, with a slower first token', () => {
    for (const delayMs of [1, 10, DEFAULT_DELAY_MS, 333, 1000]) {
      const steps = run(ask('search the docs for SSE heartbeats'), { delayMs, seed: 3 });
      const within = (step: ChatStep | undefined, low: number, high: number) => {
        assert.ok(step);
        assert.ok(Number.isInteger(step.delayMs));
        assert.ok(
          step.delayMs >= Math.floor(low * delayMs) && step.delayMs <= Math.ceil(high * delayMs),
          `${step.type} waited ${step.delayMs} ms at delayMs ${delayMs}`,
        );
      };
      within(steps[0], 8, 15);
      within(steps[1], 10, 20);
      const [firstPiece, ...otherPieces] = steps.filter((step) => step.type === 'tool' && step.data.state === 'input-streaming');
      within(firstPiece, 1, 3);
      for (const step of otherPieces) within(step, 0.5, 1.5);
      within(
        steps.find((step) => step.type === 'tool' && step.data.state === 'result'),
        10,
        20,
      );
      const [first, ...rest] = tokens(steps);
      within(first, 2, 4);
      for (const step of rest) within(step, 0.5, 1.5);
      if (delayMs >= 333) assert.ok(new Set(rest.map((step) => step.delayMs)).size > 10, 'delays vary');
    }
  });

  test('paces the default delay at roughly 20 to 50 tokens a second', () => {
    const delays = tokens(run(ask('What is SSE? /long'))).map((step) => step.delayMs);
    const perSecond = 1000 / (delays.reduce((sum, delay) => sum + delay, 0) / delays.length);
    assert.ok(perSecond >= 20 && perSecond <= 50, `${perSecond} tokens a second`);
  });

  test('waits no time at all when delayMs is 0', () => {
    for (const prompt of ['look up SSE docs', 'What is SSE? /long', 'Hello /error']) {
      assert.ok(run(ask(prompt), { delayMs: 0, seed: 8 }).every((step) => step.delayMs === 0));
    }
  });

  test('quotes the prompt verbatim in the fallback answer, HTML included', () => {
    const prompt = '<img src=x onerror=alert(1)>';
    for (const seed of SEEDS) {
      const text = answer(run(ask(prompt), { delayMs: 0, seed }));
      assert.ok(text.includes(`\`${prompt}\``), text);
      assertMarkdown(text);
    }
  });

  test('quotes only the first 80 characters of a long prompt and survives backticks in it', () => {
    const prompt = `Why is \`my cake\` ${'very '.repeat(30)}flat?`;
    const text = answer(run(ask(prompt), { delayMs: 0, seed: 1 }));
    assert.ok(text.includes(`\`\`${prompt.slice(0, 80)}\`\`…`), text);
  });

  test('stays on topic when a follow-up says "tell me more"', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'How does reconnection work with Last-Event-ID?' },
      { role: 'assistant', content: 'The browser reconnects on its own.' },
      { role: 'user', content: 'tell me more' },
    ];
    for (const seed of SEEDS) {
      const text = answer(run(messages, { delayMs: 0, seed }));
      assert.match(text, /reconnect/i);
      assert.match(text, /Last-Event-ID/);
      assert.doesNotMatch(text, /tell me more/, 'not the fallback');
      assertMarkdown(text);
    }
  });

  test('falls back instead of guessing a topic for an unrelated question', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'What is SSE?' },
      { role: 'assistant', content: 'Server-Sent Events.' },
      { role: 'user', content: 'What is the capital of France?' },
    ];
    assert.ok(answer(run(messages)).includes('`What is the capital of France?`'));
  });

  test('rejects out-of-range options as soon as it is called', () => {
    for (const options of [
      { delayMs: -1, seed: 1 },
      { delayMs: 1001, seed: 1 },
      { delayMs: 1.5, seed: 1 },
      { delayMs: 10, seed: -1 },
      { delayMs: 10, seed: 2 ** 32 },
      { delayMs: 10, seed: Number.NaN },
    ]) {
      assert.throws(() => simulateChat(ask('hi'), options), RangeError);
    }
  });

  test('makes steps only as they are pulled: nothing at the call, the plan at the first pull, usage at the last', () => {
    // Messages whose content counts its reads show when the generator does its work.
    let reads = 0;
    const probe = (role: ChatMessage['role'], text: string): ChatMessage => ({
      role,
      get content() {
        reads += 1;
        return text;
      },
    });
    const texts = ['What is SSE?', 'Server-Sent Events.', 'tell me more /long'];
    const messages = texts.map((text, i) => probe(i % 2 === 0 ? 'user' : 'assistant', text));
    const expected = run(texts.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content })));
    reads = 0;

    const steps = simulateChat(messages, OPTIONS);
    assert.equal(reads, 0, 'nothing is read when the generator is made');
    assert.deepEqual(steps.next().value, expected[0]);
    const planned = reads;
    assert.ok(planned > 0, 'the first pull reads the conversation to plan the answer');
    for (const want of expected.slice(1, -1)) assert.deepEqual(steps.next().value, want);
    assert.equal(reads, planned, 'no reading while the tokens go out');
    assert.deepEqual(steps.next().value, expected.at(-1));
    assert.equal(reads, planned + messages.length, 'the prompt is counted for usage only when done is pulled');
    assert.equal(steps.next().done, true);
  });

  test('stops for good when the consumer returns early', () => {
    const steps = simulateChat(ask('What is SSE? /long'), { delayMs: 0, seed: 2 });
    assert.equal(steps.next().value?.type, 'status');
    assert.deepEqual(steps.return(), { done: true, value: undefined });
    assert.equal(steps.next().done, true);
  });
});

describe('estimateTokens', () => {
  test('counts nothing in empty text', () => {
    assert.equal(estimateTokens(''), 0);
  });

  test('counts short words with their leading space, and punctuation, as one token each', () => {
    assert.equal(estimateTokens('Hello, world!'), 4);
  });

  test('splits long words into pieces', () => {
    assert.equal(estimateTokens('EventSource'), 2);
    assert.ok(estimateTokens(' reconnection') >= 3);
  });
});
