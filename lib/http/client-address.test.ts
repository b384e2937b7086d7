import { describe, expect, it } from 'vitest';
import { startTestHttpServer } from '@/lib/testing/http-server';
import { addressIn, normalizeAddress, parseAddressList } from './address-list';
import { clientAddress, PEER_ADDRESS_HEADER } from './client-address';
import { decodablePath, installRequestStartHook } from './request-start';

describe('the request-start hook', () => {
  it('stamps the socket address and overwrites whatever the client sent in its place', async () => {
    installRequestStartHook();
    const server = await startTestHttpServer((request, response) => {
      response.end(JSON.stringify({ peer: request.headers[PEER_ADDRESS_HEADER], raw: request.rawHeaders.filter((h) => h.toLowerCase() === PEER_ADDRESS_HEADER).length }));
    });
    try {
      const response = await fetch(`${server.url}/`, { headers: { [PEER_ADDRESS_HEADER]: '10.0.0.1', 'x-forwarded-for': '10.0.0.1' } });
      const body = (await response.json()) as { peer: string; raw: number };
      expect(normalizeAddress(body.peer)).toBe('127.0.0.1');
      expect(body.raw).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('paths whose percent-encoding is not valid UTF-8', () => {
  it('are told apart from valid ones, the query aside', () => {
    for (const bad of ['/api/v1/workspaces/%ED%A0%80/keys', '/console/%FF', '/a/%C3', '/%E0%80%80']) expect(decodablePath(bad), bad).toBe(false);
    for (const good of ['/api/v1/workspaces/acme/keys', '/console/%C3%A9t%C3%A9', '/a%2Fb', '/search?q=%FF', '/%25ED']) expect(decodablePath(good), good).toBe(true);
  });
});

describe('client addresses', () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it('normalize IPv4-mapped IPv6 and refuse what is not an address', () => {
    expect(normalizeAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('[::1]')).toBe('::1');
    expect(normalizeAddress('evil.example')).toBeNull();
    expect(normalizeAddress('')).toBeNull();
    // Proxies that append the client's port.
    expect(normalizeAddress('9.9.9.9:4444')).toBe('9.9.9.9');
    expect(normalizeAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normalizeAddress('9.9.9.9:99999999')).toBeNull();
  });

  it('parse address lists with CIDR ranges, and reject nonsense loudly', () => {
    const list = parseAddressList('10.0.0.0/8, 192.0.2.1, fd00::/8', 'TEST');
    expect(addressIn(list, '10.9.8.7')).toBe(true);
    expect(addressIn(list, '192.0.2.1')).toBe(true);
    expect(addressIn(list, '192.0.2.2')).toBe(false);
    expect(addressIn(list, 'fd00::1')).toBe(true);
    expect(() => parseAddressList('10.0.0.0/40', 'TEST')).toThrow(/TEST/);
    expect(() => parseAddressList('proxy.local', 'TEST')).toThrow(/not an IP address/);
  });

  it('use the peer, ignoring x-forwarded-for from an untrusted peer', () => {
    const none = parseAddressList('', 'TEST');
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '192.0.2.5', 'x-forwarded-for': '203.0.113.9' }), none)).toBe('192.0.2.5');
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.9' }), none)).toBeNull();
  });

  it('take the last untrusted hop when the peer is a trusted proxy', () => {
    const proxies = parseAddressList('10.0.0.0/8', 'TEST');
    const through = (xff: string) => clientAddress(headers({ [PEER_ADDRESS_HEADER]: '10.0.0.2', 'x-forwarded-for': xff }), proxies);
    expect(through('203.0.113.9')).toBe('203.0.113.9');
    // A client prepending a fake hop does not move its real address.
    expect(through('1.2.3.4, 203.0.113.9, 10.0.0.3')).toBe('203.0.113.9');
    // Hops with ports are the clients they name, not one shared bucket.
    expect(through('9.9.9.9:4444')).toBe('9.9.9.9');
    expect(through('1.2.3.4, 9.9.9.8:51000')).toBe('9.9.9.8');
    // A garbled last hop does not let the client's own earlier hop through.
    expect(through('1.2.3.4, garbage')).toBe('10.0.0.2');
    expect(through('1.2.3.4, garbage, 10.0.0.3')).toBe('10.0.0.3');
  });
});
