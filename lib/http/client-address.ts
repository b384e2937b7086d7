/**
 * Who is on the other end of the connection. Next.js gives route handlers no socket, and it only
 * *adds* `x-forwarded-for` when the client did not send one (base-server.js: `??=`), so any
 * client can claim any address there. The runtime therefore stamps every incoming request with
 * the socket's address in `x-rp-peer-address`, overwriting whatever the client sent
 * (./request-start.ts, installed at start-up). From that:
 *   - the peer address is the socket's address, never a header a client controls;
 *   - the client address is the peer, or, when the peer is one of RP_TRUSTED_PROXIES, the last
 *     `x-forwarded-for` hop that is not itself a trusted proxy.
 * Node-only (net.BlockList).
 */
import net from 'node:net';

export const PEER_ADDRESS_HEADER = 'x-rp-peer-address';

/**
 * "::ffff:127.0.0.1" → "127.0.0.1"; a port some proxies append ("9.9.9.9:4444", "[2001:db8::1]:443")
 * is dropped; anything that is not an IP address → null.
 */
export function normalizeAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  let address = value.trim();
  if (address.startsWith('[') && address.includes(']')) address = address.slice(1, address.indexOf(']'));
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(address);
  if (withPort) address = withPort[1]!;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) address = address.slice(7);
  return net.isIP(address) ? address : null;
}

/** A list of addresses and CIDR ranges ("10.0.0.0/8, 127.0.0.1, fd00::/8"); invalid entries throw. */
export function parseAddressList(value: string | undefined, setting: string): net.BlockList {
  const list = new net.BlockList();
  for (const entry of (value ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [address, bits] = entry.split('/');
    const normalized = normalizeAddress(address);
    if (!normalized) throw new Error(`${setting}: "${entry}" is not an IP address or CIDR range`);
    const family = net.isIPv6(normalized) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(normalized, family);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
        throw new Error(`${setting}: "${entry}" has an invalid prefix length`);
      }
      list.addSubnet(normalized, prefix, family);
    }
  }
  return list;
}

export function addressIn(list: net.BlockList, address: string | null): boolean {
  if (!address) return false;
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** The socket's address as stamped by the start-up hook; null when the hook did not run (tests, other servers). */
export function peerAddress(headers: Headers): string | null {
  return normalizeAddress(headers.get(PEER_ADDRESS_HEADER));
}

let trustedProxies: { raw: string | undefined; list: net.BlockList } | null = null;

function trustedProxyList(): net.BlockList {
  const raw = process.env.RP_TRUSTED_PROXIES;
  if (!trustedProxies || trustedProxies.raw !== raw) trustedProxies = { raw, list: parseAddressList(raw, 'RP_TRUSTED_PROXIES') };
  return trustedProxies.list;
}

/** Whether this request came through one of RP_TRUSTED_PROXIES (so its X-Forwarded-* headers are the proxy's word). */
export function fromTrustedProxy(headers: Headers, proxies: net.BlockList = trustedProxyList()): boolean {
  return addressIn(proxies, peerAddress(headers));
}

/** The client's address for audit and rate limits (see the file comment). */
export function clientAddress(headers: Headers, proxies: net.BlockList = trustedProxyList()): string | null {
  const peer = peerAddress(headers);
  if (!peer || !addressIn(proxies, peer)) return peer;
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((hop) => hop.trim()).filter(Boolean);
  let client: string | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    // A hop that is no address ends the walk: skipping it would hand the choice to the hops
    // before it, which the client wrote. The last trusted address seen answers instead.
    if (!hop) return client ?? peer;
    if (!addressIn(proxies, hop)) return hop;
    client = hop;
  }
  return client ?? peer;
}
