/**
 * An egress proxy's address as curl reads one (HTTPS_PROXY and friends): http(s)://[user:password@]
 * host:port, or host:port meaning http://. Shared by the server's settings and the rp CLI, so both
 * accept and refuse the same values, and the words for a proxy that failed (describeProxyFailure),
 * so both say it alike. Kept free of Node-only imports: the CLI bundles it.
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

/** An address without its credentials, for messages and logs. */
function proxyOrigin(address: string): string {
  const url = new URL(address);
  return `${url.protocol}//${url.host}`;
}

/**
 * What went wrong when the failure was the proxy's (it refused the tunnel, or could not be
 * reached), naming it as `noun` ("the egress proxy", "the proxy"); null when it was not.
 */
export function describeProxyFailure(error: unknown, route: { httpProxy: string | null; httpsProxy: string | null }, noun: string): string | null {
  const addresses = [route.httpsProxy, route.httpProxy].filter((value): value is string => Boolean(value)).map((value) => new URL(value));
  if (addresses.length === 0) return null;
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && typeof current === 'object' && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const { message, code, port, hostname, address } = current as { message?: string; code?: string; port?: number; hostname?: string; address?: string };
    // undici: "Proxy response (403) !== 200 when HTTP Tunneling"
    const refused = /Proxy response \((\d+)\)/.exec(message ?? '');
    if (refused) {
      const why = refused[1] === '407' ? 'check the user name and password in the proxy address' : 'its access rules, or the destination is down';
      return `${noun} ${proxyOrigin(addresses[0]!.href)} answered ${refused[1]} instead of connecting (${why})`;
    }
    const proxyAt = code ? addresses.find((url) => isProxyEndpoint(url, { port, hostname, address })) : undefined;
    if (proxyAt) return `cannot reach ${noun} ${proxyOrigin(proxyAt.href)} (${code})`;
  }
  return null;
}

/** Whether a socket error (its host name, or its address and port) is about the proxy. */
function isProxyEndpoint(proxy: URL, where: { port?: number; hostname?: string; address?: string }): boolean {
  if (where.hostname !== undefined) return where.hostname === proxy.hostname; // a failed DNS lookup
  const port = proxy.port || (proxy.protocol === 'https:' ? '443' : '80');
  if (String(where.port) !== port) return false;
  // A proxy named by address must match it; one named by host name connects to whatever it resolved to.
  const literal = proxy.hostname.replace(/^\[|\]$/g, '');
  const isAddress = /^\d{1,3}(\.\d{1,3}){3}$/.test(literal) || literal.includes(':');
  return isAddress ? where.address === literal : true;
}
