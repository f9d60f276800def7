import 'server-only';

import { ApiError, errorResponse } from '@/lib/http/errors';
import { encodeComment, encodeRetry } from '@/lib/sse/encoder';
import { SSE_HEADERS } from '@/lib/sse/server';
import { getConfig } from './config';
import { corsHeaders, isCrossSiteWithoutOrigin, preflightHeaders } from './cors';
import { guard, type Caller } from './guard';
import { isShuttingDown } from './lifecycle';

/** How a route is guarded. */
export interface RouteOptions {
  /** True when the route answers with a stream: shutdown and stream caps apply. */
  opensStream?: boolean;
  /** False for routes anyone may call (signing in). Default true. */
  authenticated?: boolean;
  /** Renders an error in another API's shape (the OpenAI and Anthropic routes). Default {@link errorResponse}. */
  renderError?: (error: ApiError) => Response;
}

/**
 * Wraps a route handler with what every API route needs, in one place: CORS (refusing origins
 * not allowed, and cross-site requests that name no origin), the guard (auth, rate, caps), and
 * the mapping of an {@link ApiError} to the JSON error response. A client that goes away while
 * its request is read is normal, not logged. Anything else thrown is a bug: logged, and answered
 * with a 500 that leaks no detail.
 */
export function route<Context = unknown>(
  options: RouteOptions,
  run: (request: Request, caller: Caller, context: Context) => Response | Promise<Response>,
): (request: Request, context: Context) => Promise<Response> {
  const render = options.renderError ?? errorResponse;
  return async (request, context) => {
    const cors = allowedCors(request, render);
    if (cors instanceof Response) return cors;
    let response: Response;
    let caller: Caller | undefined;
    try {
      caller = await guard(request, { opensStream: options.opensStream ?? false, authenticated: options.authenticated });
      if (options.opensStream && request.method === 'HEAD') {
        // Next answers HEAD with the GET handler, and Node drops the body: a real stream would
        // stay open, unread and uncounted-out, forever. Headers are all HEAD asks for.
        response = new Response(null, { headers: SSE_HEADERS });
        caller.release?.();
      } else if (options.opensStream && isShuttingDown()) {
        response = goAway();
        caller.release?.();
      } else {
        response = await run(request, caller, context);
        if (caller.release) holdSlot(request, response, caller.release);
      }
    } catch (error) {
      caller?.release?.();
      response = render(toApiError(error, request));
    }
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };
}

/**
 * A shared stream slot (see `Caller.release`) is the stream's to give back when it closes (every
 * producer passes it on: `streamSettings(caller).onClose`); when the route answered without a
 * stream (a 204, an error), it is given back now. The request's abort gives it back too when the
 * client goes away first. Next does not abort the request of a response that ended normally, so
 * that abort alone would leak the slot of every stream that ends by itself.
 */
function holdSlot(request: Request, response: Response, release: () => void): void {
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    release();
    return;
  }
  request.signal.addEventListener('abort', release, { once: true });
}

/**
 * While the server shuts down: a stream that only says when to come back and ends. Both
 * EventSource and the fetch client reconnect after a clean end, by then to another instance; a
 * 503 would make EventSource give up for good, as the spec has it do on any non-200.
 */
function goAway(): Response {
  return new Response(`${encodeRetry(1000)}${encodeComment('server shutting down; reconnect')}`, { headers: SSE_HEADERS });
}

/** The CORS headers for a request, or the 403 that refuses its origin. */
function allowedCors(request: Request, render: (error: ApiError) => Response): Record<string, string> | Response {
  const { allowedOrigins, trustProxy } = getConfig();
  const cors = corsHeaders(request, allowedOrigins, trustProxy);
  if (!cors) return render(new ApiError('forbidden_origin', 'This origin may not use the API.'));
  if (isCrossSiteWithoutOrigin(request)) {
    return render(new ApiError('forbidden_origin', 'A request from another site must come from an allowed origin, with an Origin header.'));
  }
  return cors;
}

/**
 * What a failed request is answered with. A client that hung up while its body was read
 * (`Error: aborted`, `ECONNRESET`) is not a server bug: nobody reads the answer, and nothing is
 * logged. Anything but an {@link ApiError} is a bug: logged, and a 500 that leaks no detail.
 */
function toApiError(error: unknown, request: Request): ApiError {
  if (error instanceof ApiError) return error;
  if (request.signal.aborted || isClientGone(error)) return new ApiError('bad_request', 'The client closed the request.');
  console.error(error);
  return new ApiError('internal', 'Something went wrong on the server.');
}

function isClientGone(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted';
}

/** An `OPTIONS` handler answering CORS preflights for `methods` (allowed origins only). */
export function preflight(methods: readonly string[]): (request: Request) => Response {
  return (request) => {
    const cors = allowedCors(request, errorResponse);
    if (cors instanceof Response) return cors;
    return new Response(null, { status: 204, headers: { ...cors, ...preflightHeaders(methods), Allow: methods.join(', ') } });
  };
}
