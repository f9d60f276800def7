/**
 * One turn of the model as a tool-calling API sees it, derived from the steps `simulateChat`
 * gives: the answer's text, or a call to a tool the client offered, and how the turn ended. The
 * wire formats (OpenAI, Anthropic) frame these events; they never read the model's steps
 * themselves, so every format says the same thing for the same steps.
 */

import type { ChatMessage, ChatStep, ChatUsage } from '../protocol';
import { simulateChat } from '../simulate';

export { jsonPieces } from '../model/json-pieces';

/** Why a turn ended: the answer is complete, it hit the token cap, or it waits for a tool's result. */
export type TurnFinish = 'stop' | 'length' | 'tool_calls';

/** One event of a turn, sent after waiting `delayMs`. */
export type TurnEvent =
  | { type: 'text'; text: string; delayMs: number }
  /** The model calls a tool; its input follows as `tool-input` pieces. */
  | { type: 'tool-start'; id: string; name: string; delayMs: number }
  /** The next piece of the tool input's JSON text; the pieces joined are the whole input. */
  | { type: 'tool-input'; json: string; delayMs: number }
  | { type: 'finish'; reason: TurnFinish; usage: ChatUsage; delayMs: number }
  | { type: 'error'; code: string; message: string; delayMs: number };

/** How the model may act in this turn. */
export interface TurnOptions {
  /**
   * True when the client offered the model's tool and has not answered a call to it yet: a
   * look-up prompt is then answered with a call instead of text. False folds the search into the
   * answer (no tools offered), or continues after the tool's result came back.
   */
  callTool: boolean;
  /** The client's cap on answer tokens; past it the turn ends with `length`. */
  maxTokens?: number;
}

/** A turn: the prompt's size, known before the first event (Anthropic sends it first), and its events. */
export interface Turn {
  /** From the model's `done`; 0 when the answer fails midway (the model reports usage only with `done`). */
  promptTokens: number;
  events: TurnEvent[];
}

/**
 * Derives one turn from the model's steps. Status steps become pauses: their delays are added to
 * the next event sent, so the time to the first token stays what the model paced. The tool steps
 * become a call only when `callTool` is set (the model's input pieces, as it paced them, then the
 * end of the turn at its `call`); otherwise they are pauses too, and the text is the model's
 * answer token for token.
 */
export function modelTurn(steps: readonly ChatStep[], { callTool, maxTokens }: TurnOptions): Turn {
  let promptTokens = 0;
  for (const step of steps) if (step.type === 'done') promptTokens = step.data.usage.promptTokens;

  const events: TurnEvent[] = [];
  let waited = 0;
  let completionTokens = 0;
  let pieces = 0;
  for (const step of steps) {
    const delayMs = waited + step.delayMs;
    waited = 0;
    if (step.type === 'tool' && step.data.state === 'input-streaming' && callTool) {
      if (pieces === 0) events.push({ type: 'tool-start', id: step.data.id, name: step.data.name, delayMs });
      events.push({ type: 'tool-input', json: step.data.inputTextDelta, delayMs: pieces === 0 ? 0 : delayMs });
      pieces += 1;
      continue;
    }
    if (step.type === 'tool' && step.data.state === 'call' && callTool) {
      events.push({ type: 'finish', reason: 'tool_calls', usage: { promptTokens, completionTokens: pieces }, delayMs });
      return { promptTokens, events };
    }
    if (step.type === 'token') {
      if (maxTokens !== undefined && completionTokens >= maxTokens) {
        events.push({ type: 'finish', reason: 'length', usage: { promptTokens, completionTokens }, delayMs });
        return { promptTokens, events };
      }
      events.push({ type: 'text', text: step.data.text, delayMs });
      completionTokens += 1;
    } else if (step.type === 'done') {
      // The model's own reason: `stop`, or `length` at its own cap (never `abort`: no one stops it here).
      const reason = step.data.finishReason === 'length' ? 'length' : 'stop';
      events.push({ type: 'finish', reason, usage: { promptTokens, completionTokens }, delayMs });
      return { promptTokens, events };
    } else if (step.type === 'error') {
      events.push({ type: 'error', code: step.data.code, message: step.data.message, delayMs });
      return { promptTokens, events };
    } else {
      waited = delayMs;
    }
  }
  return { promptTokens, events };
}

/** The text of a turn's answer: what a client shows once the turn is over. */
export function turnText(turn: Turn): string {
  return turn.events.map((event) => (event.type === 'text' ? event.text : '')).join('');
}

/** The sum of a turn's pauses: how long it takes to produce whole, for an answer sent in one piece. */
export function turnDuration(turn: Turn): number {
  return turn.events.reduce((sum, event) => sum + event.delayMs, 0);
}

/**
 * Runs the model on a conversation and derives its turn: the same messages, `delayMs` and `seed`
 * give the same text as `simulateChat` (and so as `/api/chat`), whatever the format.
 */
export function simulateTurn(
  messages: readonly ChatMessage[],
  { delayMs, seed, callTool, maxTokens }: { delayMs: number; seed: number; callTool: boolean; maxTokens?: number },
): Turn {
  return modelTurn([...simulateChat(messages, { delayMs, seed })], { callTool, maxTokens });
}
