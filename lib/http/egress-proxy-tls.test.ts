/**
 * https destinations behind the egress proxy, as in a corporate network with its own CA: the
 * server's requests tunnel through the proxy (CONNECT) and then speak TLS to the destination,
 * trusting it through NODE_EXTRA_CA_CERTS. Run in a child process, since Node reads that variable
 * only when a process starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProxy, type TestProxy } from '@/lib/testing/connect-proxy';

const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-egress-tls-'));
// The child's script sits inside the repository, where it resolves tsx like the rp binary does.
fs.mkdirSync(path.join(root, 'node_modules/.cache'), { recursive: true });
const scriptDir = fs.mkdtempSync(path.join(root, 'node_modules/.cache/rp-egress-tls-'));
let target: https.Server;
let targetUrl: string;
let proxy: TestProxy;

beforeAll(async () => {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  expect(made.status, made.stderr?.toString()).toBe(0);
  target = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url, tls: true }));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `https://localhost:${(target.address() as AddressInfo).port}`;
  proxy = await startTestProxy();
  // The child: this repository's modules through tsx, as the rp binary loads them.
  fs.writeFileSync(
    path.join(scriptDir, 'fetch.mjs'),
    `import { register } from 'tsx/esm/api';
import '${path.join(root, 'scripts/server-only-outside-next.mjs')}';
register({ tsconfig: '${path.join(root, 'tsconfig.json')}' });
const { serverFetch } = await import('${path.join(root, 'lib/http/egress-proxy.ts')}');
const { connectorHttp } = await import('${path.join(root, 'lib/connectors/http.ts')}');
const [kind, url] = process.argv.slice(2);
try {
  if (kind === 'server') console.log(JSON.stringify(await (await serverFetch(url + '/.well-known/openid-configuration')).json()));
  else console.log(JSON.stringify((await connectorHttp({ name: 'tls', baseUrl: url, allowed: [{ method: 'GET', path: '/status' }], timeoutMs: 5000, retries: 0 }).getJson('/status')).body));
} catch (error) {
  console.log('ERROR ' + error.message + ' ' + (error.cause?.code ?? ''));
}
`,
  );
});

afterAll(async () => {
  await proxy.close();
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(scriptDir, { recursive: true, force: true });
});

function fetchInChild(kind: 'server' | 'connector', env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [path.join(scriptDir, 'fetch.mjs'), kind, targetUrl], {
    cwd: root,
    env: { ...process.env, HTTP_PROXY: '', http_proxy: '', HTTPS_PROXY: '', https_proxy: '', NO_PROXY: '', no_proxy: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('exit', () => resolve(stdout.trim())));
}

describe('https destinations behind the egress proxy', () => {
  it('are tunnelled through it and verified against the CA the operator added', async () => {
    const trusted = { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') };
    expect(await fetchInChild('server', trusted)).toBe('{"path":"/.well-known/openid-configuration","tls":true}');
    expect(await fetchInChild('connector', { ...trusted, RP_CONNECTOR_ALLOWED_ADDRESSES: '127.0.0.1/32,::1/128' })).toBe('{"path":"/status","tls":true}');
    expect(proxy.tunnelled).toEqual([new URL(targetUrl).host, new URL(targetUrl).host]);
  });

  it('still refuse a certificate nobody trusts: the tunnel is no way around TLS', async () => {
    const result = await fetchInChild('server', { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: '' });
    expect(result).toMatch(/^ERROR .*(DEPTH_ZERO_SELF_SIGNED_CERT|self-signed)/);
  });
});
