import { encodeComment, encodeEvent, encodeRetry, toBytes } from './encoder';
import { countDirectStream, countEventSent, registerStream, unregisterStream, type CloseReason, type RegisteredStream } from './registry';
import type { EventInput } from './types';

/**
 * The headers every event stream answers with. `no-transform` keeps proxies from compressing or
 * re-chunking; `X-Accel-Buffering: no` turns off nginx's response buffering for this response.
 * No `Connection` header: Node adds keep-alive itself, and the header is illegal over HTTP/2.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
});


/** Options of {@link createSseResponse}. */
export interface SseResponseOptions {
  /** The request's signal: its abort (client gone) closes the stream. */
  signal?: AbortSignal;
  /** Sent first as `retry:`, which also flushes the headers at once. Default 1000 ms. */
  retry?: number;
  /** Interval of `: ping` heartbeat comments; 0 turns them off. Default 15 s. */
  heartbeatMs?: number;
  /**
   * Bytes the stream may queue for a client that does not read. Past it the client is cut off
   * (close reason `slow`) instead of the server buffering without bound. Default 1 MiB.
   */
  maxQueuedBytes?: number;
  /** Name the stream is counted under in {@link getStreamStats}, such as the route. */
  label?: string;
  /** Extra response headers. */
  headers?: HeadersInit;
  /**
   * Fault injection: end the response abruptly (close reason `dropped`) after this many events,
   * so that clients can be seen resuming. The drop happens once the client has read those events
   * (at its next read), so that they reach the socket first; sends after the last one are refused.
   */
  dropAfter?: number;
  /** A client-chosen tag; {@link dropTagged} cuts off every open stream with it (the "drop" demo). */
  tag?: string;
  /** Who the stream is counted under for per-client caps (the client IP); see {@link countOpenStreams}. */
  client?: string;
  /**
   * Runs once when the stream ends, whichever way: for bookkeeping outside the process, such as
   * a stream slot held in a store shared by several servers.
   */
  onClose?: () => void;
  /**
   * Starts producing events. Called once the stream is open; may return a cleanup function, which
   * runs exactly once, whichever way the stream ends.
   */
  start?: (connection: SseConnection) => (() => void) | void;
  /**
   * Events pulled as the client reads, instead of (or as well as) pushed: see {@link SseSource}.
   * Suits a replay from a log, which then never queues more than one batch, however long it is.
   */
  source?: SseSource;
  /**
   * The Node response this stream's body is piped into (under Next, `nodeResponseOf(request)`
   * from `lib/http/lifecycle.ts`). Given one, the stream writes its events to it directly once the
   * framework starts piping, instead of through the body: a web-stream pipe costs several promises
   * per chunk, a direct write one `write()`. What was sent before the pipe started goes out as one
   * write; the end of the stream still goes through the body, so the framework ends the response
   * as usual. A {@link SseResponseOptions.source} is then pulled whenever what Node holds for the
   * socket is under its high-water mark (no `drain` pending), as Next's pipe of the body did. Streams with `dropAfter` keep
   * the body, whose reads time the drop; so does a stream whose framework reads the body before it
   * has set the response's headers. Keep `Cache-Control: no-transform` ({@link SSE_HEADERS} has it): it keeps
   * compression middleware off the response, whose zlib buffer the slow-client bound would not see.
   *
   * Pass it only when the Response goes to the framework as it is: a body wrapped in another
   * stream or teed would be read lazily by that code, and the events would bypass it.
   */
  direct?: DirectWriter;
}

/**
 * The part of Node's `http.ServerResponse` a stream writes to directly: see
 * {@link SseResponseOptions.direct}.
 */
export interface DirectWriter {
  write(chunk: Uint8Array): boolean;
  /**
   * For a stream with a source, which is pulled only while what Node holds is under its
   * high-water mark (no `drain` pending). A writer without them keeps such a stream on the body.
   */
  on?(event: 'drain', listener: () => void): unknown;
  off?(event: 'drain', listener: () => void): unknown;
  readonly writableNeedDrain?: boolean;
  /** Added by compression middleware: sends what it has compressed so far. */
  flush?(): void;
  getHeader(name: string): unknown;
  readonly headersSent: boolean;
  /** Bytes written and not yet handed to the kernel: how far behind the client is. */
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
}

/**
 * A producer the stream pulls from, as the ReadableStream `pull()` hook asks: only when the client
 * has read everything sent so far. One object can serve as the source of its own connection, so a
 * stream costs no closure.
 */
export interface SseSource {
  /**
   * Sends the next events (at least one, or closes the stream, before the promise settles: a pull
   * that settles having sent nothing is not repeated until something else is sent). Sends made
   * while a pull is in progress are not counted against `maxQueuedBytes`: the client asked for them.
   */
  pull(connection: SseConnection): Promise<void> | void;
  /** Runs once when the stream ends, whichever way. */
  close?(connection: SseConnection): void;
}

/** The options of {@link createSseResponse} a route decides (caps, faults), as opposed to the producer's. */
export type StreamSettings = Pick<SseResponseOptions, 'client' | 'maxQueuedBytes' | 'heartbeatMs' | 'dropAfter' | 'tag' | 'onClose' | 'direct'>;

/** What a producer writes to: one open event stream. */
export interface SseConnection {
  /**
   * Encodes and sends one event. Returns false, sending nothing, once the stream has closed or
   * a fault-injection drop is pending.
   */
  send(event: EventInput): boolean;
  /** Sends bytes that are already encoded, as a broadcast shared by many streams. */
  sendBytes(bytes: Uint8Array): boolean;
  /** Sends a comment line. */
  comment(text: string): boolean;
  /** Ends the stream (idempotent); `dropped` ends it abruptly, like a network failure. */
  close(reason?: CloseReason): void;
  /** True once the stream has ended, for any reason. */
  readonly closed: boolean;
  /** Aborted when the stream ends: hand it to timers and fetches working for this stream. */
  readonly signal: AbortSignal;
}


// A class, not a closure: thousands of these stay open at once, and the methods live once on the
// prototype. It is its own ReadableStream source and its own abort listener (handleEvent), so a
// stream costs one object and no per-connection functions.
class Connection implements SseConnection, RegisteredStream, UnderlyingDefaultSource<Uint8Array> {
  closed = false;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private cleanup: (() => void) | void = undefined;
  private abortController: AbortController | undefined;
  readonly label: string;
  readonly heartbeatMs: number;
  private eventsLeft: number;
  /** A pull is in progress: its sends were asked for and are not held against the queue bound. */
  private pulling = false;
  private sourceClosed = false;
  /** Writing to {@link SseResponseOptions.direct}: the framework's pipe has started. */
  private sink: DirectWriter | undefined;
  /** Bytes sent before the pipe started, while a direct writer waits for it (one write then). */
  private held: Uint8Array[] | undefined;
  private heldBytes = 0;
  /** Writes made directly, so a pull can tell whether it sent anything. */
  private writes = 0;
  /** Writing directly with a source: what the next pull waits for, if it is not under way. */
  private waiting: 'drain' | 'push' | 'turn' | undefined;
  private pumpLater: (() => void) | undefined;
  private onDrain: (() => void) | undefined;

  constructor(private readonly options: SseResponseOptions) {
    this.label = options.label ?? 'default';
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.eventsLeft = options.dropAfter ?? Number.POSITIVE_INFINITY;
    const { direct } = options;
    const paced = !options.source || (direct?.on !== undefined && direct.off !== undefined && direct.writableNeedDrain !== undefined);
    if (direct && options.dropAfter === undefined && paced) this.held = [];
  }

  get tag(): string | undefined {
    return this.options.tag;
  }

  get client(): string | undefined {
    return this.options.client;
  }

  get signal(): AbortSignal {
    this.abortController ??= new AbortController();
    if (this.closed) this.abortController.abort();
    return this.abortController.signal;
  }

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    const { signal } = this.options;
    if (signal?.aborted) {
      this.close('client');
      return;
    }
    signal?.addEventListener('abort', this, { once: true });
    registerStream(this);
    this.write(toBytes(encodeRetry(this.options.retry ?? 1000)));
    try {
      this.cleanup = this.options.start?.(this);
    } catch (error) {
      this.close('error');
      throw error;
    }
    // A producer that closed the stream inside start() hands back its cleanup after close() ran.
    if (this.closed) this.runCleanup();
  }

  cancel(): void {
    this.close('client');
  }

  // Called by the stream when the client reads and nothing is queued: everything sent so far has
  // gone to the consumer, so this is where a pending drop happens. Not at once: the server may
  // still hold what it read in a corked socket until the next tick (Node's http response does),
  // and destroying the response sooner would lose it.
  pull(): Promise<void> | void {
    // Writing directly, the source is pulled by pump(), not by reads of the body.
    if (this.closed || this.sink) return;
    const held = this.held;
    // Direct from here on; or, falling back, what was held is read before the source is pulled.
    if (held && (this.attach(held) || held.length > 0)) return;
    if (this.eventsLeft <= 0) {
      return new Promise((resolve) =>
        setTimeout(() => {
          this.close('dropped');
          resolve();
        }, 0),
      );
    }
    const source = this.options.source;
    if (!source) return;
    this.pulling = true;
    let pending: Promise<void> | void;
    try {
      pending = source.pull(this);
    } catch (error) {
      this.pulling = false;
      this.close('error');
      throw error;
    }
    if (!pending) {
      this.pulling = false;
      return;
    }
    return pending.then(
      () => {
        this.pulling = false;
      },
      (error: unknown) => {
        this.pulling = false;
        console.error('event stream source failed', error);
        this.close('error');
      },
    );
  }

  handleEvent(): void {
    this.close('client');
  }

  // The framework reads the body for the first time: it has set the response's status and
  // headers, and has nothing of ours in flight (nothing was enqueued). From here on, writes go
  // straight to the response, the first one carrying all that was held. Its pipe keeps waiting on
  // this read, until close() ends the body. A framework that reads before it set the headers (the
  // body teed or buffered) gets the body instead, for the whole stream.
  private attach(held: Uint8Array[]): boolean {
    const direct = this.options.direct!;
    this.held = undefined;
    this.heldBytes = 0;
    const contentType = direct.getHeader('content-type');
    // Not yet set (the body is read before the response is begun) or already sent (someone else
    // wrote first): the body it is.
    const ready = !direct.headersSent && typeof contentType === 'string' && contentType.startsWith('text/event-stream');
    if (!ready) {
      for (const bytes of held) this.controller!.enqueue(bytes);
      return false;
    }
    this.sink = direct;
    countDirectStream();
    if (held.length > 0) this.writeDirect(held.length === 1 ? held[0]! : concat(held), Number.POSITIVE_INFINITY);
    if (this.options.source) {
      // Made here, for the few streams with a source: the rest carry no function of their own.
      this.pumpLater = () => this.pump();
      this.onDrain = () => {
        if (this.waiting === 'drain') this.pump();
      };
      direct.on!('drain', this.onDrain);
      this.pump();
    }
    return true;
  }

  // With a source, writing directly: pulls it whenever what Node holds is under its high-water
  // mark (no 'drain' pending), as Next's pipe of the body would, so a replay of any length queues
  // at most one batch past that mark. A pull that sent something is followed by the next one a turn of the event loop later
  // (I/O first, and no recursion however many batches); one that sent nothing waits for the next
  // push (see writeDirect), as the source contract says.
  private pump(): void {
    const sink = this.sink!;
    const source = this.options.source!;
    this.waiting = undefined;
    if (this.closed || this.pulling) return;
    if (sink.writableNeedDrain) {
      // onDrain pulls again.
      this.waiting = 'drain';
      return;
    }
    const before = this.writes;
    this.pulling = true;
    const settle = () => {
      this.pulling = false;
      if (this.closed) return;
      if (this.writes === before) this.waiting = 'push';
      else {
        this.waiting = 'turn';
        setImmediate(this.pumpLater!);
      }
    };
    let pending: Promise<void> | void;
    try {
      pending = source.pull(this);
    } catch (error) {
      this.sourceFailed(error);
      return;
    }
    if (!pending) settle();
    else pending.then(settle, (error: unknown) => this.sourceFailed(error));
  }

  // Runs outside any stream machinery (a timer, a 'drain', a promise nobody awaits): nothing here
  // may throw, not even a cleanup that does.
  private sourceFailed(error: unknown): void {
    this.pulling = false;
    console.error('event stream source failed', error);
    try {
      this.close('error');
    } catch (cleanupError) {
      console.error('event stream cleanup failed', cleanupError);
    }
  }

  send(event: EventInput): boolean {
    if (this.closed) return false;
    return this.sendBytes(toBytes(encodeEvent(event)));
  }

  sendBytes(bytes: Uint8Array): boolean {
    // Counted only once written: not when the encoder throws or the write cuts off a slow client.
    if (this.eventsLeft <= 0) return false;
    const sent = this.write(bytes);
    if (sent) {
      countEventSent();
      // The drop itself waits for the client to read what was sent: see pull().
      this.eventsLeft--;
    }
    return sent;
  }

  comment(text: string): boolean {
    return this.write(toBytes(encodeComment(text)));
  }

  /** Writes bytes unless closed; cuts off a client whose unread queue is over its bound. */
  write(bytes: Uint8Array): boolean {
    if (this.closed || !this.controller) return false;
    const limit = this.options.maxQueuedBytes ?? 1024 * 1024;
    if (this.sink) return this.writeDirect(bytes, limit);
    if (this.held) {
      if (this.heldBytes + bytes.byteLength > limit) {
        this.close('slow');
        return false;
      }
      this.held.push(bytes);
      this.heldBytes += bytes.byteLength;
      return true;
    }
    // desiredSize is highWaterMark (0) less the queued bytes: how far behind this client is.
    if (!this.pulling && -(this.controller.desiredSize ?? 0) + bytes.byteLength > limit) {
      this.close('slow');
      return false;
    }
    this.controller.enqueue(bytes);
    return true;
  }

  private writeDirect(bytes: Uint8Array, limit: number): boolean {
    const sink = this.sink!;
    if (sink.destroyed || sink.writableEnded) {
      this.close('client');
      return false;
    }
    // What Node holds for this socket, unsent: the same bound as the body's queue (not for what a
    // pull sends: the client asked for it, and a pull starts only once Node has taken the rest).
    if (!this.pulling && sink.writableLength + bytes.byteLength > limit) {
      this.close('slow');
      return false;
    }
    sink.write(bytes);
    sink.flush?.();
    this.writes++;
    // A source that had nothing is pulled again once something else was sent.
    if (this.waiting === 'push') {
      this.waiting = 'turn';
      setImmediate(this.pumpLater!);
    }
    return true;
  }

  close(reason: CloseReason = 'server'): void {
    if (this.closed) return;
    this.closed = true;
    this.abortController?.abort();
    this.options.signal?.removeEventListener('abort', this);
    if (this.onDrain) this.sink?.off!('drain', this.onDrain);
    unregisterStream(this, reason, this.sink !== undefined);
    try {
      this.options.onClose?.();
    } catch {
      // Bookkeeping must not keep the stream from closing.
    }
    try {
      this.runCleanup();
    } finally {
      // A slow client's queue is dropped, and 'dropped' (fault injection) ends the response
      // abruptly, as a network failure would, instead of with a clean end of stream. Named
      // AbortError, as it is one: servers (Next among them) then destroy the response without
      // logging a stack trace for each client; the counts in getStreamStats() keep the record.
      const held = this.held;
      this.held = undefined;
      if (reason === 'slow') this.controller?.error(new DOMException('Client too slow: stream cut off.', 'AbortError'));
      else if (reason === 'dropped') this.controller?.error(new DOMException('Connection dropped on purpose.', 'AbortError'));
      // Sent before the pipe started: still delivered, through the body, before it ends.
      else closeQuietly(this.controller, held);
    }
  }

  private runCleanup(): void {
    const cleanup = this.cleanup;
    this.cleanup = undefined;
    cleanup?.();
    // Once only: close() runs this once, and start() only when close() ran before it returned.
    if (this.closed && !this.sourceClosed) {
      this.sourceClosed = true;
      this.options.source?.close?.(this);
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array> | undefined, last: Uint8Array[] = []): void {
  try {
    for (const bytes of last) controller?.enqueue(bytes);
    controller?.close();
  } catch {
    // Already closed or cancelled by the consumer: nothing left to end.
  }
}

/**
 * Turns a producer into a `text/event-stream` response: the standard headers, `retry:` written at
 * once so the headers flush, shared heartbeats, a bounded queue per client, and one idempotent
 * cleanup when the stream ends, whether the client left (request abort or stream cancel), the
 * producer closed it, the client was too slow, or the server is shutting down.
 */
export function createSseResponse(options: SseResponseOptions): Response {
  const connection = new Connection(options);
  const stream = new ReadableStream<Uint8Array>(connection, {
    highWaterMark: 0,
    size: (chunk) => chunk.byteLength,
  });
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value);
  // Hop-by-hop: Node sets it itself, and it is illegal over HTTP/2.
  headers.delete('Connection');
  return new Response(stream, { status: 200, headers });
}

export { closeAllStreams, countOpenStreams, dropTagged, getStreamStats, type CloseReason, type StreamStats } from './registry';
