import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import type { Frame } from '../lib/chat/formats/frame';
import { pacedResponse } from '../lib/server/paced-stream';
import { getStreamStats } from '../lib/sse/server';
import { flush, trackTimeouts } from './support/timers';

const FRAMES: Frame[] = [
  { data: { n: 1 }, delayMs: 0 },
  { event: 'two', data: 'x', delayMs: 5 },
  { data: '[DONE]', delayMs: 0 },
];

async function readAll(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

describe('pacedResponse', () => {
  afterEach(() => mock.restoreAll());

  test('sends every frame through the encoder, in order, then ends the stream', async () => {
    const response = pacedResponse(new Request('http://test/'), FRAMES, 'test', { heartbeatMs: 0 });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(await readAll(response), 'retry: 1000\ndata: {"n":1}\n\nevent: two\ndata: x\n\ndata: [DONE]\n\n');
  });

  test('a client that leaves mid-pause ends the stream and leaves no timer behind', async () => {
    const live = trackTimeouts();
    const client = new AbortController();
    const before = getStreamStats().openStreams;
    const response = pacedResponse(new Request('http://test/', { signal: client.signal }), [{ data: 'a', delayMs: 0 }, { data: 'b', delayMs: 60_000 }], 'test', { heartbeatMs: 0 });
    const reader = response.body!.getReader();
    await reader.read(); // retry:
    await reader.read(); // a
    await flush();
    assert.equal(live.size, 1, 'waiting before b');
    assert.equal(getStreamStats().openStreams, before + 1);
    client.abort();
    await flush();
    assert.equal(live.size, 0);
    assert.equal(getStreamStats().openStreams, before);
    assert.deepEqual(await reader.read(), { done: true, value: undefined });
  });
});
