import 'server-only';

import { ApiError, errorResponse } from '@/lib/http/errors';
import { encodeComment, encodeRetry } from '@/lib/sse/encoder';
import { SSE_HEADERS } from '@/lib/sse/server';
import { getConfig } from './config';
import { corsHeaders, preflightHeaders } from './cors';
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
 * not allowed), the guard (auth, rate, caps), and the mapping of an {@link ApiError} to the JSON
 * error response. Anything else thrown is a bug: logged, and answered with a 500 that leaks no detail.
 */
export function route<Context = unknown>(
  options: RouteOptions,
  run: (request: Request, caller: Caller, context: Context) => Response | Promise<Response>,
): (request: Request, context: Context) => Promise<Response> {
  const render = options.renderError ?? errorResponse;
  return async (request, context) => {
    const cors = corsHeaders(request, getConfig().allowedOrigins);
    if (!cors) return render(new ApiError('forbidden_origin', 'This origin may not use the API.'));
    let response: Response;
    try {
      const caller = guard(request, { opensStream: options.opensStream ?? false, authenticated: options.authenticated });
      if (options.opensStream && request.method === 'HEAD') {
        // Next answers HEAD with the GET handler, and Node drops the body: a real stream would
        // stay open, unread and uncounted-out, forever. Headers are all HEAD asks for.
        response = new Response(null, { headers: SSE_HEADERS });
      } else if (options.opensStream && isShuttingDown()) {
        response = goAway();
      } else {
        response = await run(request, caller, context);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) console.error(error);
      response = render(error instanceof ApiError ? error : new ApiError('internal', 'Something went wrong on the server.'));
    }
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };
}

/**
 * While the server shuts down: a stream that only says when to come back and ends. Both
 * EventSource and the fetch client reconnect after a clean end, by then to another instance; a
 * 503 would make EventSource give up for good, as the spec has it do on any non-200.
 */
function goAway(): Response {
  return new Response(`${encodeRetry(1000)}${encodeComment('server shutting down; reconnect')}`, { headers: SSE_HEADERS });
}

/** An `OPTIONS` handler answering CORS preflights for `methods` (allowed origins only). */
export function preflight(methods: readonly string[]): (request: Request) => Response {
  return (request) => {
    const cors = corsHeaders(request, getConfig().allowedOrigins);
    if (!cors) return errorResponse(new ApiError('forbidden_origin', 'This origin may not use the API.'));
    return new Response(null, { status: 204, headers: { ...cors, ...preflightHeaders(methods), Allow: methods.join(', ') } });
  };
}
