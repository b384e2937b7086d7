/**
 * The fetch every rp command uses. Behind a corporate proxy (HTTPS_PROXY / HTTP_PROXY, NO_PROXY,
 * in either case, as curl reads them) requests go through it: Node's own fetch ignores those
 * variables, so a CI runner that can only reach out through its proxy would retry "cannot reach"
 * until the deadline. Without them it is Node's fetch, unchanged.
 */
import { describeProxyFailure, normalizeProxyAddress, PROXY_ADDRESS_RULE } from '@/lib/http/proxy-address';
import { maskCredentials } from '@/lib/text/credentials';

type Env = Record<string, string | undefined>;

/** A proxy variable that cannot work: a usage mistake (exit 2), said before anything is sent. */
export class ProxySettingError extends Error {
  override name = 'ProxySettingError';
  readonly exitCode = 2;
}

export interface ProxySettings {
  httpProxy: string | null;
  httpsProxy: string | null;
  noProxy: string;
}

/**
 * The proxy variables, read as the server reads them (lib/config/settings.ts): lower case first,
 * empty as unset, host:port as http://. Null when no proxy is set; throws ProxySettingError for a
 * value that cannot be a proxy, naming the variable.
 */
export function proxyFromEnv(env: Env = process.env): ProxySettings | null {
  const read = (lower: string, upper: string): string | null => {
    for (const name of [lower, upper]) {
      const value = env[name]?.trim();
      if (!value) continue;
      const address = normalizeProxyAddress(value);
      if (!address) throw new ProxySettingError(`${name} ${PROXY_ADDRESS_RULE}, got "${maskCredentials(value)}".`);
      return address;
    }
    return null;
  };
  const httpProxy = read('http_proxy', 'HTTP_PROXY');
  const httpsProxy = read('https_proxy', 'HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return null;
  return { httpProxy, httpsProxy, noProxy: (env.no_proxy?.trim() || env.NO_PROXY?.trim()) ?? '' };
}

/**
 * Why a request got no answer: the system's code (ECONNREFUSED, ENOTFOUND...), not fetch's "fetch
 * failed"; and when it was the proxy that failed (down, or refusing the tunnel), the proxy named,
 * not the server that was never reached.
 */
export function networkReason(error: unknown): string {
  const proxy = proxyFromEnv();
  const proxyReason = proxy ? describeProxyFailure(error, proxy, 'the proxy') : null;
  if (proxyReason) return proxyReason;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

let proxied: Promise<(input: string | URL, init?: RequestInit) => Promise<Response>> | null = null;

export async function cliFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const proxy = proxyFromEnv();
  if (!proxy) return fetch(input, init);
  // Loaded only behind a proxy: every other run starts without it.
  proxied ??= Promise.all([import('undici'), import('@/lib/http/proxy-route')]).then(([{ fetch: undiciFetch }, { EgressDispatcher }]) => {
    const dispatcher = new EgressDispatcher(proxy);
    // undici's own fetch takes its own dispatcher; its Request and Response are the standard ones.
    return (url, options) => undiciFetch(url, { ...(options as object), dispatcher }) as unknown as Promise<Response>;
  });
  return (await proxied)(input, init);
}
