/**
 * Connectors reach servers a workspace maintainer names, from inside the customer's network: left
 * alone, a maintainer could point one at the database port, the cloud metadata service or any
 * internal host, and learn from its answers what is there. So a connector connects only to public
 * addresses, unless the operator names others in RP_CONNECTOR_ALLOWED_ADDRESSES (CIDR list).
 *
 * The check is on the address the socket is about to connect to, after DNS (the `lookup` of the
 * HTTP agent, and the literal address when the URL names one): a name that resolves to a public
 * address when saved and to 127.0.0.1 when used (DNS rebinding) is refused at that moment. A
 * refused address is refused before any connection, so the message tells nothing of its ports.
 *
 * Behind the operator's egress proxy (lib/http/egress-proxy.ts) the proxy connects, not us: the
 * name is resolved here first and refused when it resolves to an internal address; a name this
 * machine cannot resolve is left to the proxy (hosted services often resolve only beyond it), so
 * the proxy's own rules are the last check there, and the operations guide says to keep internal
 * destinations out of them. Hosts in NO_PROXY are reached directly, with the check on connect.
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { settings } from '@/lib/config/settings';
import { addressIn, normalizeAddress, parseAddressList } from '@/lib/http/address-list';
import { egressProxy, proxyAgent, type EgressProxy } from '@/lib/http/egress-proxy';

/** Loopback, private (RFC 1918, ULA), link-local (cloud metadata), carrier-grade NAT, "this network", multicast, reserved. */
const INTERNAL = parseAddressList(
  [
    '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
    '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3', '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8',
  ].join(','),
  'internal ranges',
);

export class ConnectorAddressRefused extends Error {
  constructor(host: string, address: string) {
    super(
      `${host} is ${host === address ? 'an internal address' : `at ${address}, an internal address`} (loopback, private, link-local or metadata): connectors do not connect there. ` +
        'If this server is meant to be reached, the operator can allow it with RP_CONNECTOR_ALLOWED_ADDRESSES.',
    );
    this.name = 'ConnectorAddressRefused';
  }
}

function allowedList(): net.BlockList {
  return settings().connectorAllowedAddresses;
}

/** Throws when `address` (an IP) is internal and not allowed. IPv4-mapped IPv6 counts as IPv4. */
export function assertPublicAddress(host: string, address: string): void {
  const normalized = normalizeAddress(address) ?? address;
  if (addressIn(INTERNAL, normalized) && !addressIn(allowedList(), normalized)) throw new ConnectorAddressRefused(host, normalized);
}

/** For a URL naming an address literally (no DNS, so no lookup to check it in). */
export function assertPublicUrl(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) assertPublicAddress(url.hostname, host);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    try {
      for (const { address } of addresses) assertPublicAddress(hostname, address);
    } catch (refused) {
      return callback(refused as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

const GUARDED_CONNECT = { connect: { lookup: guardedLookup as never } };

/** Direct connections: the socket connects only where assertPublicAddress allows. */
const guardedAgent = new Agent(GUARDED_CONNECT);
const proxiedAgents = new WeakMap<EgressProxy, Dispatcher>();

/** How long a name may take to resolve here before it is left to the proxy. */
const PROXY_LOOKUP_MS = 2_000;

/** Behind a proxy: refuses a name that resolves here to an internal address. */
async function assertResolvesPublic(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return;
  const resolved = await Promise.race([
    dns.promises.lookup(host, { all: true }).catch(() => null),
    new Promise<null>((resolve) => AbortSignal.timeout(PROXY_LOOKUP_MS).addEventListener('abort', () => resolve(null))),
  ]);
  for (const { address } of resolved ?? []) assertPublicAddress(host, address);
}

/**
 * The fetch of every connector and notification: only to addresses the guard allows, through the
 * egress proxy when one is set. Throws ConnectorAddressRefused (itself or as the cause) on a
 * refused address; otherwise as undici's fetch.
 */
export async function guardedFetch(url: URL, init: Parameters<typeof undiciFetch>[1] = {}): ReturnType<typeof undiciFetch> {
  assertPublicUrl(url);
  const proxy = egressProxy();
  if (!proxy) return undiciFetch(url, { ...init, dispatcher: guardedAgent });
  await assertResolvesPublic(url);
  let dispatcher = proxiedAgents.get(proxy);
  if (!dispatcher) proxiedAgents.set(proxy, (dispatcher = proxyAgent(proxy, GUARDED_CONNECT)));
  return undiciFetch(url, { ...init, dispatcher });
}
