/**
 * The address people and CI use to reach this server, read in one place (Edge-safe: the middleware
 * uses it too). RP_PUBLIC_URL, else next-auth's AUTH_URL (the start copies the first into the
 * second, so they agree unless someone set both apart). The launcher refuses to start when
 * RP_PUBLIC_URL is set but not an http(s) address, or when the server is bound beyond loopback
 * without it (scripts/server.mjs); here a value that does not parse reads as unset, never as a throw
 * in the middle of a request.
 */
type Env = Record<string, string | undefined>;

export function configuredPublicUrl(env: Env = process.env): URL | null {
  for (const value of [env.RP_PUBLIC_URL, env.AUTH_URL]) {
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url;
    } catch {
      // not a URL: the next setting, else none
    }
  }
  return null;
}

/** The configured address without a trailing slash (a base for links), or null. */
export function configuredBaseUrl(env: Env = process.env): string | null {
  const url = configuredPublicUrl(env);
  return url ? url.toString().replace(/\/+$/, '') : null;
}
