/**
 * Credentials out of what is shown: URLs of databases, Redis, proxies and issuers may carry a user
 * and password, and so may the error messages that quote them. One way to hide them everywhere
 * (settings problems, the installation page, readiness and rate-limit warnings, rp's messages).
 */

/** Every `//user:password@` in a text (a URL, or a message quoting one) as `//***@`. */
export function maskCredentials(text: string): string {
  return text.replace(/\/\/[^@\s/]+@/g, '//***@');
}

/** A URL as it may be shown: no user, no password, no trailing slash. */
export function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(not a valid URL)';
  }
}
