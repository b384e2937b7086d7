#!/usr/bin/env node
// `npm run package`: the customer runtime release. Builds the runtime target and writes three
// reproducible, signed artifacts and the manifest the public site lists (lib/portal/releases.ts):
//   release-passport-runtime-<v>-<platform>.tar.gz    public (the trial installer): the standalone
//                                                      server and the bundled `rp` CLI
//   release-passport-packages-<v>.tar.gz              entitlement "packages" (Team and up): the
//                                                      container build and the Kubernetes manifests
//   release-passport-airgapped-<v>-<platform>.tar.gz  entitlement "air-gapped-bundle" (Business):
//                                                      both of the above with their checksums,
//                                                      signatures and the public key, in one archive
// Each gets a sha256 checksum file and an Ed25519 signature made with the vendor's release key. The
// key comes from a secret reference in RP_RELEASE_SIGNING_KEY (`env:NAME` or `file:/path` to a
// PKCS#8 PEM); it is never written here.
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

const platform = `${process.platform}-${process.arch}`;
const stageRoot = path.join(outDir, 'stage');
// Reproducible: fixed order, owner and timestamps; gzip without a name or time.
const epoch = process.env.SOURCE_DATE_EPOCH ?? String(Math.floor(Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim()) || 0));
fs.rmSync(stageRoot, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

/** Stages a directory with `fill`, packs it as <top>.tar.gz in outDir, checksums and signs it. */
function artifact(top, fill, details) {
  const stage = path.join(stageRoot, top);
  fs.mkdirSync(stage, { recursive: true });
  fill(stage);
  const file = path.join(outDir, `${top}.tar.gz`);
  const tar = execFileSync('tar', ['--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', stageRoot, '-cf', '-', top], { maxBuffer: 1 << 30 });
  fs.writeFileSync(file, execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 1 << 30 }));
  const bytes = fs.readFileSync(file);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`);
  const signature = crypto.sign(null, bytes, signingKey);
  fs.writeFileSync(`${file}.sig`, signature);
  console.log(`packaged ${path.relative(root, file)} (${(bytes.length / 1e6).toFixed(1)} MB${details.entitlement ? `, needs ${details.entitlement}` : ', public'})\n  sha256 ${sha256}`);
  return {
    file: path.basename(file),
    size: bytes.length,
    sha256,
    signatureFile: `${path.basename(file)}.sig`,
    signature: signature.toString('base64'),
    checksumFile: `${path.basename(file)}.sha256`,
    ...details,
  };
}

const publicKeyPem = crypto.createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString();
fs.writeFileSync(path.join(outDir, 'release-signing-key.pub.pem'), publicKeyPem);

const runtime = artifact(
  name,
  (stage) => {
    fs.cpSync(standalone, path.join(stage, 'app'), { recursive: true });
    fs.writeFileSync(path.join(stage, 'INSTALL.md'), installGuide());
  },
  { title: 'Runtime (trial installer)', platform, entitlement: null },
);
const packagesName = `release-passport-packages-${version}`;
const packages = artifact(
  packagesName,
  (stage) => {
    fs.cpSync(path.join(root, 'deploy', 'kubernetes'), path.join(stage, 'kubernetes'), { recursive: true, filter: (source) => !source.endsWith('.test.ts') });
    fs.mkdirSync(path.join(stage, 'docker'));
    fs.writeFileSync(path.join(stage, 'docker', 'Dockerfile'), customerDockerfile());
    fs.writeFileSync(path.join(stage, 'PACKAGES.md'), packagesGuide());
  },
  { title: 'Runtime packages: container build and Kubernetes manifests', platform: 'any', entitlement: 'packages' },
);
const airgapped = artifact(
  `release-passport-airgapped-${version}-${platform}`,
  (stage) => {
    for (const built of [runtime, packages]) {
      for (const file of [built.file, built.checksumFile, built.signatureFile]) fs.copyFileSync(path.join(outDir, file), path.join(stage, file));
    }
    fs.writeFileSync(path.join(stage, 'release-signing-key.pub.pem'), publicKeyPem);
    fs.writeFileSync(path.join(stage, 'AIR-GAPPED.md'), airgappedGuide(runtime, packages));
  },
  { title: 'Air-gapped bundle: runtime, packages, checksums and signatures in one archive', platform, entitlement: 'air-gapped-bundle' },
);
fs.rmSync(stageRoot, { recursive: true, force: true });

const manifest = {
  product: 'release-passport-runtime',
  version,
  platform,
  publicKey: publicKeyPem,
  publicKeyFingerprint: crypto.createHash('sha256').update(crypto.createPublicKey(signingKey).export({ type: 'spki', format: 'der' })).digest('hex'),
  artifacts: [runtime, packages, airgapped],
};
fs.writeFileSync(path.join(outDir, 'release-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

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

The container build and the Kubernetes manifests come with the Team and Business plans
(release-passport-packages-${version}.tar.gz, from the customer portal).
`;
}

/**
 * The image's final stage from deploy/docker/runtime.Dockerfile (one source of truth), copying the
 * unpacked runtime tarball's app/ instead of a build from source, which customers do not have.
 */
function customerDockerfile() {
  const source = fs.readFileSync(path.join(root, 'deploy', 'docker', 'runtime.Dockerfile'), 'utf8');
  const stageStart = source.search(/^FROM node:\S+ AS image$/m);
  const copyFromBuild = 'COPY --from=build --chown=0:0 /src/.next-runtime/standalone/ /app/';
  if (stageStart < 0 || !source.includes(copyFromBuild)) fail('deploy/docker/runtime.Dockerfile changed shape: update customerDockerfile() in scripts/package.mjs.');
  return `# syntax=docker/dockerfile:1.7
# Release Passport runtime ${version}: build from the directory where the runtime tarball is unpacked
# (it holds app/):  docker build -f /path/to/docker/Dockerfile -t release-passport:${version} .
${source.slice(stageStart).replace(' AS image', '').replace(copyFromBuild, 'COPY --chown=0:0 app/ /app/')}`;
}

function packagesGuide() {
  return `# Release Passport runtime packages ${version}

Build the container in the unpacked runtime tarball (release-passport-runtime-${version}-<platform>.tar.gz,
the directory holding app/):

    docker build -f <this folder>/docker/Dockerfile -t registry.example.com/release-passport:${version} .

Kubernetes: \`kubectl apply -k kubernetes/overlays/production\` after editing the overlay
(image, host, the addresses of Postgres, Redis, storage and the OIDC issuer) and creating the
Secret release-passport-secrets (DATABASE_URL, AUTH_SECRET, REDIS_URL, RP_SECRETS_KEY).
`;
}

function airgappedGuide(...artifacts) {
  return `# Release Passport air-gapped bundle ${version}

Everything to install without network access. Verify each archive before you carry it in:

${artifacts.map((item) => `    sha256sum -c ${item.checksumFile}\n    openssl pkeyutl -verify -pubin -inkey release-signing-key.pub.pem -rawin -in ${item.file} -sigfile ${item.signatureFile}`).join('\n')}

Then follow INSTALL.md in the runtime archive and PACKAGES.md in the packages archive.
`;
}
