// The chat over the browser's `EventSource`: GET with the question in the URL, cookies only, the
// browser's own parsing and reconnection.

import { newClientTag } from '@/components/fault-injection';
import { CHAT_EVENT_TYPES, isTerminal } from '@/lib/chat/protocol';
import type { ChatTransport, InFlight, OpenRequest, TransportListener, TransportStatus } from './chat-transport';

/** EventSource waits the server's `retry:` (1000 ms here) and does not tell; no back-off growth. */
const BACKOFF = 'retry: 1000 ms';

/** A chat transport over `EventSource`. */
export function createEventSourceTransport(listener: TransportListener): ChatTransport {
  const tag = newClientTag('es-chat');
  let source: EventSource | undefined;
  // Reconnections of the current (or last) stream, kept on show after it closes.
  let reconnects = 0;
  // Leaving the page also fails the connection; the answer must stay resumable then.
  let unloading = false;
  const markUnloading = () => {
    unloading = true;
  };

  const report = (state: TransportStatus['state']) => listener.onStatus({ state, reconnects, backoff: BACKOFF });

  function close(): boolean {
    if (!source) return false;
    source.close();
    source = undefined;
    window.removeEventListener('pagehide', markUnloading);
    window.removeEventListener('beforeunload', markUnloading);
    return true;
  }

  function connect(url: string, failure: string): void {
    close();
    const current = new EventSource(url);
    source = current;
    window.addEventListener('pagehide', markUnloading);
    window.addEventListener('beforeunload', markUnloading);
    let opens = 0;
    reconnects = 0;
    report('connecting');

    // A server event named `error` and the connection's own `error` share one listener name; only
    // MessageEvents carry data from the server.
    const onMessage = (event: Event) => {
      if (!(event instanceof MessageEvent) || source !== current) return;
      listener.onEvent({ type: event.type, data: String(event.data), lastEventId: event.lastEventId });
      // The server ends the stream after a final event; without close() the browser would reconnect.
      if (isTerminal(event.type) && close()) report('closed');
    };
    for (const type of CHAT_EVENT_TYPES) current.addEventListener(type, onMessage);
    current.onopen = () => {
      opens++;
      reconnects = opens - 1;
      report('open');
    };
    current.onerror = (event) => {
      if (event instanceof MessageEvent || source !== current) return;
      // [spec] CONNECTING after an error means the browser reconnects on its own; CLOSED means it
      // failed the connection (non-200, wrong type, 204) and gave up.
      if (current.readyState === EventSource.CONNECTING) {
        report('reconnecting');
        return;
      }
      if (unloading) return;
      close();
      report('error');
      listener.onEnd({ kind: 'failed', message: failure });
    };
  }

  return {
    tag,
    // EventSource cannot send headers: it authenticates with the session cookie.
    headers: () => ({}),
    open({ ask, history, turn }: OpenRequest) {
      const params = new URLSearchParams({ prompt: ask.prompt, seed: String(ask.seed), delayMs: String(ask.delayMs), client: tag });
      if (history.length > 0) params.set('history', JSON.stringify(history));
      params.set('turn', String(turn));
      connect(`/api/chat?${params}`, 'The connection failed and EventSource gave up.');
    },
    reattach({ streamId }: InFlight) {
      // EventSource cannot set headers, so it cannot send `Last-Event-ID` on a first request (only
      // on its own reconnects): the stream id goes in the path, unlike the fetch column's resume.
      // A non-200 (204 finished, 410 lost, 404) only fires `error` and closes, with no status to
      // read, so this column cannot tell those apart.
      connect(
        `/api/chat/${encodeURIComponent(streamId)}?client=${tag}`,
        'EventSource gave up: the answer finished, expired or was lost in a server restart (EventSource does not expose the status, so it cannot tell which).',
      );
    },
    stop() {
      if (close()) report('closed');
    },
  };
}
