/**
 * The middleware's read of the console session cookie (Edge-safe): next-auth decodes and checks
 * it here, so nothing outside lib/auth depends on next-auth. The claims are a hint for the edge
 * (redirects, hiding workspaces); every server-side check re-reads the session from the database.
 */
import { authSecret } from './auth-secret';
import { getToken } from 'next-auth/jwt';

export interface SessionClaims {
  /** Slugs of the workspaces the person belonged to when the claims were made. */
  workspaces?: unknown;
  /** More workspaces than the cookie carries: the server decides. */
  workspacesTruncated?: unknown;
  /** When the claims were made (seconds since the epoch). */
  claimsAt?: unknown;
}

/** The session cookie's claims, or null (no cookie, no AUTH_SECRET, forged or expired): fails closed. */
export async function readSessionClaims(request: { headers: Headers }, https: boolean): Promise<SessionClaims | null> {
  const secret = authSecret();
  if (!secret) return null; // no secret, no sessions
  try {
    return await getToken({ req: request, secret, secureCookie: https });
  } catch {
    return null;
  }
}
