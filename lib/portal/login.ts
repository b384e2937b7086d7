/** Pure helpers of the login entry: where a customer's own runtime is, where a buyer returns to. */
import { escapeHtml } from '@/lib/http/html';
import { safeReturnPath } from '@/lib/http/return-path';

/**
 * The sign-in page of a customer's own runtime, from what they typed ("releases.acme.internal",
 * "https://releases.acme.internal/console"). Only http(s) origins without credentials; plain http
 * only for localhost. Null when it is not an address.
 */
export function runtimeLoginUrl(input: string): URL | null {
  const text = input.trim();
  if (!text || text.length > 300) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return null;
  if (!url.hostname.includes('.') && !local) return null;
  return new URL('/login', url.origin);
}

/** Where a buyer goes after signing in: a portal path on this site, never elsewhere. */
export function portalReturnPath(callbackUrl: string | undefined): string {
  return safeReturnPath(callbackUrl, '/portal', (pathname) => pathname === '/portal' || pathname.startsWith('/portal/'));
}

/**
 * Where the sign-in form's answer may redirect the browser: the public site's CSP lets a form lead
 * to this site and to the portal issuer's origin only (middleware.ts), and browsers hold redirects
 * after a form post to it. A provider whose sign-in page is on another origin (Amazon Cognito's
 * hosted UI is) gets a page with a link instead.
 */
export function formMayRedirectTo(to: URL, siteOrigin: string, issuerOrigin: string | null): boolean {
  return to.origin === siteOrigin || to.origin === issuerOrigin;
}

/** That page: one link to the identity provider's sign-in (no script: the CSP allows none there). */
export function continueToSignInPage(to: URL): string {
  const host = escapeHtml(to.host);
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex"><title>Continue to sign in · Release Passport</title></head>' +
    '<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5"><main>' +
    `<h1>Continue to sign in</h1><p>Your sign-in continues at your identity provider, ${host}.</p>` +
    `<p><a href="${escapeHtml(to.href)}">Continue to ${host}</a></p></main></body></html>`
  );
}
