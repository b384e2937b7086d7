/**
 * Which requests go through the egress proxy, for the server (lib/http/egress-proxy.ts) and the rp
 * CLI alike. undici's EnvHttpProxyAgent reads NO_PROXY's names, domains, `host:port` and `*`, but
 * not address ranges, which corporate networks put there as often as names
 * (`NO_PROXY=10.0.0.0/8,.corp.example`): curl (7.86 and later) and Go honour them, so a server
 * named by its address inside such a range went to the proxy here and nowhere else. A range
 * applies to an address in the URL itself, as in curl and Go; a name is never resolved to match one.
 */
import net from 'node:net';
import { Agent, Dispatcher, EnvHttpProxyAgent } from 'undici';

export interface ProxyRoute {
  httpProxy: string | null;
  httpsProxy: string | null;
  noProxy: string;
}

/** NO_PROXY's address ranges and single addresses (10.0.0.0/8, 192.168.1.5, fd00::/8), or null when it has none. */
export function noProxyAddresses(noProxy: string): net.BlockList | null {
  const list = new net.BlockList();
  let any = false;
  for (const entry of noProxy.split(/[,\s]/).filter(Boolean)) {
    const [address = '', bits] = entry.replace(/^\[|\](?=\/|$)/g, '').split('/');
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
    if (!family) continue;
    const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) continue;
    list.addSubnet(address, prefix, family);
    any = true;
  }
  return any ? list : null;
}

/** Whether a URL's host (IPv6 in brackets) is an address that NO_PROXY's addresses exempt. */
export function exemptAddress(hostname: string, addresses: net.BlockList | null): boolean {
  if (!addresses) return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = net.isIPv4(host) ? 'ipv4' : net.isIPv6(host) ? 'ipv6' : null;
  return family !== null && addresses.check(host, family);
}

/**
 * undici's EnvHttpProxyAgent given the validated settings, with NO_PROXY's address ranges read
 * too: a request to an address inside one goes direct, on an agent made with `direct` (the
 * connectors' address guard checks the address there), everything else as undici routes it.
 */
export class EgressDispatcher extends Dispatcher {
  readonly #routed: EnvHttpProxyAgent;
  readonly #direct: Agent | null;
  readonly #addresses: net.BlockList | null;

  constructor(route: ProxyRoute, direct: Agent.Options = {}) {
    super();
    this.#routed = new EnvHttpProxyAgent({ ...direct, httpProxy: route.httpProxy ?? '', httpsProxy: route.httpsProxy ?? route.httpProxy ?? '', noProxy: route.noProxy });
    this.#addresses = noProxyAddresses(route.noProxy);
    this.#direct = this.#addresses ? new Agent(direct) : null;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    const target = this.#direct && exemptAddress(origin.hostname, this.#addresses) ? this.#direct : this.#routed;
    return target.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closed = Promise.all([this.#routed.close(), this.#direct?.close()]).then(() => undefined);
    if (!callback) return closed;
    void closed.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const destroyed = Promise.all([this.#routed.destroy(error), this.#direct?.destroy(error)]).then(() => undefined);
    if (!callback) return destroyed;
    void destroyed.then(callback);
  }
}

