/** Pure helpers of the login entry: where a customer's own runtime is, where a buyer returns to. */
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
