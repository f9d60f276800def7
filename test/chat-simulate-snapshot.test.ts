/**
 * Pins the simulated model's output: the same messages and options must give exactly the same
 * steps (types, data, delays) as the recorded fixture, so a refactor of the model or an edit of its
 * corpus that changes an answer shows up here. After an intended change, regenerate the fixture
 * with `UPDATE_FIXTURES=1 npm run test:unit` and review its diff.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { simulateChat, type SimulateOptions } from '../lib/chat/simulate';
import type { ChatMessage, ChatStep } from '../lib/chat/protocol';

const FIXTURE = join(__dirname, 'fixtures', 'chat-simulate.json');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

interface Case {
  name: string;
  messages: ChatMessage[];
  options: SimulateOptions;
}

interface Fixture {
  /** Every step of a few conversations, written out in full. */
  cases: (Case & { steps: ChatStep[] })[];
  /** SHA-256 of the JSON of the steps of many more, by `prompt | seed | delayMs`. */
  digests: Record<string, string>;
}

function ask(content: string): ChatMessage[] {
  return [{ role: 'user', content }];
}

const CASES: readonly Case[] = [
  { name: 'a plain question', messages: ask('What is SSE?'), options: { delayMs: 30, seed: 42 } },
  {
    name: 'a look-up prompt that calls web_search',
    messages: ask('Can you look up the latest docs on nginx buffering for SSE?'),
    options: { delayMs: 30, seed: 7 },
  },
  { name: '/error', messages: ask('Explain SSE reconnection /error'), options: { delayMs: 10, seed: 1 } },
  { name: '/long', messages: ask('What are server-sent events? /long'), options: { delayMs: 30, seed: 3 } },
  {
    name: 'a follow-up in a multi-turn history',
    messages: [
      { role: 'user', content: 'How does reconnection work with Last-Event-ID?' },
      { role: 'assistant', content: 'The browser reconnects on its own.' },
      { role: 'user', content: 'tell me more' },
    ],
    options: { delayMs: 30, seed: 42 },
  },
  {
    name: 'a follow-up look-up in a multi-turn history',
    messages: [
      { role: 'user', content: 'How do I handle CORS and auth with EventSource?' },
      { role: 'assistant', content: 'Cookies, or a fetch client with a header.' },
      { role: 'user', content: 'What is the weather like?' },
      { role: 'assistant', content: 'I cannot say.' },
      { role: 'user', content: 'find more examples' },
    ],
    options: { delayMs: 30, seed: 11 },
  },
  { name: 'a prompt in Chinese on a topic', messages: ask('如何在 Next.js 中用 SSE 推送消息？'), options: { delayMs: 30, seed: 5 } },
  { name: 'a prompt in Chinese off every topic', messages: ask('你好，请介绍一下你自己。'), options: { delayMs: 30, seed: 5 } },
  { name: 'a fallback look-up with HTML', messages: ask('search for <b>cake</b> recipes'), options: { delayMs: 20, seed: 9 } },
  { name: 'an empty prompt', messages: ask('   '), options: { delayMs: 0, seed: 0 } },
];

const DIGEST_PROMPTS: readonly string[] = [
  'What are server-sent events?',
  'How is the text/event-stream format parsed?',
  'Should I use EventSource or fetch streaming?',
  'SSE vs WebSocket vs long polling: which one?',
  'How does reconnection work with Last-Event-ID?',
  'My events arrive all at once behind nginx; do I need heartbeats?',
  'How do I stream AI tokens from an LLM to the browser?',
  'How do I stream from a Next.js route handler with a ReadableStream?',
  'Why does my app hang with many tabs? Does HTTP/2 help with connection limits?',
  'How do I handle CORS and auth with EventSource?',
  'look up the latest docs on nginx buffering',
  'search the docs for SSE heartbeats',
  'Hello /error',
  'look up EventSource /error',
  'hi /long',
  'bake me a cake /long',
  'nginx buffering /long /error',
  `Why is \`my cake\` ${'very '.repeat(30)}flat?`,
  '<img src=x onerror=alert(1)>',
  '什么是 server-sent events？',
];
const DIGEST_SEEDS = [0, 1, 7, 42, 1234, 0xffff_ffff];
const DIGEST_DELAYS = [0, 30, 1000];

function run({ messages, options }: Case): ChatStep[] {
  return [...simulateChat(messages, options)];
}

function digest(steps: readonly ChatStep[]): string {
  return createHash('sha256').update(JSON.stringify(steps)).digest('hex');
}

function current(): Fixture {
  const digests: Record<string, string> = {};
  for (const prompt of DIGEST_PROMPTS) {
    for (const seed of DIGEST_SEEDS) {
      for (const delayMs of DIGEST_DELAYS) {
        digests[`${prompt} | ${seed} | ${delayMs}`] = digest(run({ name: prompt, messages: ask(prompt), options: { delayMs, seed } }));
      }
    }
  }
  return { cases: CASES.map((c) => ({ ...c, steps: run(c) })), digests };
}

/** JSON with one step per line, so a change shows as a readable diff. */
function format(fixture: Fixture): string {
  const cases = fixture.cases.map(({ steps, ...c }) => {
    const head = JSON.stringify(c).slice(0, -1);
    return `    ${head},"steps":[\n${steps.map((step) => `      ${JSON.stringify(step)}`).join(',\n')}\n    ]}`;
  });
  const digests = Object.entries(fixture.digests).map(([key, value]) => `    ${JSON.stringify(key)}: "${value}"`);
  return `{\n  "cases": [\n${cases.join(',\n')}\n  ],\n  "digests": {\n${digests.join(',\n')}\n  }\n}\n`;
}

describe('simulateChat against the recorded fixture', () => {
  const now = current();
  if (UPDATE) writeFileSync(FIXTURE, format(now));
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;

  test('the fixture covers the same conversations as this test', () => {
    assert.deepEqual(
      recorded.cases.map(({ name, messages, options }) => ({ name, messages, options })),
      CASES,
    );
    assert.deepEqual(Object.keys(recorded.digests), Object.keys(now.digests));
  });

  for (const [index, c] of CASES.entries()) {
    test(`gives the recorded steps for ${c.name}`, () => {
      assert.deepEqual(now.cases[index]?.steps, recorded.cases[index]?.steps);
    });
  }

  test('gives the recorded steps for every prompt, seed and delay of the digest table', () => {
    const changed = Object.keys(now.digests).filter((key) => now.digests[key] !== recorded.digests[key]);
    assert.deepEqual(changed, []);
  });
});
