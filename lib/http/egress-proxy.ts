/**
 * The server's own outbound HTTP (connectors, notifications, Vault, object storage, the OIDC issuer
 * of sign-in and the CI identity issuers) through the operator's egress proxy: HTTPS_PROXY / HTTP_PROXY and
 * NO_PROXY, read as curl and the rp CLI read them (lib/config/settings.ts). Node's fetch ignores
 * those variables, so a server that can reach out only through its proxy could not sign anyone in
 * with a hosted identity provider, check a CI job's identity or deliver a Slack message.
 *
 * Without a proxy nothing changes: Node's fetch, or the caller's own agent. Choosing the proxy or
 * the direct route per host (NO_PROXY) is undici's EnvHttpProxyAgent, given the validated
 * settings rather than reading the environment itself, with NO_PROXY's address ranges added
 * (lib/http/proxy-route.ts).
 */
import type http from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { fetch as undiciFetch, type Agent, type Dispatcher } from 'undici';
import { settings, type Settings } from '@/lib/config/settings';
import { describeProxyFailure } from './proxy-address';
import { EgressDispatcher, exemptAddress, noProxyAddresses } from './proxy-route';

export type EgressProxy = NonNullable<Settings['egressProxy']>;

/** The configured proxy, or null when outbound requests go direct. */
export function egressProxy(): EgressProxy | null {
  return settings().egressProxy;
}

/**
 * An agent that sends through `proxy` what NO_PROXY does not exempt; `direct` configures the
 * direct connections (the connectors' address guard checks their addresses there). The
 * connection to the proxy itself is the operator's choice and is not checked.
 */
export function proxyAgent(proxy: EgressProxy, direct: Agent.Options = {}): Dispatcher {
  return new EgressDispatcher(proxy, direct);
}

/**
 * The proxy address for a request to `url`, or null when it goes direct: NO_PROXY read as undici
 * reads it (names, `.domain` or `*.domain` for a domain and its hosts, `host:port`, `*` for all)
 * and its address ranges, for clients that are not undici's (the AWS SDK, Stripe's SDK).
 */
export function proxyFor(url: URL, proxy: EgressProxy): string | null {
  if (exemptAddress(url.hostname, noProxyAddresses(proxy.noProxy))) return null;
  const host = url.hostname.toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const entry of proxy.noProxy.split(/[,\s]/).filter(Boolean)) {
    if (entry === '*') return null;
    const [, name = entry, entryPort] = /^(.+):(\d+)$/.exec(entry) ?? [];
    if (entryPort && Number(entryPort) !== port) continue;
    const bare = name.replace(/^\*?\./, '').toLowerCase();
    if (host === bare || host.endsWith(`.${bare}`)) return null;
  }
  return url.protocol === 'https:' ? (proxy.httpsProxy ?? proxy.httpProxy) : proxy.httpProxy;
}

/**
 * For clients on Node's http agents (the AWS SDK, Stripe's SDK) that always talk to one host: the
 * agent through the proxy for `url`, or undefined when it goes direct (no proxy, or NO_PROXY).
 */
export function nodeProxyAgent(url: URL, proxy: EgressProxy | null): http.Agent | undefined {
  const via = proxy ? proxyFor(url, proxy) : null;
  if (!via) return undefined;
  return url.protocol === 'https:' ? new HttpsProxyAgent(via) : new HttpProxyAgent(via);
}

/** One agent per proxy setting (a changed setting is a new object: tests change it). */
const openAgents = new WeakMap<EgressProxy, Dispatcher>();

/**
 * fetch for servers the operator configured (Vault, the OIDC issuer, CI identity issuers): through
 * the proxy when one is set, else Node's own fetch. Same arguments and Response as fetch.
 */
export const serverFetch: typeof fetch = (input, init) => {
  const proxy = egressProxy();
  if (!proxy) return fetch(input, init);
  if (input instanceof Request) {
    // undici's fetch knows only its own Request class: the same request, as its parts.
    const { url, method, headers, body, signal, redirect } = input;
    return serverFetch(url, { method, headers, body, signal, redirect, duplex: 'half', ...init } as RequestInit);
  }
  let dispatcher = openAgents.get(proxy);
  if (!dispatcher) openAgents.set(proxy, (dispatcher = proxyAgent(proxy)));
  // undici's own fetch takes a dispatcher; its Response is the one Node's fetch returns.
  return undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
};

/**
 * What went wrong when the failure was the proxy's (it refused the tunnel, or could not be
 * reached), in words an operator can act on; null when it was not, or no proxy is set.
 */
export function proxyFailure(error: unknown): string | null {
  const proxy = egressProxy();
  return proxy ? describeProxyFailure(error, proxy, 'the egress proxy') : null;
}
