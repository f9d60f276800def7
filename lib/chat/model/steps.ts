/**
 * Streaming a planned answer as chat steps: status, the web search (its input in pieces, the call,
 * the result), tokens, then done or error.
 */

import { seededRandom } from '../../seeded-random';
import type { ChatMessage, ChatStep } from '../protocol';
import { validateOptions, type SimulateOptions } from './options';
import { jsonPieces } from './json-pieces';
import { createPacing } from './pacing';
import { planAnswer } from './plan';
import { estimateTokens, tokenize } from './tokenizer';

const MAX_COMPLETION_TOKENS = 4096;
const ERROR_MESSAGE = 'The simulated model failed mid-answer (/error in the prompt).';

function* steps(messages: readonly ChatMessage[], { delayMs, seed }: SimulateOptions): Generator<ChatStep, void, undefined> {
  const plan = planAnswer(messages, seededRandom(seed));
  const wait = createPacing(seed, delayMs);

  yield { type: 'status', data: { stage: 'thinking' }, delayMs: wait('thinking') };
  if (plan.search) {
    const { id, query, results } = plan.search;
    yield { type: 'status', data: { stage: 'searching' }, delayMs: wait('searching') };
    const input = { query };
    // The input streams as pieces of its JSON text before the call, as a real model writes it;
    // the call then carries the whole input, parsed.
    const pieces = jsonPieces(JSON.stringify(input));
    for (const [index, inputTextDelta] of pieces.entries()) {
      const delayMs = wait(index === 0 ? 'toolCall' : 'toolInput');
      yield { type: 'tool', data: { id, name: 'web_search', state: 'input-streaming', inputTextDelta }, delayMs };
    }
    yield { type: 'tool', data: { id, name: 'web_search', state: 'call', input }, delayMs: 0 };
    yield {
      type: 'tool',
      data: { id, name: 'web_search', state: 'result', output: { results: results.map((r) => ({ ...r })) } },
      delayMs: wait('toolResult'),
    };
  }
  yield { type: 'status', data: { stage: 'generating' }, delayMs: wait('generating') };

  let completionTokens = 0;
  let finishReason: 'stop' | 'length' = 'stop';
  for (const text of tokenize(plan.answer)) {
    if (completionTokens === plan.failAfter) {
      yield { type: 'error', data: { code: 'model_error', message: ERROR_MESSAGE }, delayMs: wait('error') };
      return;
    }
    if (completionTokens === MAX_COMPLETION_TOKENS) {
      finishReason = 'length';
      break;
    }
    yield { type: 'token', data: { text }, delayMs: wait(completionTokens === 0 ? 'firstToken' : 'token') };
    completionTokens += 1;
  }

  let promptTokens = 0;
  for (const message of messages) promptTokens += estimateTokens(message.content);
  yield { type: 'done', data: { finishReason, usage: { promptTokens, completionTokens } }, delayMs: wait('done') };
}

/**
 * Simulates a model answering the conversation, one step at a time: status changes, an optional
 * web search, the answer's tokens, and `done` with usage (or an `error` mid-answer when the last
 * user message contains `/error`; `/long` asks for an answer of over 2,000 tokens). The same
 * messages and options always give the same steps. Nothing is read or planned until the first
 * step is pulled, and each later step is made only when pulled.
 *
 * @throws RangeError at once when `delayMs` or `seed` is out of range.
 */
export function simulateChat(messages: readonly ChatMessage[], options: SimulateOptions): Generator<ChatStep, void, undefined> {
  validateOptions(options);
  return steps(messages, options);
}
