/**
 * The first line of defence, never the only one (docs/architecture.md): the route split, the
 * session redirect, workspace membership from the signed session claims, security headers
 * and the request id. Every page, action and route handler re-checks on the server.
 * Kept as middleware.ts on the Edge runtime on purpose (docs/architecture.md).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { readSessionClaims, type SessionClaims } from './lib/auth/edge-session';
import { externalOrigin } from './lib/http/origin';
import { problem, PROBLEM_CONTENT_TYPE } from './lib/http/problem';
import { REQUEST_ID_HEADER, resolveRequestId } from './lib/http/request-id';
import { belongsToOtherTarget, needsSession, workspaceSlugOf } from './lib/routes';
import { contentSecurityPolicy, generateNonce, HSTS_VALUE, isHttps } from './lib/security/headers';
import { parseTarget } from './lib/target';
import { portalIssuerOrigin } from './lib/config/portal-issuer';
import { configuredPublicUrl } from './lib/config/public-url';

// eslint-disable-next-line no-restricted-syntax -- a build-time constant (inlined by next.config.ts), not a setting
const target = parseTarget(process.env.RP_TARGET);
const development = process.env.NODE_ENV === 'development';
// The public site's sign-in form is answered with a redirect to the portal's identity provider.
const issuerOrigin = target === 'public' ? portalIssuerOrigin() : null;
const formActionOrigins = issuerOrigin ? [issuerOrigin] : [];

export default async function middleware(request: NextRequest): Promise<NextResponse> {
  const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  const https = isHttps(request.nextUrl, request.headers.get('x-forwarded-proto'));
  const nonce = generateNonce();
  const csp = contentSecurityPolicy(nonce, { development, https, formActionOrigins });
  const { pathname } = request.nextUrl;

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);

  let response: NextResponse;
  if (isCrossSiteAction(request)) {
    // Next refuses it too, but with a 500: a form posted from another site is the sender's fault.
    response = crossSiteActionRefused(requestId);
  } else if (belongsToOtherTarget(target, pathname)) {
    // This build has no such route, so Next answers 404 with the app's page by itself. (A rewrite
    // to /_not-found went through Next's proxy: it names the server 127.0.0.1, the rewrite
    // localhost, so every such 404 cost a second HTTP request and a MaxListeners warning.)
    response = NextResponse.next({ request: { headers: requestHeaders } });
  } else if (needsSession(target, pathname)) {
    const session = await readSessionClaims(request, https);
    if (!session) {
      const login = new URL('/login', externalOrigin(request.headers, request.url));
      login.searchParams.set('callbackUrl', pathname + request.nextUrl.search);
      response = NextResponse.redirect(login);
    } else if (!isMemberOf(session, workspaceSlugOf(pathname))) {
      if (claimsAreFresh(session)) {
        // 404, not 403: a non-member must not learn that the workspace exists.
        response = notFound(request, requestHeaders);
      } else {
        // Claims made before a membership was added: have the server refresh them (it re-checks
        // the database and comes back here with fresh claims, then 404s a real non-member).
        const refresh = new URL('/api/auth/refresh', externalOrigin(request.headers, request.url));
        refresh.searchParams.set('callbackUrl', pathname + request.nextUrl.search);
        response = NextResponse.redirect(refresh);
      }
    } else {
      response = NextResponse.next({ request: { headers: requestHeaders } });
    }
  } else {
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }

  response.headers.set(REQUEST_ID_HEADER, requestId);
  response.headers.set('content-security-policy', csp);
  if (https) response.headers.set('strict-transport-security', HSTS_VALUE);
  return response;
}

/**
 * A server action (POST with a Next-Action header) whose Origin is another site's: the host must
 * be the one the request was sent to (X-Forwarded-Host from a proxy, else Host), or RP_PUBLIC_URL's.
 * A request without an Origin header (not a browser form) is left to Next's own check.
 */
function isCrossSiteAction(request: NextRequest): boolean {
  if (request.method !== 'POST' || !request.headers.has('next-action')) return false;
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // "null" (a sandboxed or opaque origin) or garbage
  }
  const allowed = new Set<string>();
  const forwardedHost = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (forwardedHost) allowed.add(forwardedHost);
  const host = request.headers.get('host');
  if (host) allowed.add(host);
  const publicUrl = configuredPublicUrl();
  if (publicUrl) allowed.add(publicUrl.host);
  return !allowed.has(originHost);
}

function crossSiteActionRefused(requestId: string): NextResponse {
  const body = problem('forbidden', 'This form was sent from another site than this one, so it was refused. Open the page on this server and send the form from there.');
  return new NextResponse(JSON.stringify({ ...body, requestId }), {
    status: 403,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
}

/** Decodes the encrypted session cookie; an absent, forged or expired one is no session. */
function isMemberOf(session: SessionClaims, slug: string | null): boolean {
  if (slug === null || session.workspacesTruncated) return true; // the server decides
  return Array.isArray(session.workspaces) && session.workspaces.includes(slug);
}

/** Claims younger than this are trusted for a 404; older ones are refreshed first. */
const CLAIMS_FRESH_SECONDS = 10;

function claimsAreFresh(session: SessionClaims): boolean {
  return typeof session.claimsAt === 'number' && Date.now() / 1000 - session.claimsAt < CLAIMS_FRESH_SECONDS;
}

/**
 * Renders the app's own 404 page for a path that must look as if it did not exist. (An internal
 * rewrite thanks to patches/next+16.4.6.patch: without it Next took it for another server's URL.)
 */
function notFound(request: NextRequest, headers: Headers): NextResponse {
  return NextResponse.rewrite(new URL('/_not-found', request.url), { request: { headers }, status: 404 });
}

export const config = {
  // Left out: the API (its route wrapper authenticates, content/docs/operations/performance.md), health checks and
  // static files. Every page passes through.
  matcher: ['/((?!api/v1/|api/bench/|api/health|api/ready|api/malformed-address|_next/static/|_next/image|favicon\\.ico|robots\\.txt|sitemap\\.xml).*)'],
};
