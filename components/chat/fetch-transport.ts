// The chat over `fetch()` + SSE Lab's parser and reconnecting client: POST with a JSON body and an
// `Authorization` header, resumed with `Last-Event-ID`.

import { newClientTag } from '@/components/fault-injection';
import { formatEventId, isTerminal, type ChatMessage } from '@/lib/chat/protocol';
import { connectEventStream, type EventStreamHandle } from '@/lib/sse/client';
import { EventStreamError } from '@/lib/sse/errors';
import type { ChatTransport, InFlight, OpenRequest, TransportListener, TransportStatus } from './chat-transport';

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The credentials to send, read before every request, so a reconnect carries the newest token. */
  authorization: () => Record<string, string>;
}

/** A chat transport over `fetch()`. */
export function createFetchTransport(listener: TransportListener, { authorization }: FetchTransportOptions): ChatTransport {
  const tag = newClientTag('fetch-chat');
  let handle: EventStreamHandle | undefined;
  let reconnects = 0;
  // Kept on show across streams: the last wait and why.
  let backoff = '—';

  const report = (state: TransportStatus['state']) => listener.onStatus({ state, reconnects, backoff });

  function close(): boolean {
    if (!handle) return false;
    const closing = handle;
    handle = undefined;
    closing.close();
    return true;
  }

  function connect(messages: ChatMessage[], options: { delayMs?: number; seed: number }, lastEventId?: string): void {
    close();
    reconnects = 0;
    // Set once a final event arrived: the stream then ended as it should.
    let finished = false;
    const current = connectEventStream({
      url: `/api/chat?client=${tag}`,
      method: 'POST',
      body: JSON.stringify({ messages, options }),
      headers: () => ({ 'Content-Type': 'application/json', ...authorization() }),
      // The server resumes a chat from Last-Event-ID, so re-sending the POST is safe.
      resumable: true,
      lastEventId,
      onEvent: (event) => {
        if (handle !== current) return;
        listener.onEvent(event);
        if (isTerminal(event.type)) {
          finished = true;
          close();
          report('closed');
        }
      },
      onReconnect: (info) => {
        if (handle !== current) return;
        reconnects++;
        backoff = `${info.delayMs} ms (${info.reason})`;
        report('reconnecting');
      },
      onStateChange: (state) => {
        if (handle === current && state !== 'closed') report(state);
      },
    });
    handle = current;
    report('connecting');
    current.done.then(
      () => {
        if (handle !== current || finished) return;
        // Ended without a final event and without close(): a 204, the server has nothing (more).
        handle = undefined;
        report('finished');
        listener.onEnd({ kind: 'finished' });
      },
      (error: Error) => {
        if (handle !== current) return;
        handle = undefined;
        if (error instanceof EventStreamError && error.status === 410) {
          report('lost');
          listener.onEnd({ kind: 'lost' });
        } else {
          report('error');
          listener.onEnd({ kind: 'failed', message: error.message });
        }
      },
    );
  }

  return {
    tag,
    headers: authorization,
    open({ ask, history }: OpenRequest) {
      connect([...history, { role: 'user', content: ask.prompt }], { delayMs: ask.delayMs, seed: ask.seed });
    },
    reattach({ prompt, seed, streamId }: InFlight) {
      // `Last-Event-ID: <streamId>:0` resumes from the first event, like a reconnect, and keeps the
      // stream id out of the URL (and so out of logs that record URLs). The server resumes from
      // the header and does not generate from the body, but the body must still be a valid request.
      connect([{ role: 'user', content: prompt }], { seed }, formatEventId(streamId, 0));
    },
    stop() {
      if (close()) report('closed');
    },
  };
}
