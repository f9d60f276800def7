import 'server-only';

import { randomBytes } from 'node:crypto';
import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { closeAllStreams } from '@/lib/sse/server';
import { PEER_HEADER } from './client-ip';
import { ERROR_STATUS, type ErrorCode } from './errors';

/** An HTTP or HTTPS server: what the lifecycle needs of either. */
type Server = HttpServer | HttpsServer;

interface Lifecycle {
  installed: boolean;
  shuttingDown: boolean;
  /** The HTTP(S) servers of this process, as seen on their first connection. */
  servers: Set<Server>;
  /**
   * Responses not yet finished, so shutdown knows when the last one is done; by the id stamped on
   * their request ({@link RESPONSE_HEADER}), so a route handler can find its own.
   */
  inFlight: Map<string, ServerResponse>;
  /** The last id stamped, after a random prefix per process: no id is guessable. */
  lastId: number;
  idPrefix: string;
  /** When the shutdown began (`performance.now()`), for the log. */
  shutdownAt: number;
}

const state: Lifecycle = ((globalThis as { __sseLifecycle?: Lifecycle }).__sseLifecycle ??= {
  installed: false,
  shuttingDown: false,
  servers: new Set(),
  inFlight: new Map(),
  lastId: 0,
  idPrefix: randomBytes(9).toString('base64url'),
  shutdownAt: 0,
});

/**
 * True once SIGTERM or SIGINT arrived. The listening socket is closed by then, so new connections
 * are refused; a stream request that still arrives on an open connection gets a stream that only
 * says `retry:` and ends (see `route.ts`).
 */
export function isShuttingDown(): boolean {
  return state.shuttingDown;
}

/** The private header naming a request's Node response in this process (see {@link nodeResponseOf}). */
export const RESPONSE_HEADER = 'x-sse-response-id';

/**
 * The Node `http.ServerResponse` that will carry the answer to `request`, when one of this
 * process's HTTP(S) servers received it (`installLifecycle` stamps every request with an id); undefined
 * otherwise, such as in a unit test or on another runtime. An event stream writes its events to it
 * directly, past Next's web-stream pipe: see `SseResponseOptions.direct` in `lib/sse/server.ts`.
 */
export function nodeResponseOf(request: Request): ServerResponse | undefined {
  const id = request.headers.get(RESPONSE_HEADER);
  const response = id === null ? undefined : state.inFlight.get(id);
  return response && !response.headersSent && !response.writableEnded && !response.destroyed ? response : undefined;
}

/** Longest the process waits for open requests before it exits anyway (with code 1). */
const SHUTDOWN_GRACE_MS = 5000;

/** Methods no route serves, which the Fetch API refuses to even represent (`new Request` throws). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
/** What `Allow` lists for them: every method some route dispatches; each route answers its own 405 for the rest. */
const DISPATCHED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * Installs, once per process, what a server holding thousands of open streams needs from Node:
 *
 * - Graceful shutdown on SIGTERM/SIGINT: stop listening (new connections are refused, so a
 *   balancer sends them elsewhere), end every open stream cleanly at once (clients reconnect, to
 *   another instance), let requests in flight finish with `Connection: close`, close idle
 *   keep-alive connections, and exit with code 0 as soon as the last connection is gone. A timer
 *   exits with code 1 after a few seconds if something hangs. Under `next start` this replaces
 *   Next's own handler, which waits for every idle keep-alive connection to time out.
 * - Stamp every request with the socket's peer address in a private header, replacing any value a
 *   client sent, because route handlers get no socket (see `client-ip.ts`); and with an id that
 *   names its Node response, so an event stream can write to it directly ({@link nodeResponseOf}).
 * - Answer the requests Next.js would fail on with a 500 and a stack trace in the log: `TRACE`,
 *   `TRACK` and `CONNECT` get `405`, a request target that is not a path (`OPTIONS *`) `400`.
 *   (Node 20's own parser already refuses `TRACK` with a bare 400; other versions pass it on.)
 */
export function installLifecycle(): void {
  if (state.installed) return;
  state.installed = true;

  const production = process.env.NODE_ENV === 'production';
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // `next dev` restarts its worker through these signals and keeps its own handling.
    if (production) for (const listener of process.listeners(signal)) process.off(signal, listener);
    process.on(signal, (received: NodeJS.Signals) => shutdown(received, production));
  }

  // node:https servers do not inherit node:http's prototype: both are patched (`next dev
  // --experimental-https` serves over the latter).
  const prototypes: Server[] = HttpsServer.prototype instanceof HttpServer ? [HttpServer.prototype] : [HttpServer.prototype, HttpsServer.prototype];
  for (const prototype of prototypes) {
    const emit = prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
    prototype.emit = function emitWithLifecycle(this: Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'connection' && !state.servers.has(this)) adopt(this);
      if (event === 'request') {
        const [request, response] = args as [IncomingMessage, ServerResponse];
        request.headers[PEER_HEADER] = request.socket?.remoteAddress ?? 'unknown';
        track(request, response);
        if (answerMalformed(request, response)) return true;
      }
      return emit.call(this, event, ...args);
    } as Server['emit'];
  }
}

function adopt(server: Server): void {
  state.servers.add(server);
  // Node hands a CONNECT request to 'connect' listeners, or drops the connection without an answer.
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    const body = errorBody('method_not_allowed', `${request.method} is not served here.`);
    socket.on('error', () => undefined);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${DISPATCHED_METHODS}\r\nContent-Type: application/json\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function track(request: IncomingMessage, response: ServerResponse): void {
  // Always stamped, so that a client's own header of that name never reaches a route.
  const id = `${state.idPrefix}.${++state.lastId}`;
  request.headers[RESPONSE_HEADER] = id;
  state.inFlight.set(id, response);
  // During shutdown every answer closes its connection, so nothing stays open for the next request.
  if (state.shuttingDown) response.shouldKeepAlive = false;
  const socket = response.socket;
  response.once('close', () => {
    state.inFlight.delete(id);
    // A response that began before the shutdown (a stream it ended) was sent keep-alive: its
    // connection is closed once what was written has gone out.
    if (state.shuttingDown && socket && !socket.destroyed) socket.destroySoon();
  });
}

/** Answers a request Next.js cannot represent; true when it did. */
function answerMalformed(request: IncomingMessage, response: ServerResponse): boolean {
  const method = request.method ?? '';
  if (FORBIDDEN_METHODS.has(method)) {
    reply(response, 'method_not_allowed', `${method} is not served here.`, { Allow: DISPATCHED_METHODS });
    return true;
  }
  // Origin-form (a path) is what browsers and clients send; absolute-form is legal too. Anything
  // else, such as the asterisk-form of `OPTIONS *`, names no resource here.
  const target = request.url ?? '';
  if (!target.startsWith('/') && !/^https?:\/\//i.test(target)) {
    reply(response, 'bad_request', 'The request target must be a path.', {});
    return true;
  }
  return false;
}

function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

function reply(response: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string>): void {
  const body = errorBody(code, message);
  response.writeHead(ERROR_STATUS[code], {
    ...headers,
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

function closeIdleConnections(): void {
  for (const server of state.servers) server.closeIdleConnections();
}

function shutdown(signal: NodeJS.Signals, exitWhenDrained: boolean): void {
  if (state.shuttingDown) return;
  state.shuttingDown = true;
  state.shutdownAt = performance.now();
  let listening = 0;
  for (const server of state.servers) {
    if (!server.listening) continue;
    listening++;
    server.close(() => {
      if (--listening === 0 && exitWhenDrained) exit(signal);
    });
  }
  for (const response of state.inFlight.values()) if (!response.headersSent) response.shouldKeepAlive = false;
  const closed = closeAllStreams();
  console.log(`${signal}: stopped listening and closed ${closed} open stream${closed === 1 ? '' : 's'}; finishing the requests in flight.`);
  closeIdleConnections();
  if (exitWhenDrained && listening === 0) exit(signal);
  setTimeout(() => {
    console.error(`${signal}: ${state.inFlight.size} request(s) still open after ${SHUTDOWN_GRACE_MS} ms; exiting anyway.`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
}

function exit(signal: NodeJS.Signals): void {
  console.log(`${signal}: every connection closed after ${Math.round(performance.now() - state.shutdownAt)} ms; exiting.`);
  process.exit(0);
}
