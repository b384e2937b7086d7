/**
 * rp behind a corporate proxy: with HTTPS_PROXY / HTTP_PROXY set, its requests go through the
 * proxy (a real CONNECT proxy here, as Squid answers one), and NO_PROXY exempts hosts, as curl
 * reads the same variables.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/support/ports';
import { startTestProxy, type TestProxy } from '../lib/testing/connect-proxy';
import { startTestHttpServer, type TestHttpServer } from '../lib/testing/http-server';

const root = path.resolve(import.meta.dirname, '..');
let target: TestHttpServer;
let proxy: TestProxy;
let targetUrl: string;

beforeAll(async () => {
  target = await startTestHttpServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"service":"not the gate"}');
  });
  targetUrl = `http://localhost:${target.port}`;
  proxy = await startTestProxy();
});

afterAll(async () => {
  await proxy.close();
  await target.close();
});

function rp(env: Record<string, string>, url = targetUrl): Promise<{ code: number; stderr: string }> {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(clean)) if (/^(https?|no)_proxy$/i.test(name)) delete clean[name];
  const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), 'gate', '--service', 'api', '--environment', 'staging', '--image-digest', `sha256:${'b'.repeat(64)}`, '--url', url, '--deadline', '3'], { env: { ...clean, RP_TOKEN: 'rp_test', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, stderr })));
}

describe('rp behind a proxy', () => {
  it('goes through HTTP_PROXY, and straight to a host NO_PROXY names', async () => {
    const through = await rp({ HTTP_PROXY: proxy.url });
    // The target answered (its JSON is not a decision, which is beside the point here).
    expect(through.stderr).toContain('is JSON but not a gate decision');
    const viaProxy = proxy.tunnelled.length + proxy.forwarded.length;
    expect(viaProxy).toBeGreaterThan(0);
    const exempt = await rp({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' });
    expect(exempt.stderr).toContain('is JSON but not a gate decision');
    expect(proxy.tunnelled.length + proxy.forwarded.length).toBe(viaProxy);
  });

  it('goes straight to an address inside a NO_PROXY range (10.0.0.0/8 style), as curl and Go do', async () => {
    const before = proxy.tunnelled.length + proxy.forwarded.length;
    const ranged = await rp({ HTTP_PROXY: proxy.url, NO_PROXY: '10.0.0.0/8,127.0.0.0/8' }, `http://127.0.0.1:${target.port}`);
    expect(ranged.stderr).toContain('is JSON but not a gate decision');
    expect(proxy.tunnelled.length + proxy.forwarded.length).toBe(before);
  });

  it('a proxy that is down is not bypassed: rp cannot reach the target and says so (exit 3)', async () => {
    const closed = await freePort(); // nothing listens there
    const dead = await rp({ http_proxy: `http://127.0.0.1:${closed}` });
    expect(dead.code).toBe(3);
    // The proxy is named, not the gate, which was never asked.
    expect(dead.stderr).toContain(`cannot reach the proxy http://127.0.0.1:${closed} (ECONNREFUSED)`);
    expect(dead.stderr).not.toContain('is JSON but not a gate decision');
  });

  it('a proxy that refuses the destination is named with its answer', async () => {
    const strict = await startTestProxy({ refuse: () => true });
    try {
      const refused = await rp({ HTTP_PROXY: strict.url });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`the proxy ${strict.url.replace(/\/$/, '')} answered 403 instead of connecting (its access rules, or the destination is down)`);
    } finally {
      await strict.close();
    }
  });

  it('reads host:port as an http:// proxy, as curl does, and refuses one that cannot work at once (exit 2)', async () => {
    const before = proxy.tunnelled.length + proxy.forwarded.length;
    const bare = await rp({ HTTPS_PROXY: '', HTTP_PROXY: proxy.url.replace('http://', '') });
    expect(bare.stderr).toContain('is JSON but not a gate decision');
    expect(proxy.tunnelled.length + proxy.forwarded.length).toBeGreaterThan(before);

    const socks = await rp({ https_proxy: 'socks5://ci:hunter2@proxy.example:1080' });
    expect(socks.code).toBe(2);
    expect(socks.stderr.trim()).toBe(
      'rp: https_proxy must be an http(s) proxy address such as http://proxy.example.com:3128 (SOCKS proxies are not supported), got "socks5://***@proxy.example:1080".',
    );
  });
});
