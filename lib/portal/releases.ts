/**
 * The published release the download page and the portal offer. `npm run package`
 * (scripts/package.mjs) writes the artifacts and `release-manifest.json` into RP_PACKAGE_DIR; the
 * vendor copies that folder to RP_RELEASES_DIR (default `<RP_DATA_DIR>/public/releases`):
 *
 *   release-manifest.json         product, version, public key and its fingerprint, artifacts
 *   <artifact>                    e.g. release-passport-runtime-<v>-linux-x64.tar.gz
 *   <artifact>.sha256             `sha256sum` line
 *   <artifact>.sig                raw Ed25519 signature of the artifact's bytes
 *   release-signing-key.pub.pem   the release signing public key
 *
 * An artifact may say which entitlement it needs (`entitlement`); without one it is public (the
 * runtime tarball is the trial installer: unlicensed, it does everything but enforce on
 * production). The site checks what it offers: the key's fingerprint, and for each artifact its
 * size, digest, checksum file and signature. An artifact that fails is not offered.
 */
import { sha256HexSchema } from '@/lib/domain/primitives';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { settings } from '@/lib/config/settings';

export const ARTIFACT_ENTITLEMENTS = ['packages', 'air-gapped-bundle'] as const;
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a plain file name');

export const artifactSchema = z.object({
  file: fileName,
  size: z.number().int().nonnegative(),
  sha256: sha256HexSchema,
  signatureFile: fileName,
  /** base64 of the raw Ed25519 signature (the same bytes as signatureFile). */
  signature: z.string().min(1),
  checksumFile: fileName,
  title: z.string().min(1).optional(),
  platform: z.string().optional(),
  /** The entitlement a buyer needs; absent or null: public. */
  entitlement: z.enum(ARTIFACT_ENTITLEMENTS).nullable().optional(),
});

export const releaseManifestSchema = z.object({
  product: z.string().min(1),
  version: z.string().min(1),
  platform: z.string().optional(),
  publishedAt: z.iso.datetime().optional(),
  publicKey: z.string().includes('BEGIN PUBLIC KEY'),
  /** sha256 (hex) of the public key's SPKI DER encoding. */
  publicKeyFingerprint: sha256HexSchema,
  artifacts: z.array(artifactSchema).min(1),
});

export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;
export type ManifestArtifact = z.infer<typeof artifactSchema>;

export interface Artifact extends ManifestArtifact {
  title: string;
  platform: string;
  entitlement: (typeof ARTIFACT_ENTITLEMENTS)[number] | null;
}

export const MANIFEST_FILE = 'release-manifest.json';
export const PUBLIC_KEY_FILE = 'release-signing-key.pub.pem';

export interface PublishedRelease {
  manifest: ReleaseManifest;
  /** Artifacts that passed every check, in manifest order. */
  artifacts: Artifact[];
  /** What did not pass, said plainly (shown to vendor staff). */
  problems: string[];
  /** The key fingerprint in groups of four, for reading aloud. */
  keyFingerprint: string;
  /** Every file the site may serve: the artifacts, their checksum and signature files, the key. */
  servable: Set<string>;
}

export type ReleaseLookup = { published: true; release: PublishedRelease } | { published: false; reason: string };

/** Read at run time from the operator's folder (RP_RELEASES_DIR), never part of the build's traced files. */
export function releasesDir(): string {
  return settings().portal.releasesDir;
}

let cache: { key: string; lookup: ReleaseLookup } | null = null;

/** The current release, checked again whenever the manifest changes on disk. */
export function currentRelease(dir = releasesDir()): ReleaseLookup {
  let key: string;
  try {
    const stat = fs.statSync(path.join(dir, MANIFEST_FILE));
    key = `${dir}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return { published: false, reason: 'No release has been published to this site yet.' };
  }
  if (cache?.key !== key) cache = { key, lookup: loadRelease(dir) };
  return cache.lookup;
}

function loadRelease(dir: string): ReleaseLookup {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return { published: false, reason: 'The release manifest is not JSON.' };
  }
  const parsed = releaseManifestSchema.safeParse(json);
  if (!parsed.success) return { published: false, reason: `The release manifest is not valid: ${parsed.error.issues[0]?.message ?? 'unknown error'}.` };
  const manifest = parsed.data;
  let publicKey: crypto.KeyObject;
  try {
    publicKey = crypto.createPublicKey(manifest.publicKey);
  } catch {
    return { published: false, reason: 'The release manifest holds no usable public key.' };
  }
  const fingerprint = crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  if (publicKey.asymmetricKeyType !== 'ed25519' || fingerprint !== manifest.publicKeyFingerprint) {
    return { published: false, reason: 'The release key does not match its fingerprint: nothing is offered.' };
  }
  const problems: string[] = [];
  const servable = new Set<string>();
  if (fs.existsSync(path.join(dir, PUBLIC_KEY_FILE))) servable.add(PUBLIC_KEY_FILE);
  const artifacts: Artifact[] = [];
  for (const entry of manifest.artifacts) {
    const problem = artifactProblem(dir, entry, publicKey);
    if (problem) {
      problems.push(`${entry.file}: ${problem}`);
      continue;
    }
    const platform = entry.platform ?? manifest.platform ?? 'any';
    artifacts.push({
      ...entry,
      platform,
      entitlement: entry.entitlement ?? null,
      title: entry.title ?? `Release Passport runtime ${manifest.version} (${platform})`,
    });
    for (const file of [entry.file, entry.checksumFile, entry.signatureFile]) servable.add(file);
  }
  return { published: true, release: { manifest, artifacts, problems, keyFingerprint: fingerprint.match(/.{4}/g)!.join(' '), servable } };
}

function artifactProblem(dir: string, artifact: ManifestArtifact, publicKey: crypto.KeyObject): string | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, artifact.file));
  } catch {
    return 'the file is missing';
  }
  if (bytes.length !== artifact.size) return `the file has ${bytes.length} bytes, the manifest says ${artifact.size}`;
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== artifact.sha256) return 'its sha256 differs from the manifest';
  const checksum = readOptional(path.join(dir, artifact.checksumFile))?.toString('utf8').trim();
  if (checksum !== `${artifact.sha256}  ${artifact.file}`) return `${artifact.checksumFile} does not state the manifest's digest`;
  const signature = Buffer.from(artifact.signature, 'base64');
  if (!readOptional(path.join(dir, artifact.signatureFile))?.equals(signature)) return `${artifact.signatureFile} differs from the manifest's signature`;
  if (!crypto.verify(null, bytes, publicKey, signature)) return 'the signature does not verify with the release key';
  return null;
}

function readOptional(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

/** The path of a file the current release lets the site serve, or null. */
export function servableFile(release: PublishedRelease, name: string, dir = releasesDir()): string | null {
  if (!fileName.safeParse(name).success || !release.servable.has(name)) return null;
  return path.join(dir, name);
}
