/**
 * IP addresses and CIDR lists as settings name them (RP_TRUSTED_PROXIES, RP_AUTH_PROXY_ADDRESSES,
 * RP_CONNECTOR_ALLOWED_ADDRESSES). Node-only (net.BlockList); no other imports, so the settings
 * module can use it.
 */
import net from 'node:net';

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
