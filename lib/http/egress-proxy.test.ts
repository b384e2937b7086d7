/**
 * The server's outbound requests behind an egress proxy (a real forward proxy on this machine):
 * what the operator configured goes through it unless NO_PROXY exempts the host; what a workspace
 * maintainer named (connectors, notifications) is still held to the address guard, before the
 * proxy is asked; and a proxy that is down or refuses is named as the reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@/e2e/support/ports';
import { connectorHttp } from '@/lib/connectors/http';
import { parseSettings } from '@/lib/config/settings';
import { startTestProxy, type TestProxy } from '@/lib/testing/connect-proxy';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';
import { proxyFailure, proxyFor, serverFetch } from './egress-proxy';

let target: TestHttpServer;
let port: number;
const reached: string[] = [];
let proxy: TestProxy;

beforeAll(async () => {
  target = await startTestHttpServer((request, response) => {
    reached.push(`${request.headers.host}${request.url}`);
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  port = target.port;
  // Refuses one name, as a proxy's access rules would.
  proxy = await startTestProxy({ refuse: (destination) => destination.startsWith('forbidden.example.invalid:') });
});

afterEach(() => {
  vi.unstubAllEnvs();
  proxy.tunnelled.length = 0;
  proxy.forwarded.length = 0;
  reached.length = 0;
});

afterAll(async () => {
  await proxy.close();
  await target.close();
});

function useProxy(env: Record<string, string>): void {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) vi.stubEnv(name, env[name] ?? '');
}

const connector = (baseUrl: string) => connectorHttp({ name: 'test', baseUrl, allowed: [{ method: 'GET', path: '/status' }], timeoutMs: 3000, retries: 0 });

describe('requests to servers the operator configured (Vault, OIDC and CI identity issuers)', () => {
  it('go through HTTPS_PROXY / HTTP_PROXY, and straight to a host NO_PROXY names', async () => {
    useProxy({ HTTP_PROXY: proxy.url });
    const answer = await serverFetch(`http://localhost:${port}/.well-known/openid-configuration`);
    expect(await answer.json()).toEqual({ ok: true });
    expect(proxy.tunnelled).toEqual([`localhost:${port}`]);

    useProxy({ http_proxy: proxy.url, NO_PROXY: 'example.com, localhost' });
    await (await serverFetch(`http://localhost:${port}/direct`)).text();
    expect(proxy.tunnelled).toHaveLength(1); // not asked again
    expect(reached).toContain(`localhost:${port}/direct`);
  });

  it('go straight to an address inside a NO_PROXY range (10.0.0.0/8), as curl and Go do; a name is not resolved to match one', async () => {
    useProxy({ HTTP_PROXY: proxy.url, NO_PROXY: '10.0.0.0/8, 127.0.0.0/8' });
    await (await serverFetch(`http://127.0.0.1:${port}/ranged`)).text();
    expect(proxy.tunnelled).toEqual([]);
    expect(reached).toContain(`127.0.0.1:${port}/ranged`);
    await (await serverFetch(`http://localhost:${port}/named`)).text();
    expect(proxy.tunnelled).toEqual([`localhost:${port}`]);
  });

  it('go direct, as before, when no proxy is set', async () => {
    useProxy({});
    await (await serverFetch(`http://localhost:${port}/plain`)).text();
    expect(proxy.tunnelled).toEqual([]);
    expect(reached).toEqual([`localhost:${port}/plain`]);
  });

  it('take a Request as fetch does', async () => {
    useProxy({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    const answer = await serverFetch(new Request(`http://localhost:${port}/token`, { method: 'POST', body: 'grant_type=authorization_code' }));
    expect(answer.status).toBe(200);
    expect(proxy.tunnelled).toEqual([`localhost:${port}`]);
  });

  it('name the proxy when it is down or refuses, and never go around it', async () => {
    const closed = await freePort();
    useProxy({ HTTP_PROXY: `http://user:secret@127.0.0.1:${closed}` });
    const down = await serverFetch(`http://localhost:${port}/`).catch((error: unknown) => error);
    expect(proxyFailure(down)).toBe(`cannot reach the egress proxy http://127.0.0.1:${closed} (ECONNREFUSED)`);
    expect(reached).toEqual([]);

    useProxy({ HTTP_PROXY: proxy.url });
    const refused = await serverFetch(`http://forbidden.example.invalid:${port}/`).catch((error: unknown) => error);
    expect(proxyFailure(refused)).toMatch(/^the egress proxy http:\/\/127\.0\.0\.1:\d+ answered 403 instead of connecting/);

    // A failure that is not the proxy's is left to the caller's own words.
    useProxy({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    const direct = await serverFetch(`http://127.0.0.1:${closed}/`).catch((error: unknown) => error);
    expect(direct).toBeInstanceOf(Error);
    expect(proxyFailure(direct)).toBeNull();
  });
});

describe('a proxy that asks for credentials', () => {
  it('gets them from the address, and a wrong password is named as such', async () => {
    const guarded = await startTestProxy({ credentials: 'ci-runner:s3cret/with@odd:chars' });
    try {
      useProxy({ HTTP_PROXY: `http://ci-runner:${encodeURIComponent('s3cret/with@odd:chars')}@${guarded.url.slice('http://'.length)}` });
      expect((await serverFetch(`http://localhost:${port}/authenticated`)).status).toBe(200);
      useProxy({ HTTP_PROXY: `http://ci-runner:wrong@${guarded.url.slice('http://'.length)}` });
      const refused = await serverFetch(`http://localhost:${port}/`).catch((error: unknown) => error);
      expect(proxyFailure(refused)).toBe(`the egress proxy ${guarded.url} answered 407 instead of connecting (check the user name and password in the proxy address)`);
      expect(reached).toEqual([`localhost:${port}/authenticated`]);
    } finally {
      await guarded.close();
    }
  });
});

describe('requests to servers a workspace maintainer named (connectors, notifications)', () => {
  it('are refused before the proxy is asked when the name resolves here to an internal address', async () => {
    useProxy({ HTTP_PROXY: proxy.url });
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '');
    await expect(connector(`http://localhost:${port}`).getJson('/status')).rejects.toThrow(/localhost is at (127\.0\.0\.1|::1), an internal address/);
    await expect(connector(`http://169.254.169.254:${port}`).getJson('/status')).rejects.toThrow(/169\.254\.169\.254 is an internal address/);
    expect(proxy.tunnelled).toEqual([]);
    expect(reached).toEqual([]);
  });

  it('go through the proxy when allowed, and a name only the proxy can resolve is left to it', async () => {
    useProxy({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '127.0.0.1/32,::1/128');
    await expect(connector(`http://localhost:${port}`).getJson('/status')).resolves.toMatchObject({ body: { ok: true } });
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '');
    // .invalid never resolves here; the test proxy connects it to this machine's server.
    await expect(connector(`http://ci.example.invalid:${port}`).getJson('/status')).resolves.toMatchObject({ body: { ok: true } });
    expect(proxy.tunnelled).toEqual([`localhost:${port}`, `ci.example.invalid:${port}`]);
  });

  it('to a host NO_PROXY names are made directly, with the address checked on connect', async () => {
    useProxy({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' });
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '');
    await expect(connector(`http://localhost:${port}`).getJson('/status')).rejects.toThrow(/an internal address/);
    vi.stubEnv('RP_CONNECTOR_ALLOWED_ADDRESSES', '127.0.0.1/32,::1/128');
    await expect(connector(`http://localhost:${port}`).getJson('/status')).resolves.toMatchObject({ body: { ok: true } });
    expect(proxy.tunnelled).toEqual([]);
  });

  it("say when the proxy refused or is down, as a connector's error", async () => {
    useProxy({ HTTP_PROXY: proxy.url });
    await expect(connector(`http://forbidden.example.invalid:${port}`).getJson('/status')).rejects.toThrow(
      /^GET http:\/\/forbidden\.example\.invalid:\d+\/status: the egress proxy http:\/\/127\.0\.0\.1:\d+ answered 403 instead of connecting/,
    );
    const closed = await freePort();
    useProxy({ HTTP_PROXY: `127.0.0.1:${closed}` });
    await expect(connector(`http://ci.example.invalid:${port}`).getJson('/status')).rejects.toThrow(`cannot reach the egress proxy http://127.0.0.1:${closed} (ECONNREFUSED)`);
  });
});

describe('NO_PROXY, for clients that are not undici (the S3 client)', () => {
  it('exempts names, domains and their hosts, host:port and *, as undici reads it, and address ranges', () => {
    const proxy = { httpProxy: 'http://p:3128/', httpsProxy: 'http://ps:3128/', noProxy: 'vault.internal, .corp.example *.svc minio:9000' };
    const via = (url: string) => proxyFor(new URL(url), proxy);
    expect(via('https://s3.eu-west-1.amazonaws.com/')).toBe('http://ps:3128/');
    expect(via('http://hooks.example.com/')).toBe('http://p:3128/');
    for (const direct of ['https://vault.internal/', 'https://git.corp.example/', 'https://corp.example/', 'http://prometheus.monitoring.svc/', 'http://minio:9000/']) expect(via(direct), direct).toBeNull();
    for (const proxied of ['https://vault.internal.evil.example/', 'https://notcorp.example/', 'http://minio:9001/']) expect(via(proxied), proxied).not.toBeNull();
    expect(proxyFor(new URL('https://anything.example/'), { ...proxy, noProxy: '*' })).toBeNull();
    // Address ranges and single addresses, IPv4 and IPv6, apply to addresses in the URL only.
    const ranged = { ...proxy, noProxy: '10.0.0.0/8, 192.168.1.5, [fd00::]/8, 2001:db8::1' };
    for (const direct of ['http://10.1.2.3:8080/', 'https://192.168.1.5/', 'http://[fd00::1]/', 'http://[2001:db8::1]:9000/']) expect(proxyFor(new URL(direct), ranged), direct).toBeNull();
    for (const proxied of ['http://11.0.0.1/', 'https://192.168.1.6/', 'http://[fe80::1]/', 'http://ten.example/']) expect(proxyFor(new URL(proxied), ranged), proxied).not.toBeNull();
    expect(proxyFor(new URL('http://plain.example/'), { httpProxy: null, httpsProxy: 'http://ps:3128/', noProxy: '' })).toBeNull();
  });
});

describe('the proxy settings', () => {
  it('take host:port as http://, refuse SOCKS and nonsense by name, and never print a password', () => {
    expect(parseSettings({ HTTPS_PROXY: 'proxy.corp.example:3128' }).settings.egressProxy).toEqual({ httpProxy: null, httpsProxy: 'http://proxy.corp.example:3128/', noProxy: '' });
    expect(parseSettings({ https_proxy: 'http://a:3128', HTTPS_PROXY: 'http://b:3128', NO_PROXY: ' .corp.example ' }).settings.egressProxy).toEqual({
      httpProxy: null,
      httpsProxy: 'http://a:3128/',
      noProxy: '.corp.example',
    });
    expect(parseSettings({}).settings.egressProxy).toBeNull();
    const { problems } = parseSettings({ HTTPS_PROXY: 'socks5://user:hunter2@proxy:1080', http_proxy: 'http://' });
    expect(problems).toEqual([
      'HTTPS_PROXY must be an http(s) proxy address such as http://proxy.example.com:3128 (SOCKS proxies are not supported), got "socks5://***@proxy:1080".',
      'http_proxy must be an http(s) proxy address such as http://proxy.example.com:3128 (SOCKS proxies are not supported), got "http://".',
    ]);
  });
});
