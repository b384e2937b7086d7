/**
 * GET /api/auth/refresh?callbackUrl=/console/acme: the middleware sends a signed-in person here
 * when their cookie's workspace claims do not name the workspace they asked for and the claims are
 * not fresh (a membership added after they signed in). The session is checked against the
 * database, the claims are made anew, and the person goes back to where they were going.
 */
import { NextResponse } from 'next/server';
import { getRuntimeDb } from '@/db/runtime';
import { externalOrigin } from '@/lib/http/origin';
import { safeReturnPath } from '@/lib/http/return-path';
import { unstable_update } from './config';
import { sessionFromRequest } from './request-session';

/** Only a local path: never an open redirect. */
export function safeLocalPath(value: string | null, fallback = '/console'): string {
  return safeReturnPath(value, fallback);
}

export async function refreshClaims(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const origin = externalOrigin(request.headers, request.url);
  const target = safeLocalPath(url.searchParams.get('callbackUrl'));
  const db = await getRuntimeDb();
  const session = await sessionFromRequest(db, request.headers);
  if (!session) {
    const login = new URL('/login', origin);
    login.searchParams.set('callbackUrl', target);
    return NextResponse.redirect(login, 303);
  }
  await unstable_update({});
  return NextResponse.redirect(new URL(target, origin), 303);
}
