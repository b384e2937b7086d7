#!/usr/bin/env node
// `npm run package`: the customer runtime release (issue 8). Builds the runtime target and packs
// its standalone server, the bundled `rp` CLI and the Kubernetes manifests into a reproducible
// tarball, writes its sha256 checksum and an Ed25519 signature made with the vendor's release key,
// and a manifest the public site's download page lists. The key comes from a secret reference in
// RP_RELEASE_SIGNING_KEY (`env:NAME` or `file:/path` to a PKCS#8 PEM); it is never written here.
//
// Verify (documented in the README and on /download):
//   sha256sum -c release-passport-runtime-<v>-linux-x64.tar.gz.sha256
//   openssl pkeyutl -verify -pubin -inkey release-signing-key.pub.pem -rawin \
//     -in release-passport-runtime-<v>-linux-x64.tar.gz -sigfile release-passport-runtime-<v>-linux-x64.tar.gz.sig
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outDir = path.resolve(process.env.RP_PACKAGE_DIR ?? path.join(root, 'dist'));
const name = `release-passport-runtime-${version}-${process.platform}-${process.arch}`;

const signingKey = loadSigningKey(process.env.RP_RELEASE_SIGNING_KEY);

if (process.env.RP_SKIP_BUILD !== '1') {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), 'runtime'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const standalone = path.join(root, '.next-runtime', 'standalone');
if (!fs.existsSync(path.join(standalone, 'rp-server.mjs'))) fail('no runtime build: run npm run build');

const stage = path.join(outDir, 'stage', name);
fs.rmSync(path.join(outDir, 'stage'), { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
fs.cpSync(standalone, path.join(stage, 'app'), { recursive: true });
fs.cpSync(path.join(root, 'deploy', 'kubernetes'), path.join(stage, 'kubernetes'), {
  recursive: true,
  filter: (source) => !source.endsWith('.test.ts'),
});
fs.writeFileSync(path.join(stage, 'INSTALL.md'), installGuide());

// Reproducible: fixed order, owner and timestamps; gzip without a name or time.
const epoch = process.env.SOURCE_DATE_EPOCH ?? String(Math.floor(Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim()) || 0));
const tarball = path.join(outDir, `${name}.tar.gz`);
const tar = execFileSync('tar', ['--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', path.join(outDir, 'stage'), '-cf', '-', name], { maxBuffer: 1 << 30 });
fs.writeFileSync(tarball, execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 1 << 30 }));
fs.rmSync(path.join(outDir, 'stage'), { recursive: true, force: true });

const bytes = fs.readFileSync(tarball);
const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
fs.writeFileSync(`${tarball}.sha256`, `${sha256}  ${path.basename(tarball)}\n`);
const signature = crypto.sign(null, bytes, signingKey);
fs.writeFileSync(`${tarball}.sig`, signature);
const publicKeyPem = crypto.createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString();
fs.writeFileSync(path.join(outDir, 'release-signing-key.pub.pem'), publicKeyPem);
const manifest = {
  product: 'release-passport-runtime',
  version,
  platform: `${process.platform}-${process.arch}`,
  publicKey: publicKeyPem,
  publicKeyFingerprint: crypto.createHash('sha256').update(crypto.createPublicKey(signingKey).export({ type: 'spki', format: 'der' })).digest('hex'),
  artifacts: [
    {
      file: path.basename(tarball),
      size: bytes.length,
      sha256,
      signatureFile: `${path.basename(tarball)}.sig`,
      signature: signature.toString('base64'),
      checksumFile: `${path.basename(tarball)}.sha256`,
    },
  ],
};
fs.writeFileSync(path.join(outDir, 'release-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`packaged ${path.relative(root, tarball)} (${(bytes.length / 1e6).toFixed(1)} MB)\n  sha256 ${sha256}`);

function loadSigningKey(reference) {
  if (!reference) fail('RP_RELEASE_SIGNING_KEY is not set: give a reference to the release key (env:NAME or file:/path, PKCS#8 PEM).');
  let pem;
  if (reference.startsWith('env:')) pem = process.env[reference.slice(4)];
  else if (reference.startsWith('file:')) pem = fs.existsSync(reference.slice(5)) ? fs.readFileSync(reference.slice(5), 'utf8') : undefined;
  else fail('RP_RELEASE_SIGNING_KEY must be a reference (env:NAME or file:/path), not the key itself.');
  if (!pem) fail(`the release key reference ${reference} resolves to nothing.`);
  const key = crypto.createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') fail(`the release key must be Ed25519, got ${key.asymmetricKeyType}.`);
  return key;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function installGuide() {
  return `# Release Passport runtime ${version}

Verify before you install (the public key is on the download page):

    sha256sum -c ${name}.tar.gz.sha256
    openssl pkeyutl -verify -pubin -inkey release-signing-key.pub.pem -rawin \\
      -in ${name}.tar.gz -sigfile ${name}.tar.gz.sig

One machine (embedded database, binds 127.0.0.1; put a TLS reverse proxy in front):

    cd app && node rp-server.mjs

With Postgres: set DATABASE_URL (and REDIS_URL for shared rate limits), run \`node rp.mjs migrate\`,
then \`RP_WORKERS=auto node rp-server.mjs\` and \`node rp.mjs worker\`.

Kubernetes: \`kubectl apply -k kubernetes/overlays/production\` after editing the overlay
(image, host, the addresses of Postgres, Redis, storage and the OIDC issuer) and creating the
Secret release-passport-secrets (DATABASE_URL, AUTH_SECRET, REDIS_URL, RP_SECRETS_KEY).
`;
}
