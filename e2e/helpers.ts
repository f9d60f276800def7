import type { ChatMessage, ChatStep } from '../lib/chat/protocol';
import { simulateChat } from '../lib/chat/simulate';
import { createParser } from '../lib/sse/parser';
import type { SseEvent } from '../lib/sse/types';

/** Reads a whole (finite) event stream and parses it with the library's parser. */
export async function readEvents(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) return events;
    parser.feed(value);
  }
}

/** Reads a response until it ends, cleanly or abruptly (a dropped connection errors the body). */
export async function readUntilEnd(response: Response): Promise<{ events: SseEvent[]; dropped: boolean }> {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { events, dropped: false };
      parser.feed(value);
    }
  } catch {
    return { events, dropped: true };
  }
}

/** Reads events until `stop` says so, then aborts the request. */
export async function readEventsUntil(
  url: string,
  init: RequestInit,
  stop: (events: SseEvent[]) => boolean,
): Promise<{ response: Response; events: SseEvent[] }> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  try {
    while (!stop(events)) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } finally {
    controller.abort();
  }
  return { response, events };
}

/** The data of every event, parsed as JSON. */
export function payloads(events: SseEvent[]): { type: string; data: unknown }[] {
  return events.map((event) => ({ type: event.type, data: JSON.parse(event.data) as unknown }));
}

/** Posts a chat question as JSON. */
export function postChat(baseURL: string, body: unknown, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${baseURL}/api/chat${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The simulated model's steps for one user prompt, as /api/chat streams them (no pacing). */
export function model(prompt: string, seed: number): ChatStep[] {
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  return [...simulateChat(messages, { delayMs: 0, seed })];
}

/** The text the model answers `prompt` with for `seed`. */
export function modelText(prompt: string, seed: number): string {
  return model(prompt, seed)
    .map((step) => (step.type === 'token' ? step.data.text : ''))
    .join('');
}
