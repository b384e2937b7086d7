/**
 * Where to send a person after signing in or refreshing a session: a path on this site, never
 * another. Judged on the URL as a browser resolves it, not on the text: browsers drop tabs and line
 * breaks and read a backslash as a slash, so "/\t/evil.example" and "/\\evil.example" are other
 * hosts. Anything that could leave the site, or carries control characters, gives the fallback.
 */
const BASE = 'http://return-path.invalid';

export function safeReturnPath(value: string | null | undefined, fallback: string, within?: (pathname: string) => boolean): string {
  if (!value || !value.startsWith('/') || value.startsWith('//')) return fallback;
  // Control characters (tab, CR, LF, NUL...) and backslashes have no place in a path we redirect to.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || url.pathname.startsWith('//') || url.username || url.password) return fallback;
  if (within && !within(url.pathname)) return fallback;
  return url.pathname + url.search + url.hash;
}
