/** Cross-site request refusal for requests a browser sends with cookies (API calls with a session, form posts). */

/** Origin (or, failing that, Sec-Fetch-Site) says the request was made by a page of this site. */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin) {
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
    try {
      return new URL(origin).host === host || origin === new URL(request.url).origin;
    } catch {
      return false;
    }
  }
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}
