import { readJsonBody } from '@/lib/http/body';
import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { authenticate, createSession, sameSecret, sessionCookie } from '@/lib/http/auth';
import { getConfig } from '@/lib/http/config';
import { preflight, route } from '@/lib/http/route';

/**
 * `GET /api/session`: whether a token is required, whether this request carries valid credentials,
 * and the client address the server's limits count it under.
 */
export const GET = route({ authenticated: false }, (request, caller) => {
  const { authToken } = getConfig();
  const credential = authenticate(request, authToken);
  return Response.json(
    { required: Boolean(authToken), authenticated: Boolean(credential), via: credential ?? null, client: caller.ip },
    { headers: { 'Cache-Control': 'no-store' } },
  );
});

/**
 * `POST /api/session` with `{ "token" }`: trades the token for an `HttpOnly`, `SameSite=Lax`
 * session cookie, which is all `EventSource` can send. JSON only, so a cross-site form cannot post it.
 */
export const POST = route({ authenticated: false }, async (request) => {
  const body = (await readJsonBody(request, 4096)) as { token?: unknown } | null;
  if (typeof body?.token !== 'string' || body.token === '') throw new ApiError('bad_request', 'Send { "token": "<token>" }.');
  const { authToken } = getConfig();
  if (!authToken) return Response.json({ required: false, authenticated: true }, { headers: { 'Cache-Control': 'no-store' } });
  if (!sameSecret(body.token, authToken)) throw new ApiError('unauthorized', 'Wrong token.');
  const session = createSession(authToken);
  return Response.json(
    { required: true, authenticated: true, expiresAt: new Date(session.expiresAt * 1000).toISOString() },
    { headers: { 'Cache-Control': 'no-store', 'Set-Cookie': sessionCookie(request, session.value) } },
  );
});

/** `DELETE /api/session`: signs out (clears the cookie). */
export const DELETE = route({ authenticated: false }, (request) => {
  return new Response(null, { status: 204, headers: { 'Set-Cookie': sessionCookie(request, undefined) } });
});

export const OPTIONS = preflight(['GET', 'POST', 'DELETE']);
export const PUT = methodNotAllowed(['GET', 'POST', 'DELETE']);
export const PATCH = PUT;
