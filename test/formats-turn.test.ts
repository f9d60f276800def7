import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatMessage, ChatStep } from '../lib/chat/protocol';
import { simulateChat } from '../lib/chat/simulate';
import { jsonPieces, modelTurn, simulateTurn, turnDuration, turnText } from '../lib/chat/formats/turn';

const LOOKUP: ChatMessage[] = [{ role: 'user', content: 'Look up the docs on EventSource' }];
const PLAIN: ChatMessage[] = [{ role: 'user', content: 'What are server-sent events?' }];
const SEEDS = [0, 1, 42, 0xffff_ffff];

function modelText(messages: ChatMessage[], seed: number): string {
  return [...simulateChat(messages, { delayMs: 0, seed })].map((step) => (step.type === 'token' ? step.data.text : '')).join('');
}

describe('modelTurn', () => {
  test('without a tool to call, the text is the model’s answer token for token, the search folded in', () => {
    for (const seed of SEEDS) {
      for (const messages of [LOOKUP, PLAIN]) {
        const turn = simulateTurn(messages, { delayMs: 0, seed, callTool: false });
        assert.equal(turnText(turn), modelText(messages, seed));
        assert.ok(turn.events.every((event) => event.type === 'text' || event.type === 'finish'));
        assert.equal(turn.events.at(-1)?.type, 'finish');
      }
    }
  });

  test('with the tool offered, a look-up prompt becomes a call whose input pieces join to the model’s input', () => {
    for (const seed of SEEDS) {
      const steps = [...simulateChat(LOOKUP, { delayMs: 0, seed })];
      const call = steps.find((step) => step.type === 'tool' && step.data.state === 'call');
      assert.ok(call?.type === 'tool' && call.data.state === 'call');
      const turn = modelTurn(steps, { callTool: true });
      const [start, ...rest] = turn.events;
      assert.deepEqual(start, { type: 'tool-start', id: call.data.id, name: 'web_search', delayMs: 0 });
      const pieces = rest.filter((event) => event.type === 'tool-input');
      assert.ok(pieces.length > 1, 'the input arrives in several pieces');
      assert.deepEqual(JSON.parse(pieces.map((piece) => piece.json).join('')), call.data.input);
      const modelPieces = steps.flatMap((step) => (step.type === 'tool' && step.data.state === 'input-streaming' ? [step.data.inputTextDelta] : []));
      assert.deepEqual(
        pieces.map((piece) => piece.json),
        modelPieces,
        'the pieces are the model’s own',
      );
      assert.deepEqual(rest.at(-1), {
        type: 'finish',
        reason: 'tool_calls',
        usage: { promptTokens: turn.promptTokens, completionTokens: pieces.length },
        delayMs: 0,
      });
      assert.equal(turnText(turn), '');
    }
  });

  test('with the tool offered, a prompt that needs no look-up is answered with text', () => {
    const turn = simulateTurn(PLAIN, { delayMs: 0, seed: 3, callTool: true });
    assert.equal(turnText(turn), modelText(PLAIN, 3));
  });

  test('with the tool offered, the call keeps the model’s pacing of its input pieces', () => {
    const steps = [...simulateChat(LOOKUP, { delayMs: 30, seed: 9 })];
    const untilCall = steps.findIndex((step) => step.type === 'tool' && step.data.state === 'call');
    const total = steps.slice(0, untilCall + 1).reduce((sum, step) => sum + step.delayMs, 0);
    assert.equal(turnDuration(modelTurn(steps, { callTool: true })), total);
  });

  test('status and tool steps become pauses added to the next event, so the turn lasts as long as the model', () => {
    const steps = [...simulateChat(LOOKUP, { delayMs: 30, seed: 9 })];
    const total = steps.reduce((sum, step) => sum + step.delayMs, 0);
    const turn = modelTurn(steps, { callTool: false });
    assert.equal(turnDuration(turn), total);
    const firstText = steps.findIndex((step) => step.type === 'token');
    const before = steps.slice(0, firstText + 1).reduce((sum, step) => sum + step.delayMs, 0);
    assert.equal(turn.events[0]?.delayMs, before);
  });

  test('maxTokens cuts the answer and ends it with length', () => {
    const turn = simulateTurn(PLAIN, { delayMs: 0, seed: 5, callTool: false, maxTokens: 4 });
    assert.equal(turn.events.filter((event) => event.type === 'text').length, 4);
    assert.deepEqual(turn.events.at(-1), { type: 'finish', reason: 'length', usage: { promptTokens: turn.promptTokens, completionTokens: 4 }, delayMs: 0 });
    assert.ok(modelText(PLAIN, 5).startsWith(turnText(turn)));
  });

  test('a model failure ends the turn with its error', () => {
    const turn = simulateTurn([{ role: 'user', content: 'break /error' }], { delayMs: 0, seed: 1, callTool: false });
    const last = turn.events.at(-1);
    assert.equal(last?.type, 'error');
    assert.ok(turn.events.some((event) => event.type === 'text'));
    assert.ok(!turn.events.some((event) => event.type === 'finish'));
  });

  test('promptTokens are the model’s own count', () => {
    const steps: ChatStep[] = [...simulateChat(PLAIN, { delayMs: 0, seed: 1 })];
    const done = steps.at(-1);
    assert.ok(done?.type === 'done');
    assert.equal(modelTurn(steps, { callTool: false }).promptTokens, done.data.usage.promptTokens);
  });
});

describe('jsonPieces', () => {
  test('cuts JSON into several pieces that join to the text exactly', () => {
    for (const value of [{ query: 'server-sent events EventSource' }, { a: [1, 2, { b: 'ünïcödé 😀' }], c: null }, {}]) {
      const json = JSON.stringify(value);
      const pieces = jsonPieces(json);
      assert.equal(pieces.join(''), json);
      if (json.length > 2) assert.ok(pieces.length > 2);
    }
  });
});
