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
import type net from 'node:net';
import { settings } from '@/lib/config/settings';
import { addressIn, normalizeAddress } from './address-list';

export const PEER_ADDRESS_HEADER = 'x-rp-peer-address';

/** The socket's address as stamped by the start-up hook; null when the hook did not run (tests, other servers). */
export function peerAddress(headers: Headers): string | null {
  return normalizeAddress(headers.get(PEER_ADDRESS_HEADER));
}

function trustedProxyList(): net.BlockList {
  return settings().trustedProxies;
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
