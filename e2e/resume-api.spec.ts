import { expect, test } from '@playwright/test';
import type { SseEvent } from '../lib/sse/types';
import { postChat, readEvents, readUntilEnd } from './helpers';

const PROMPT = 'How does reconnection with Last-Event-ID work?';
const BODY = { messages: [{ role: 'user', content: PROMPT }], options: { delayMs: 5, seed: 99 } };

function answer(events: SseEvent[]): string {
  return events
    .filter((event) => event.type === 'token')
    .map((event) => (JSON.parse(event.data) as { text: string }).text)
    .join('');
}

function seqs(events: SseEvent[]): number[] {
  return events.filter((event) => event.lastEventId && event.type !== 'resumed').map((event) => Number(event.lastEventId.split(':')[1]));
}

async function uninterrupted(baseURL: string): Promise<SseEvent[]> {
  return readEvents(await postChat(baseURL, { ...BODY, options: { ...BODY.options, delayMs: 0 } }));
}

test.describe('resuming a chat', () => {
  test('over POST with Last-Event-ID continues from the next event, the text equal to an uninterrupted answer', async ({ baseURL }) => {
    const first = await readUntilEnd(await postChat(baseURL!, BODY, {}, '?dropAfter=6'));
    expect(first.dropped).toBe(true);
    const cursor = first.events.at(-1)!.lastEventId;
    const rest = await readEvents(await postChat(baseURL!, BODY, { 'Last-Event-ID': cursor }));
    const resumed = rest.find((event) => event.type === 'resumed');
    expect(resumed).toBeDefined();
    expect(JSON.parse(resumed!.data).after).toBe(cursor);
    const all = [...first.events, ...rest];
    // One stream, ids contiguous from 1: no gap, no duplicate.
    expect(seqs(all)).toEqual(seqs(all).map((_, index) => index + 1));
    expect(new Set(all.map((event) => event.lastEventId.split(':')[0])).size).toBe(1);
    expect(answer(all)).toBe(answer(await uninterrupted(baseURL!)));
    expect(all.at(-1)!.type).toBe('done');
  });

  test('over GET with Last-Event-ID, as EventSource reconnects', async ({ baseURL }) => {
    const query = new URLSearchParams({ prompt: PROMPT, seed: '99', delayMs: '5' });
    const first = await readUntilEnd(await fetch(`${baseURL}/api/chat?${query}&dropAfter=9`));
    expect(first.dropped).toBe(true);
    const cursor = first.events.at(-1)!.lastEventId;
    const rest = await readEvents(await fetch(`${baseURL}/api/chat?${query}`, { headers: { 'Last-Event-ID': cursor } }));
    const all = [...first.events, ...rest];
    expect(seqs(all)).toEqual(seqs(all).map((_, index) => index + 1));
    expect(answer(all)).toBe(answer(await uninterrupted(baseURL!)));
  });

  test('through GET /api/chat/<streamId>, from the start or after Last-Event-ID', async ({ baseURL }) => {
    const response = await postChat(baseURL!, BODY, {}, '?dropAfter=3');
    const streamId = response.headers.get('x-stream-id')!;
    await readUntilEnd(response);
    const whole = await readEvents(await fetch(`${baseURL}/api/chat/${streamId}`));
    expect(seqs(whole)[0]).toBe(1);
    expect(answer(whole)).toBe(answer(await uninterrupted(baseURL!)));
    const tail = await readEvents(await fetch(`${baseURL}/api/chat/${streamId}`, { headers: { 'Last-Event-ID': `${streamId}:10` } }));
    expect(seqs(tail)[0]).toBe(11);
    const logged = (events: SseEvent[]) => events.filter((event) => event.type !== 'resumed').map((event) => event.lastEventId);
    expect(logged(tail)).toEqual(logged(whole).slice(10));
  });

  test('an unknown stream answers 204, so both clients stop', async ({ baseURL }) => {
    expect((await fetch(`${baseURL}/api/chat/unknownstream123`)).status).toBe(204);
    const resumed = await postChat(baseURL!, BODY, { 'Last-Event-ID': 'unknownstream123:4' });
    expect(resumed.status).toBe(204);
  });

  test('a malformed Last-Event-ID is a 400, and DELETE of an unknown stream a 404', async ({ baseURL }) => {
    const bad = await postChat(baseURL!, BODY, { 'Last-Event-ID': 'not a cursor' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
    const gone = await fetch(`${baseURL}/api/chat/unknownstream123`, { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  test('DELETE stops a running generation: done with finishReason abort, and the stream ends', async ({ baseURL }) => {
    const response = await postChat(baseURL!, { ...BODY, options: { delayMs: 50, seed: 1 } });
    const streamId = response.headers.get('x-stream-id')!;
    const reading = readEvents(response);
    expect((await fetch(`${baseURL}/api/chat/${streamId}`, { method: 'DELETE' })).status).toBe(204);
    const events = await reading;
    const done = JSON.parse(events.at(-1)!.data) as { finishReason: string };
    expect(events.at(-1)!.type).toBe('done');
    expect(done.finishReason).toBe('abort');
  });
});
