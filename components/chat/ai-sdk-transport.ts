// The AI SDK's own HTTP transport, pointed at our UI message stream route, with two additions a
// chat column needs: it tells a listener every chunk it reads (for the token count and the finish
// reason, which `useChat` does not expose) and every resume the SDK asks for, and it resumes by the
// run id the server named.

import { DefaultChatTransport, type UIMessage, type UIMessageChunk } from 'ai';

/** The route `DefaultChatTransport` posts to. */
export const UI_CHAT_API = '/v1/ui/chat';

/** Which request a chunk came from: the question's POST, or a resume's GET. */
export type ChunkSource = 'send' | 'resume';

/** Told what the transport reads and which run the server started. */
export interface AiSdkTransportListener {
  onChunk(chunk: UIMessageChunk, source: ChunkSource): void;
  /** The run id of a new answer (`X-Stream-Id`), to resume it after a reload. */
  onRunId(runId: string): void;
  /**
   * Each time `useChat` asks to resume (`reconnectToStream`): `stream` when the server had the run
   * and replays it from its first chunk, `nothing` for a 204.
   */
  onResume(outcome: 'stream' | 'nothing'): void;
}

/** Longest the SDK's handling of chunks may run before it lets the page have the main thread. */
const SLICE_MS = 8;

function observe(stream: ReadableStream<UIMessageChunk>, listener: AiSdkTransportListener, source: ChunkSource): ReadableStream<UIMessageChunk> {
  let sliceStart = performance.now();
  return stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        listener.onChunk(chunk, source);
        controller.enqueue(chunk);
        // A fast answer arrives hundreds of chunks to a network read, and the SDK parses, checks and
        // applies each one in the same task. Past a slice, wait for a task of our own: the pipe's
        // backpressure holds the SDK's parsing too, so no task holds the main thread for long.
        if (performance.now() - sliceStart < SLICE_MS) return;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            sliceStart = performance.now();
            resolve();
          }, 0),
        );
      },
    }),
  );
}

/** `DefaultChatTransport` that reports its chunks and resumes, and resumes by run id. */
class ObservedChatTransport extends DefaultChatTransport<UIMessage> {
  constructor(
    private readonly listener: AiSdkTransportListener,
    options: ConstructorParameters<typeof DefaultChatTransport<UIMessage>>[0],
  ) {
    super(options);
  }

  override async sendMessages(options: Parameters<DefaultChatTransport<UIMessage>['sendMessages']>[0]): Promise<ReadableStream<UIMessageChunk>> {
    return observe(await super.sendMessages(options), this.listener, 'send');
  }

  override async reconnectToStream(
    options: Parameters<DefaultChatTransport<UIMessage>['reconnectToStream']>[0],
  ): Promise<ReadableStream<UIMessageChunk> | null> {
    const stream = await super.reconnectToStream(options);
    this.listener.onResume(stream ? 'stream' : 'nothing');
    return stream && observe(stream, this.listener, 'resume');
  }
}

/**
 * A transport for `useChat` over `POST /v1/ui/chat`. `headers()` is read for every request (the
 * bearer token), and `runId()` names the run to resume: `GET /v1/ui/chat/<run id>/stream`, or
 * the chat id when there is none, which the server answers with 204 (nothing to resume).
 */
export function createAiSdkTransport(
  listener: AiSdkTransportListener,
  { headers, runId }: { headers: () => Record<string, string>; runId: () => string | undefined },
): DefaultChatTransport<UIMessage> {
  return new ObservedChatTransport(listener, {
    api: UI_CHAT_API,
    headers,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const id = response.headers.get('X-Stream-Id');
      if (id && init?.method === 'POST') listener.onRunId(id);
      return response;
    },
    prepareReconnectToStreamRequest: ({ id }) => ({ api: `${UI_CHAT_API}/${encodeURIComponent(runId() ?? id)}/stream`, headers: headers() }),
  });
}
