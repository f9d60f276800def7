import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chatReducer, currentTurn, history, INITIAL_CHAT, turnMetrics, type ChatAction, type ChatState } from '../components/chat/chat-state';
import { formatEventId, type ChatEventMap, type ChatEventType } from '../lib/chat/protocol';
import { simulateChat } from '../lib/chat/simulate';

const STREAM = 'abc123';

function event<K extends ChatEventType>(type: K, data: ChatEventMap[K], seq: number, at = seq): ChatAction {
  return { type: 'event', event: { type, data: JSON.stringify(data), lastEventId: formatEventId(STREAM, seq) }, at };
}

function run(actions: ChatAction[], state: ChatState = INITIAL_CHAT): ChatState {
  return actions.reduce(chatReducer, state);
}

const submit: ChatAction = { type: 'submit', key: 1, prompt: 'What is SSE?', seed: 7, at: 0 };

function last(state: ChatState) {
  const turn = state.turns.at(-1);
  assert.ok(turn, 'a turn');
  return turn;
}

describe('chatReducer', () => {
  test('a submitted question is the current turn until its answer ends', () => {
    const state = run([submit]);
    assert.equal(last(state).status, 'submitted');
    assert.equal(currentTurn(state)?.key, 1);
    const done = run([event('done', { finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 0 } }, 1)], state);
    assert.equal(last(done).status, 'ready');
    assert.equal(currentTurn(done), undefined);
  });

  test('appends batched tokens and token events in order, counting each token', () => {
    const state = run([
      submit,
      { type: 'tokens', text: 'Server-', count: 2, at: 5, lastEventId: formatEventId(STREAM, 2) },
      event('token', { text: 'Sent ' }, 3, 6),
      { type: 'tokens', text: 'Events', count: 1, at: 7, lastEventId: formatEventId(STREAM, 4) },
    ]);
    const turn = last(state);
    assert.equal(turn.text, 'Server-Sent Events');
    assert.equal(turn.tokens, 4);
    assert.equal(turn.status, 'streaming');
    assert.equal(turn.firstTokenAt, 5);
    assert.equal(turn.lastEventId, `${STREAM}:4`);
    assert.equal(turn.streamId, STREAM);
  });

  test('takes the stream id from the first event id it sees', () => {
    const turn = last(run([submit, event('status', { stage: 'thinking' }, 1)]));
    assert.equal(turn.streamId, STREAM);
    assert.equal(turn.stage, 'thinking');
  });

  test('turns a tool call into a card and its result into the same card, keeping the input', () => {
    const state = run([
      submit,
      event('tool', { id: 't1', name: 'search', state: 'call', input: { q: 'sse' } }, 1),
      event('tool', { id: 't1', name: 'search', state: 'result', output: { hits: 3 } }, 2),
    ]);
    assert.deepEqual(last(state).tools, [{ id: 't1', name: 'search', state: 'result', input: { q: 'sse' }, output: { hits: 3 } }]);
  });

  test('fills a tool card’s input in as its JSON pieces arrive, parsed as partial JSON, then takes the whole input with the call', () => {
    const pieces = ['{"', 'query', '":"', 'nginx', ' buffering', '","', 'limit', '":', '3', '}'];
    let state = run([submit]);
    const seen: unknown[] = [];
    pieces.forEach((inputTextDelta, index) => {
      state = chatReducer(state, event('tool', { id: 't1', name: 'search', state: 'input-streaming', inputTextDelta }, index + 1));
      const card = last(state).tools[0];
      assert.equal(card?.state, 'input-streaming');
      assert.equal(card.inputText, pieces.slice(0, index + 1).join(''));
      seen.push(card.input);
    });
    assert.deepEqual(seen, [
      {},
      {},
      { query: '' },
      { query: 'nginx' },
      { query: 'nginx buffering' },
      { query: 'nginx buffering' },
      { query: 'nginx buffering' },
      { query: 'nginx buffering' },
      { query: 'nginx buffering', limit: 3 },
      { query: 'nginx buffering', limit: 3 },
    ]);
    state = chatReducer(state, event('tool', { id: 't1', name: 'search', state: 'call', input: { query: 'nginx buffering', limit: 3 } }, 11));
    assert.deepEqual(last(state).tools, [{ id: 't1', name: 'search', state: 'call', input: { query: 'nginx buffering', limit: 3 } }]);
    state = chatReducer(state, event('tool', { id: 't1', name: 'search', state: 'input-streaming', inputTextDelta: 'x' }, 12));
    assert.equal(last(state).tools[0]?.state, 'call', 'a stray piece after the call changes nothing');
  });

  test('fills the card in from the model’s own tool steps, ending with the input of its call', () => {
    const steps = [...simulateChat([{ role: 'user', content: 'Look up the docs on Last-Event-ID' }], { delayMs: 0, seed: 11 })];
    let state = run([submit]);
    const inputs: unknown[] = [];
    steps.forEach((step, index) => {
      state = chatReducer(state, { type: 'event', event: { type: step.type, data: JSON.stringify(step.data), lastEventId: formatEventId(STREAM, index + 1) }, at: index + 1 });
      const card = last(state).tools[0];
      if (card?.state === 'input-streaming') inputs.push(card.input);
    });
    const call = steps.find((step) => step.type === 'tool' && step.data.state === 'call');
    assert.ok(call?.type === 'tool' && call.data.state === 'call');
    const query = (call.data.input as { query: string }).query;
    // The query grows a piece at a time: every partial value is a prefix of the whole one.
    const partials = inputs.map((input) => (input as { query?: string }).query).filter((value) => value !== undefined);
    assert.ok(partials.length > 2, 'several partial inputs were shown');
    for (const partial of partials) assert.ok(query.startsWith(partial), partial);
    assert.ok(partials.some((partial) => partial.length > 0 && partial.length < query.length), 'a part of the query was shown before the whole');
    assert.deepEqual(last(state).tools[0], { id: call.data.id, name: 'web_search', state: 'result', input: call.data.input, output: (steps.find((step) => step.type === 'tool' && step.data.state === 'result')?.data as { output: unknown }).output });
  });

  test('adds up what each resume replayed', () => {
    const state = run([submit, event('resumed', { after: `${STREAM}:0`, replayed: 4 }, 4), event('resumed', { after: `${STREAM}:6`, replayed: 2 }, 8)]);
    assert.equal(last(state).replayed, 6);
  });

  test('done ends the turn with its finish reason and clears the stage', () => {
    const state = run([
      submit,
      event('status', { stage: 'generating' }, 1),
      event('done', { finishReason: 'length', usage: { promptTokens: 1, completionTokens: 2 } }, 2, 40),
    ]);
    const turn = last(state);
    assert.equal(turn.status, 'ready');
    assert.equal(turn.finishReason, 'length');
    assert.equal(turn.stage, undefined);
    assert.equal(turn.endedAt, 40);
  });

  test('an error event fails the turn with its code and message, keeping the text so far', () => {
    const state = run([submit, event('token', { text: 'Half' }, 1), event('error', { code: 'model_error', message: 'boom' }, 2)]);
    const turn = last(state);
    assert.equal(turn.status, 'error');
    assert.equal(turn.error, 'model_error: boom');
    assert.equal(turn.text, 'Half');
  });

  test('ignores unknown event names and malformed data', () => {
    const before = run([submit, event('token', { text: 'A' }, 1)]);
    const after = run(
      [
        { type: 'event', event: { type: 'surprise', data: '{}', lastEventId: `${STREAM}:2` }, at: 2 },
        { type: 'event', event: { type: 'token', data: 'not json', lastEventId: `${STREAM}:3` }, at: 3 },
        { type: 'event', event: { type: 'token', data: '{"text":5}', lastEventId: `${STREAM}:4` }, at: 4 },
        { type: 'event', event: { type: 'done', data: '{"finishReason":"weird","usage":{}}', lastEventId: `${STREAM}:5` }, at: 5 },
      ],
      before,
    );
    assert.deepEqual(after, before);
  });

  test('events after the end of a turn change nothing', () => {
    const ended = run([submit, event('done', { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 0 } }, 1)]);
    assert.deepEqual(run([event('token', { text: 'late' }, 2), { type: 'tokens', text: 'late', count: 1, at: 3, lastEventId: '' }], ended), ended);
  });

  test('stop keeps the partial answer and marks it stopped', () => {
    const turn = last(run([submit, event('token', { text: 'Par' }, 1), { type: 'stop', at: 9 }]));
    assert.equal(turn.status, 'ready');
    assert.equal(turn.stopped, true);
    assert.equal(turn.text, 'Par');
  });

  test('fail fails only an answer still coming', () => {
    const failed = last(run([submit, { type: 'fail', message: 'Lost', at: 3 }]));
    assert.equal(failed.status, 'error');
    assert.equal(failed.error, 'Lost');
    const done = run([submit, event('done', { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 0 } }, 1)]);
    assert.deepEqual(run([{ type: 'fail', message: 'late', at: 4 }], done), done);
  });

  test('regenerate replaces the last turn with a fresh one for the same prompt', () => {
    const state = run([submit, event('token', { text: 'old' }, 1), event('done', { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } }, 2)]);
    const again = run([{ type: 'regenerate', key: 2, seed: 99, at: 10 }], state);
    assert.equal(again.turns.length, 1);
    assert.deepEqual({ key: last(again).key, prompt: last(again).prompt, seed: last(again).seed, text: last(again).text, status: last(again).status }, {
      key: 2,
      prompt: 'What is SSE?',
      seed: 99,
      text: '',
      status: 'submitted',
    });
  });

  test('clear empties the conversation', () => {
    assert.deepEqual(run([submit, { type: 'clear' }]), INITIAL_CHAT);
  });
});

describe('history', () => {
  test('gives the conversation as messages, leaving out turns without an answer', () => {
    const state = run([
      submit,
      event('token', { text: 'A stream.' }, 1),
      event('done', { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } }, 2),
      { type: 'submit', key: 2, prompt: 'Fail please', seed: 1, at: 5 },
      { type: 'fail', message: 'no', at: 6 },
    ]);
    assert.deepEqual(history(state.turns), [
      { role: 'user', content: 'What is SSE?' },
      { role: 'assistant', content: 'A stream.' },
    ]);
  });
});

describe('turnMetrics', () => {
  test('time to first token and tokens a second from the arrival times', () => {
    const state = run([
      { ...submit, at: 100 },
      { type: 'tokens', text: 'a', count: 1, at: 300, lastEventId: `${STREAM}:1` },
      { type: 'tokens', text: 'b', count: 9, at: 400, lastEventId: `${STREAM}:10` },
      event('done', { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 10 } }, 11, 2300),
    ]);
    assert.deepEqual(turnMetrics(last(state)), { ttftMs: 200, tokensPerSecond: 5 });
  });
});
