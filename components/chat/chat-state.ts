import { parsePartialJson } from '@/lib/chat/partial-input';
import { decodeChatEvent, streamIdOf, type ChatStage, type FinishReason, type ToolEventData } from '@/lib/chat/protocol';
import type { SseEvent } from '@/lib/sse/types';

/** Where one answer is, as a chat client shows it. */
export type TurnStatus = 'submitted' | 'streaming' | 'ready' | 'error';

/** A tool call as a card that goes from its input filling in, to the call, to its result. */
export interface ToolCard {
  id: string;
  name: string;
  state: 'input-streaming' | 'call' | 'result';
  /** The input's JSON text so far, while it streams. */
  inputText?: string;
  /** The input: parsed as far as it has arrived while it streams, then whole. */
  input?: unknown;
  output?: unknown;
}

/** One question and its (possibly partial) answer. */
export interface Turn {
  key: number;
  prompt: string;
  seed: number;
  status: TurnStatus;
  stage?: ChatStage;
  tools: ToolCard[];
  text: string;
  tokens: number;
  error?: string;
  stopped: boolean;
  finishReason?: FinishReason;
  streamId?: string;
  lastEventId: string;
  replayed: number;
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
}

export interface ChatState {
  turns: Turn[];
}

export type ChatAction =
  | { type: 'submit'; key: number; prompt: string; seed: number; at: number }
  | { type: 'event'; event: SseEvent; at: number }
  | { type: 'tokens'; text: string; count: number; at: number; lastEventId: string }
  | { type: 'stop'; at: number }
  | { type: 'fail'; message: string; at: number }
  | { type: 'regenerate'; key: number; seed: number; at: number }
  | { type: 'clear' };

export const INITIAL_CHAT: ChatState = { turns: [] };

/** The turn being answered, if any. */
export function currentTurn(state: ChatState): Turn | undefined {
  const last = state.turns.at(-1);
  return last && (last.status === 'submitted' || last.status === 'streaming') ? last : undefined;
}

/** The conversation so far as model messages, for a follow-up question (turns without text left out). */
export function history(turns: readonly Turn[]): { role: 'user' | 'assistant'; content: string }[] {
  return turns.flatMap((turn) =>
    turn.text ? [{ role: 'user' as const, content: turn.prompt }, { role: 'assistant' as const, content: turn.text }] : [],
  );
}

function updateLast(state: ChatState, update: (turn: Turn) => Turn): ChatState {
  const last = state.turns.at(-1);
  if (!last) return state;
  return { turns: [...state.turns.slice(0, -1), update(last)] };
}

function newTurn(key: number, prompt: string, seed: number, at: number): Turn {
  return { key, prompt, seed, status: 'submitted', tools: [], text: '', tokens: 0, stopped: false, lastEventId: '', replayed: 0, startedAt: at };
}

/**
 * Applies one action. Token text may arrive batched (one `tokens` action a frame) or as `token`
 * events; either way it is appended in order.
 */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'submit':
      return { turns: [...state.turns, newTurn(action.key, action.prompt, action.seed, action.at)] };
    case 'regenerate': {
      const last = state.turns.at(-1);
      if (!last) return state;
      return { turns: [...state.turns.slice(0, -1), newTurn(action.key, last.prompt, action.seed, action.at)] };
    }
    case 'clear':
      return INITIAL_CHAT;
    case 'tokens':
      return updateLast(state, (turn) =>
        turn.status === 'streaming' || turn.status === 'submitted'
          ? {
              ...turn,
              status: 'streaming',
              text: turn.text + action.text,
              tokens: turn.tokens + action.count,
              firstTokenAt: turn.firstTokenAt ?? action.at,
              lastEventId: action.lastEventId,
              streamId: turn.streamId ?? streamIdOf(action.lastEventId),
            }
          : turn,
      );
    case 'stop':
      return updateLast(state, (turn) =>
        turn.status === 'streaming' || turn.status === 'submitted' ? { ...turn, status: 'ready', stopped: true, endedAt: action.at } : turn,
      );
    case 'fail':
      // Only an answer still coming can fail; a finished one keeps its result.
      return updateLast(state, (turn) =>
        turn.status === 'submitted' || turn.status === 'streaming' ? { ...turn, status: 'error', error: action.message, endedAt: action.at } : turn,
      );
    case 'event':
      return updateLast(state, (turn) => applyEvent(turn, action.event, action.at));
  }
}

// A tool event updates its card (by id): input pieces are appended and the text so far is parsed as
// partial JSON; the call replaces the partial input with the whole one; the result keeps the input.
function applyTool(tools: readonly ToolCard[], data: ToolEventData): ToolCard[] {
  const index = tools.findIndex((tool) => tool.id === data.id);
  const existing = index === -1 ? undefined : tools[index];
  let card: ToolCard;
  if (data.state === 'input-streaming') {
    // A piece after the call (a stray replay) changes nothing.
    if (existing && existing.state !== 'input-streaming') return [...tools];
    const inputText = (existing?.inputText ?? '') + data.inputTextDelta;
    const input = parsePartialJson(inputText) ?? existing?.input;
    card = { id: data.id, name: data.name, state: 'input-streaming', inputText, ...(input === undefined ? {} : { input }) };
  } else if (data.state === 'call') {
    card = { id: data.id, name: data.name, state: 'call', input: data.input };
  } else {
    const input = existing?.input;
    card = { id: data.id, name: data.name, state: 'result', ...(input === undefined ? {} : { input }), output: data.output };
  }
  return index === -1 ? [...tools, card] : tools.map((tool, i) => (i === index ? card : tool));
}

// A live turn takes one event off the wire; unknown events and malformed data change nothing.
function applyEvent(turn: Turn, event: SseEvent, at: number): Turn {
  if (turn.status === 'ready' || turn.status === 'error') return turn;
  const decoded = decodeChatEvent(event.type, event.data);
  if (!decoded) return turn;
  const next: Turn = {
    ...turn,
    status: 'streaming',
    lastEventId: event.lastEventId || turn.lastEventId,
    streamId: turn.streamId ?? streamIdOf(event.lastEventId),
  };
  switch (decoded.type) {
    case 'status':
      return { ...next, stage: decoded.data.stage };
    case 'tool':
      return { ...next, tools: applyTool(next.tools, decoded.data) };
    case 'token':
      return { ...next, text: next.text + decoded.data.text, tokens: next.tokens + 1, firstTokenAt: next.firstTokenAt ?? at };
    case 'resumed':
      return { ...next, replayed: next.replayed + decoded.data.replayed };
    case 'done':
      return { ...next, status: 'ready', stage: undefined, finishReason: decoded.data.finishReason, endedAt: at };
    case 'error':
      return { ...next, status: 'error', stage: undefined, error: `${decoded.data.code}: ${decoded.data.message}`, endedAt: at };
  }
}

/** Time to first token and tokens a second, once known. */
export function turnMetrics(turn: Turn): { ttftMs?: number; tokensPerSecond?: number } {
  const ttftMs = turn.firstTokenAt !== undefined ? Math.round(turn.firstTokenAt - turn.startedAt) : undefined;
  const end = turn.endedAt;
  if (turn.firstTokenAt === undefined || end === undefined || turn.tokens < 2) return { ttftMs };
  const seconds = (end - turn.firstTokenAt) / 1000;
  return { ttftMs, tokensPerSecond: seconds > 0 ? Math.round((turn.tokens / seconds) * 10) / 10 : undefined };
}
