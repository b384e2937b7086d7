/**
 * rp behind a corporate proxy: with HTTPS_PROXY / HTTP_PROXY set, its requests go through the
 * proxy (a real CONNECT proxy here, as Squid answers one), and NO_PROXY exempts hosts, as curl
 * reads the same variables.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/support/ports';

const root = path.resolve(import.meta.dirname, '..');
let target: http.Server;
let proxy: http.Server;
let targetUrl: string;
let proxyUrl: string;
const tunnelled: string[] = [];
const forwarded: string[] = [];

beforeAll(async () => {
  target = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"service":"not the gate"}');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://localhost:${(target.address() as net.AddressInfo).port}`;
  proxy = http.createServer((request, response) => {
    // A request in absolute form (a proxy without tunnelling): forwarded as it came.
    forwarded.push(`${request.method} ${request.url}`);
    const upstream = http.request(request.url!, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  proxy.on('connect', (request, socket, head) => {
    tunnelled.push(request.url!);
    const [host, port] = request.url!.split(':');
    const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  target.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await new Promise((resolve) => target.close(resolve));
});

function rp(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(clean)) if (/^(https?|no)_proxy$/i.test(name)) delete clean[name];
  const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), 'gate', '--service', 'api', '--environment', 'staging', '--image-digest', `sha256:${'b'.repeat(64)}`, '--url', targetUrl, '--deadline', '3'], { env: { ...clean, RP_TOKEN: 'rp_test', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, stderr })));
}

describe('rp behind a proxy', () => {
  it('goes through HTTP_PROXY, and straight to a host NO_PROXY names', async () => {
    const through = await rp({ HTTP_PROXY: proxyUrl });
    // The target answered (its JSON is not a decision, which is beside the point here).
    expect(through.stderr).toContain('is JSON but not a gate decision');
    const viaProxy = tunnelled.length + forwarded.length;
    expect(viaProxy).toBeGreaterThan(0);
    const exempt = await rp({ HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost' });
    expect(exempt.stderr).toContain('is JSON but not a gate decision');
    expect(tunnelled.length + forwarded.length).toBe(viaProxy);
  });

  it('a proxy that is down is not bypassed: rp cannot reach the target and says so (exit 3)', async () => {
    const closed = await freePort(); // nothing listens there
    const dead = await rp({ http_proxy: `http://127.0.0.1:${closed}` });
    expect(dead.code).toBe(3);
    expect(dead.stderr).toContain('ECONNREFUSED');
    expect(dead.stderr).not.toContain('is JSON but not a gate decision');
  });
});
