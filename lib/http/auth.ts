import 'server-only';

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie `POST /api/session` sets for clients that cannot send headers (EventSource). */
export const SESSION_COOKIE = 'sse_session';
/** How long a session lasts. */
export const SESSION_SECONDS = 12 * 60 * 60;

/** Compares secrets in constant time whatever their lengths, by comparing their digests. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function sign(token: string, payload: string): string {
  return createHmac('sha256', token).update(payload).digest('base64url');
}

/**
 * A new session cookie value, `<id>.<expiresAt>.<signature>`. It is signed with the configured
 * token itself, so the server keeps no session state, and changing the token ends every session.
 */
export function createSession(token: string, now = Date.now()): { value: string; expiresAt: number } {
  const expiresAt = Math.floor(now / 1000) + SESSION_SECONDS;
  const payload = `${randomBytes(12).toString('base64url')}.${expiresAt}`;
  return { value: `${payload}.${sign(token, payload)}`, expiresAt };
}

/** True when `value` is a session cookie this token signed and that has not expired. */
export function verifySession(token: string, value: string, now = Date.now()): boolean {
  const parts = value.split('.');
  if (parts.length !== 3) return false;
  const [id, expires, signature] = parts as [string, string, string];
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
  return sameSecret(signature, sign(token, `${id}.${expires}`));
}

/** Reads one cookie from a request. */
export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** How a request proved who it is, if it did. */
export type Credential = 'none-required' | 'bearer' | 'cookie' | undefined;

/**
 * Checks a request against the configured token: `Authorization: Bearer <token>` (fetch can send
 * it), or the signed session cookie (all EventSource can send). With no token configured the API
 * is open, for local use.
 */
export function authenticate(request: Request, token: string | undefined): Credential {
  if (!token) return 'none-required';
  const header = request.headers.get('authorization');
  if (header?.startsWith('Bearer ') && sameSecret(header.slice(7).trim(), token)) return 'bearer';
  const cookie = readCookie(request, SESSION_COOKIE);
  if (cookie && verifySession(token, cookie)) return 'cookie';
  return undefined;
}

/**
 * Who a credential belongs to, for binding what a caller starts (a chat run) to that caller:
 * `session:<id>` for a session cookie, `bearer:<digest>` for a bearer token (never the token
 * itself), undefined when no credential is required (the API is open, and ids are capabilities).
 */
export function principalOf(request: Request, credential: Credential): string | undefined {
  if (credential === 'cookie') return `session:${(readCookie(request, SESSION_COOKIE) ?? '').split('.')[0]}`;
  if (credential === 'bearer') {
    const token = (request.headers.get('authorization') ?? '').slice(7).trim();
    return `bearer:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
  }
  return undefined;
}

/** The `Set-Cookie` value for a session, or for clearing it (`value` undefined). */
export function sessionCookie(request: Request, value: string | undefined): string {
  // Secure whenever the page is served over https, directly or behind a proxy that says so.
  const secure = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', value ? `Max-Age=${SESSION_SECONDS}` : 'Max-Age=0'];
  if (secure) attributes.push('Secure');
  return `${SESSION_COOKIE}=${value ?? ''}; ${attributes.join('; ')}`;
}
