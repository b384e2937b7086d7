/**
 * Writes a release folder exactly as `npm run package` does (scripts/package.mjs: the artifact,
 * `.sha256`, `.sig`, the public key and release-manifest.json), for tests that cannot afford a
 * runtime build; `entitlement` and `title` are the optional fields the site reads.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE, PUBLIC_KEY_FILE, type ReleaseManifest } from './releases';

export function writeReleaseFixture(input: {
  dir: string;
  version: string;
  signingKeyPem: string;
  artifacts: Array<{ file: string; bytes: string | Buffer; title?: string; entitlement?: 'packages' | 'air-gapped-bundle' | null }>;
}): ReleaseManifest {
  const key = crypto.createPrivateKey(input.signingKeyPem);
  const publicKey = crypto.createPublicKey(key);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  fs.mkdirSync(input.dir, { recursive: true });
  fs.writeFileSync(path.join(input.dir, PUBLIC_KEY_FILE), publicKeyPem);
  const artifacts = input.artifacts.map((artifact) => {
    const bytes = Buffer.from(artifact.bytes);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const signature = crypto.sign(null, bytes, key);
    fs.writeFileSync(path.join(input.dir, artifact.file), bytes);
    fs.writeFileSync(path.join(input.dir, `${artifact.file}.sha256`), `${sha256}  ${artifact.file}\n`);
    fs.writeFileSync(path.join(input.dir, `${artifact.file}.sig`), signature);
    return {
      file: artifact.file,
      size: bytes.length,
      sha256,
      signatureFile: `${artifact.file}.sig`,
      signature: signature.toString('base64'),
      checksumFile: `${artifact.file}.sha256`,
      ...(artifact.title && { title: artifact.title }),
      ...(artifact.entitlement !== undefined && { entitlement: artifact.entitlement }),
    };
  });
  const manifest: ReleaseManifest = {
    product: 'release-passport-runtime',
    version: input.version,
    platform: 'linux-x64',
    publicKey: publicKeyPem,
    publicKeyFingerprint: crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex'),
    artifacts,
  };
  fs.writeFileSync(path.join(input.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
