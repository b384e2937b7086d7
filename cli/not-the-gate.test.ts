/**
 * rp against servers that are not the gate, as CI meets them: a proxy's page answering 200, a
 * service answering JSON of its own, a certificate the runner does not trust, TLS asked of a plain
 * port. Each is said at once (exit 3) instead of being retried until the deadline or read as a
 * decision; none prints an idempotency key, since nothing can have been recorded.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-not-the-gate-'));
const servers: Array<http.Server | https.Server> = [];
let plain: string;
let tls: string;

async function listen(server: http.Server | https.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${server instanceof https.Server ? 'https' : 'http'}://localhost:${(server.address() as AddressInfo).port}`;
}

/** rp as a pipeline step runs it, asynchronously so that this process's servers keep answering. */
function rp(args: string[]): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], { cwd: dir, env: { ...process.env, RP_TOKEN: 'rp_test', GITHUB_SHA: 'a'.repeat(40), NODE_EXTRA_CA_CERTS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, stderr, ms: Date.now() - started })));
}

const gate = (url: string) => rp(['gate', '--service', 'api', '--environment', 'staging', '--image-digest', `sha256:${'b'.repeat(64)}`, '--url', url, '--deadline', '60']);

beforeAll(async () => {
  plain = await listen(
    http.createServer((request, response) => {
      request.resume();
      if (request.url?.startsWith('/portal')) response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to continue</body></html>');
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    }),
  );
  // A self-signed certificate, as an internal service might have.
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  expect(made.status, made.stderr?.toString()).toBe(0);
  tls = await listen(https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (_request, response) => response.end('{}')));
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('rp against a server that is not the gate', () => {
  it('a 200 page that is not JSON (a proxy asking to sign in)', async () => {
    const result = await gate(`${plain}/portal`);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`200 OK (text/html) from ${plain}/portal/api/v1/gate/evaluate, which is not an answer of the Release Passport API`);
    expect(result.stderr).not.toContain('idempotency key');
  });

  it('JSON that is not a decision (another service at that address)', async () => {
    const result = await gate(plain);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the answer from ${plain}/api/v1/gate/evaluate is JSON but not a gate decision`);
    expect(result.stderr).not.toMatch(/TypeError|Cannot read properties/);
  });

  it('a certificate this machine does not trust: said at once with the way to trust it, not retried for minutes', async () => {
    const result = await gate(tls);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the TLS certificate of ${tls} is not trusted on this machine (DEPTH_ZERO_SELF_SIGNED_CERT): if your own CA signed it, give it to rp with NODE_EXTRA_CA_CERTS=`);
    expect(result.stderr).not.toContain('retrying');
    expect(result.stderr).not.toContain('idempotency key');
    expect(result.ms).toBeLessThan(20_000);
  });

  it('TLS asked of a plain port', async () => {
    const result = await gate(plain.replace('http://', 'https://'));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('does not answer TLS on that port (ERR_SSL_WRONG_VERSION_NUMBER): use http:// for a plain port');
    expect(result.stderr).not.toContain('retrying');
  });
});
