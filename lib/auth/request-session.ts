/**
 * Reads the console session from a request's cookie and checks it against the database. Used by
 * the API route wrapper for `session` endpoints; pages use lib/auth/current.ts (next-auth's auth()).
 */
import { authSecret } from './auth-secret';
import { encode, getToken } from 'next-auth/jwt';
import type { RuntimeDb } from '@/db/runtime';
import { SESSION_MAX_AGE_SECONDS } from './edge-config';
import { loadActiveSession, type ActiveSession } from './sessions';

export const SESSION_COOKIE = 'authjs.session-token';
export const SECURE_SESSION_COOKIE = '__Secure-authjs.session-token';

export function hasSessionCookie(headers: Headers): boolean {
  const cookie = headers.get('cookie') ?? '';
  return cookie.includes(SESSION_COOKIE);
}

/** The active session named by the request's session cookie, or null (absent, forged, expired, revoked). */
export async function sessionFromRequest(db: RuntimeDb, headers: Headers): Promise<ActiveSession | null> {
  const secret = authSecret();
  const cookie = headers.get('cookie');
  if (!secret || !cookie) return null;
  // Only the cookie: next-auth's getToken would otherwise also accept the JWT as a bearer header.
  const cookieOnly = new Headers({ cookie });
  const secureCookie = cookie.includes(SECURE_SESSION_COOKIE);
  const claims = await getToken({ req: { headers: cookieOnly }, secret, secureCookie }).catch(() => null);
  if (!claims || typeof claims.sid !== 'string') return null;
  return loadActiveSession(db, claims.sid);
}

/**
 * The value of a session cookie for `claims`, signed as next-auth signs it (for tools and tests
 * that act as a signed-in person without a browser).
 */
export async function encodeSessionCookie(claims: { sub: string; sid: string; workspaces: string[] }): Promise<string> {
  const secret = authSecret();
  if (!secret) throw new Error('AUTH_SECRET is not set: there is no key to sign a session with.');
  return encode({ token: claims, secret, salt: SESSION_COOKIE, maxAge: SESSION_MAX_AGE_SECONDS });
}
