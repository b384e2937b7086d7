/**
 * Connectors refuse internal addresses unless the operator allows them, checked on the address the
 * socket would connect to: literal addresses, names that resolve to them (localhost), IPv4-mapped
 * IPv6, and the cloud metadata address. The refusal comes before any connection, so it reads the
 * same whether a port is open or closed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';
import { assertPublicAddress } from './address-guard';
import { connectorHttp } from './http';

let server: TestHttpServer;
let port: number;
let requests = 0;

beforeAll(async () => {
  server = await startTestHttpServer((_request, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  port = server.port;
});
afterAll(async () => {
  await server.close();
  vi.unstubAllEnvs();
});

const client = (baseUrl: string) => connectorHttp({ name: 'test', baseUrl, allowed: [{ method: 'GET', path: '/status' }], timeoutMs: 2000, retries: 0 });

describe('the connector address guard', () => {
  it('refuses loopback, private, link-local, metadata and mapped addresses, and lets public ones through', () => {
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '');
    for (const internal of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1']) {
      expect(() => assertPublicAddress(internal, internal), internal).toThrow(/internal address .*RP_CONNECTOR_ALLOWED_ADDRESSES/);
    }
    for (const external of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '172.32.0.1', '8.8.8.8']) {
      expect(() => assertPublicAddress(external, external), external).not.toThrow();
    }
  });

  it('refuses a server on this machine by address and by name, before connecting, whether the port is open or not', async () => {
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '');
    const before = requests;
    const open = client(`http://127.0.0.1:${port}`).getJson('/status');
    await expect(open).rejects.toThrow(/127\.0\.0\.1 is an internal address/);
    const byName = client(`http://localhost:${port}`).getJson('/status');
    await expect(byName).rejects.toThrow(/localhost is at (127\.0\.0\.1|::1), an internal address/);
    const closed = client('http://127.0.0.1:1').getJson('/status');
    await expect(closed).rejects.toThrow(/127\.0\.0\.1 is an internal address/);
    expect(requests).toBe(before); // nothing reached the server
  });

  it('connects to an internal server the operator allowed', async () => {
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '127.0.0.1/32');
    await expect(client(`http://127.0.0.1:${port}`).getJson('/status')).resolves.toMatchObject({ body: { ok: true } });
  });
});
