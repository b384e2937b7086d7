/**
 * An egress proxy's address as curl reads one (HTTPS_PROXY and friends): http(s)://[user:password@]
 * host:port, or host:port meaning http://. Shared by the server's settings and the rp CLI, so both
 * accept and refuse the same values. Kept free of Node-only imports: the CLI bundles it.
 */
export const PROXY_ADDRESS_RULE = 'must be an http(s) proxy address such as http://proxy.example.com:3128 (SOCKS proxies are not supported)';

/** The address as a URL string, or null when it cannot be a proxy (SOCKS, no host, nonsense). */
export function normalizeProxyAddress(value: string): string | null {
  const trimmed = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
  return url.href;
}
