/**
 * The release artifacts: `npm run package` makes the public runtime tarball (the trial installer),
 * the runtime packages (entitlement "packages") and the air-gapped bundle (entitlement
 * "air-gapped-bundle"), each with a sha256 checksum and an Ed25519 signature with the vendor's
 * release key from a secret reference; the documented commands (sha256sum, openssl) verify them and
 * catch a flipped byte or another key; the artifacts are reproducible; the public one holds the
 * runtime and the CLI and nothing a plan sells, and no owner code. Needs the runtime build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ONLY_MARKERS } from '../build/markers';
import { filesContaining } from '../build/search';
import { releaseManifestSchema } from '@/lib/portal/releases';

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
    tarball = path.join(out, fs.readdirSync(out).find((file) => file.startsWith('release-passport-runtime-') && file.endsWith('.tar.gz'))!);
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

  it('lists every artifact in a manifest with the entitlement it needs, each checksummed and signed', () => {
    const manifest = releaseManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'release-manifest.json'), 'utf8')));
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
    expect(manifest.artifacts[0]).toMatchObject({ file: path.basename(tarball), sha256, size: fs.statSync(tarball).size, entitlement: null });
    expect(manifest.artifacts.map((artifact) => [artifact.file.replace(/-\d+\.\d+\.\d+.*$/, ''), artifact.entitlement])).toEqual([
      ['release-passport-runtime', null],
      ['release-passport-packages', 'packages'],
      ['release-passport-airgapped', 'air-gapped-bundle'],
    ]);
    expect(manifest.publicKey).toBe(fs.readFileSync(path.join(out, 'release-signing-key.pub.pem'), 'utf8'));
    for (const artifact of manifest.artifacts) {
      execFileSync('sha256sum', ['-c', artifact.checksumFile], { cwd: out });
      expect(opensslVerifies(path.join(out, 'release-signing-key.pub.pem'), path.join(out, artifact.file), path.join(out, artifact.signatureFile)), artifact.file).toBe(true);
    }
  });

  it('sells what the plans sell: the manifests and the container build only in the packages, everything in the air-gapped bundle', () => {
    const unpack = (file: string) => {
      const into = fs.mkdtempSync(path.join(work, 'unpack-'));
      execFileSync('tar', ['-xzf', path.join(out, file), '-C', into]);
      return path.join(into, fs.readdirSync(into)[0]!);
    };
    const manifest = releaseManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'release-manifest.json'), 'utf8')));
    const [, packages, airgapped] = manifest.artifacts;
    const packaged = unpack(packages!.file);
    for (const file of ['kubernetes/overlays/production/kustomization.yaml', 'docker/Dockerfile', 'PACKAGES.md']) expect(fs.existsSync(path.join(packaged, file)), file).toBe(true);
    // The customer's Dockerfile builds from the unpacked runtime, not from our source tree.
    expect(fs.readFileSync(path.join(packaged, 'docker/Dockerfile'), 'utf8')).toContain('COPY --chown=0:0 app/ /app/');
    expect(fs.readFileSync(path.join(packaged, 'docker/Dockerfile'), 'utf8')).not.toContain('--from=build');
    const bundle = unpack(airgapped!.file);
    for (const inner of [manifest.artifacts[0]!, packages!]) {
      expect(fs.readFileSync(path.join(bundle, inner.file)).equals(fs.readFileSync(path.join(out, inner.file))), inner.file).toBe(true);
      expect(opensslVerifies(path.join(bundle, 'release-signing-key.pub.pem'), path.join(bundle, inner.file), path.join(bundle, inner.signatureFile))).toBe(true);
    }
  });

  it('holds the runtime server and the rp CLI, not the paid packages, and no owner code', () => {
    const extracted = path.join(work, 'extracted');
    fs.mkdirSync(extracted);
    execFileSync('tar', ['-xzf', tarball, '-C', extracted]);
    const [top] = fs.readdirSync(extracted);
    const base = path.join(extracted, top!);
    for (const file of ['app/rp-server.mjs', 'app/server.js', 'app/rp.mjs', 'app/db/migrations/runtime', 'INSTALL.md']) {
      expect(fs.existsSync(path.join(base, file)), file).toBe(true);
    }
    expect(fs.readdirSync(base).sort()).toEqual(['INSTALL.md', 'app']);
    expect(fs.existsSync(path.join(base, 'app', 'node_modules', 'stripe'))).toBe(false);
    expect(filesContaining(base, OWNER_ONLY_MARKERS)).toEqual([]);
  });

  it('is reproducible: packaging again gives the same bytes', () => {
    const again = path.join(work, 'again');
    const result = runPackage(again, { RP_RELEASE_SIGNING_KEY: `file:${keyFile}` });
    expect(result.status, result.stderr).toBe(0);
    for (const checksum of fs.readdirSync(out).filter((file) => file.endsWith('.sha256'))) {
      expect(fs.readFileSync(path.join(again, checksum), 'utf8'), checksum).toBe(fs.readFileSync(path.join(out, checksum), 'utf8'));
    }
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
