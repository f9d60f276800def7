import { methodNotAllowed } from '@/lib/http/errors';
import { preflight, route } from '@/lib/http/route';
import { echoResponse, parseEchoRequest } from '@/lib/playground/echo';

/**
 * `GET /api/playground/echo?b=<base64url>&split=<offsets>`: answers once with exactly those bytes
 * as `text/event-stream`, cut into chunks at the offsets, then ends. The parser playground feeds
 * the browser's own EventSource through it.
 */
export const GET = route({ opensStream: true }, (request, caller) => {
  const { bytes, splitAt } = parseEchoRequest(new URL(request.url).searchParams);
  return echoResponse(bytes, splitAt, request.signal, caller.release);
});

export const OPTIONS = preflight(['GET']);
export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
