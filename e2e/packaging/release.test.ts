/**
 * The release artifacts (issue 8): `npm run package` makes the customer runtime tarball, its
 * sha256 checksum and an Ed25519 signature with the vendor's release key from a secret reference;
 * the documented commands (sha256sum, openssl) verify them and catch a flipped byte or another key;
 * the tarball is reproducible and holds the runtime, the CLI and the manifests, and no owner code.
 * Needs the runtime build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ONLY_MARKERS } from '../build/markers';
import { filesContaining } from '../build/search';

const root = path.resolve(import.meta.dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-release-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function newKey(file: string): void {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

function runPackage(outDir: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RP_SKIP_BUILD: '1', RP_PACKAGE_DIR: outDir, SOURCE_DATE_EPOCH: '1767225600', ...env },
  });
}

const opensslVerifies = (publicKey: string, file: string, signature: string) =>
  spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', publicKey, '-rawin', '-in', file, '-sigfile', signature]).status === 0;

describe('npm run package', () => {
  const keyFile = path.join(work, 'release-key.pem');
  const out = path.join(work, 'out');
  let tarball = '';

  beforeAll(() => {
    newKey(keyFile);
    const result = runPackage(out, { RP_RELEASE_SIGNING_KEY: `file:${keyFile}` });
    expect(result.status, result.stderr).toBe(0);
    tarball = path.join(out, fs.readdirSync(out).find((file) => file.endsWith('.tar.gz'))!);
  }, 120_000);

  it('writes a checksum that sha256sum accepts', () => {
    execFileSync('sha256sum', ['-c', path.basename(tarball) + '.sha256'], { cwd: out });
  });

  it('signs with the release key: openssl verifies it, and refuses a flipped byte or another key', () => {
    const publicKey = path.join(out, 'release-signing-key.pub.pem');
    expect(opensslVerifies(publicKey, tarball, tarball + '.sig')).toBe(true);

    const tampered = path.join(work, 'tampered.tar.gz');
    const bytes = fs.readFileSync(tarball);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(tampered, bytes);
    expect(opensslVerifies(publicKey, tampered, tarball + '.sig')).toBe(false);

    const otherKey = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    fs.writeFileSync(path.join(work, 'other.pub.pem'), otherKey);
    expect(opensslVerifies(path.join(work, 'other.pub.pem'), tarball, tarball + '.sig')).toBe(false);
  });

  it('lists the artifact in a manifest for the download page', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'release-manifest.json'), 'utf8'));
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
    expect(manifest.artifacts[0]).toMatchObject({ file: path.basename(tarball), sha256, size: fs.statSync(tarball).size });
    expect(manifest.publicKey).toBe(fs.readFileSync(path.join(out, 'release-signing-key.pub.pem'), 'utf8'));
  });

  it('holds the runtime server, the rp CLI and the manifests, and no owner code', () => {
    const extracted = path.join(work, 'extracted');
    fs.mkdirSync(extracted);
    execFileSync('tar', ['-xzf', tarball, '-C', extracted]);
    const [top] = fs.readdirSync(extracted);
    const base = path.join(extracted, top!);
    for (const file of ['app/rp-server.mjs', 'app/server.js', 'app/rp.mjs', 'app/db/migrations/runtime', 'kubernetes/overlays/production/kustomization.yaml', 'INSTALL.md']) {
      expect(fs.existsSync(path.join(base, file)), file).toBe(true);
    }
    expect(fs.existsSync(path.join(base, 'app', 'node_modules', 'stripe'))).toBe(false);
    expect(filesContaining(base, OWNER_ONLY_MARKERS)).toEqual([]);
  });

  it('is reproducible: packaging again gives the same bytes', () => {
    const again = path.join(work, 'again');
    const result = runPackage(again, { RP_RELEASE_SIGNING_KEY: `file:${keyFile}` });
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(again, path.basename(tarball) + '.sha256'), 'utf8')).toBe(
      fs.readFileSync(tarball + '.sha256', 'utf8'),
    );
  }, 120_000);

  it('refuses to run without a key reference, or with the key itself in the variable', () => {
    const missing = runPackage(path.join(work, 'none'), { RP_RELEASE_SIGNING_KEY: '' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('RP_RELEASE_SIGNING_KEY is not set');
    const inline = runPackage(path.join(work, 'inline'), { RP_RELEASE_SIGNING_KEY: fs.readFileSync(keyFile, 'utf8') });
    expect(inline.status).not.toBe(0);
    expect(inline.stderr).toContain('must be a reference');
    expect(inline.stderr).not.toContain('PRIVATE KEY');
  });
});
