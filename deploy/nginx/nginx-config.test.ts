/**
 * The nginx example in the operations docs is a working configuration: nginx itself accepts it
 * (nginx -t) with a throwaway certificate. Skipped where nginx is not installed (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => fs.existsSync(candidate));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-nginx-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it.skipIf(!nginx)('nginx accepts the example TLS configuration', () => {
  const certificate = path.join(work, 'cert.pem');
  const key = path.join(work, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-subj', '/CN=passport.example.com', '-days', '1', '-keyout', key, '-out', certificate], { stdio: 'ignore' });
  const snippet = path.join(work, 'strip.conf');
  fs.copyFileSync(path.join(import.meta.dirname, 'strip-internal-headers.conf'), snippet);
  const site = fs
    .readFileSync(path.join(import.meta.dirname, 'release-passport.conf'), 'utf8')
    .replace('/etc/ssl/certs/passport.example.com.pem', certificate)
    .replace('/etc/ssl/private/passport.example.com.key', key)
    .replace('/etc/nginx/snippets/release-passport-strip-internal-headers.conf', snippet);
  fs.writeFileSync(path.join(work, 'site.conf'), site);
  fs.writeFileSync(
    path.join(work, 'nginx.conf'),
    `pid ${work}/nginx.pid;\nerror_log ${work}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${work}/site.conf;\n}\n`,
  );
  const result = spawnSync(nginx!, ['-t', '-p', work, '-c', path.join(work, 'nginx.conf')], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toContain('syntax is ok');
});
