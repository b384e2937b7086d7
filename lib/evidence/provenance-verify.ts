/**
 * Signature verification of provenance, at ingest, on the bytes CI sent (the sanitizer may change
 * what is stored; signatures cover what was signed). Nothing here is hand-written cryptography:
 * Sigstore bundles are verified by @sigstore/verify (the signature, the certificate's chain to a
 * Fulcio CA of the trusted root, the transparency-log entry's inclusion proof or signed entry
 * timestamp, the SCT), offline against a Sigstore trusted root; DSSE envelopes signed with a public
 * key are checked with Node's crypto over the envelope's PAE (@sigstore/core).
 *
 * The result records facts, not trust: which identity a Fulcio certificate names, which of the
 * workspace's keys verified a signature. Which identities and keys count is the policy's to say
 * (the provenance-subject rule), at evaluation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial, type VerifierOptions } from '@sigstore/verify';
import { settings } from '@/lib/config/settings';
import { PUBLIC_GOOD_TRUSTED_ROOT } from './sigstore/public-good-trusted-root';
import type { ParsedPublicKey } from './provenance-keys';

export interface TransparencyLogEntryRecord {
  logIndex: string;
  /** Unix seconds the log integrated the entry, as the log signed it. */
  integratedTime: string | null;
  /** How inclusion was proven: a Merkle inclusion proof with a signed checkpoint, or the log's signed promise (SET). */
  inclusion: 'proof' | 'promise';
}

export interface ProvenanceVerification {
  /** How the document is signed: a Sigstore bundle, or a bare DSSE envelope checked with public keys. */
  method: 'sigstore-bundle' | 'dsse-public-key';
  /** verified: the signature holds (the rule still decides whether the signer is trusted). */
  status: 'verified' | 'failed';
  /** Why verification failed (null when verified). */
  reason: string | null;
  /** The Fulcio certificate's identity (keyless Sigstore bundles). */
  identity: { issuer: string | null; subjectAlternativeName: string | null } | null;
  tlog: TransparencyLogEntryRecord[];
  /**
   * sha256 of the Sigstore trusted root the bundle verified against (of the first one tried when
   * none did), as compact JSON (JSON.stringify of the parsed root).
   */
  trustedRoot: string | null;
  /** Fingerprints of the workspace's keys that verified a signature. */
  keys: string[];
  /** How many of the workspace's keys were tried (public-key signatures). */
  keysTried: number;
}

export interface TrustedKeyMaterial {
  fingerprint: string;
  key: ParsedPublicKey['key'];
}

interface LoadedRoot {
  sha256: string;
  root: TrustedRoot;
  material: TrustMaterial;
  /**
   * What a bundle must carry to verify against this root: a transparency-log entry and an SCT when
   * the root has such logs (public-good), else a timestamp from its TSA (GitHub's own instance
   * has neither log). Always at least one timestamp.
   */
  options: VerifierOptions;
}

/** Parsed once per version of the file: a root replaced on disk (a newer public-good one) is used from the next verification. */
let cachedRoots: { key: string; loaded: LoadedRoot[] } | null = null;

/**
 * The Sigstore trusted roots: RP_SIGSTORE_TRUSTED_ROOT_FILE when set (a private Sigstore, a newer
 * public-good root fetched with TUF, or both public-good and GitHub's own Sigstore as
 * `gh attestation trusted-root` writes them, one per line), else the public-good root shipped in
 * the repository.
 */
export function sigstoreTrustedRoots(): LoadedRoot[] {
  const file = settings().sigstore.trustedRootFile;
  const stat = file ? fs.statSync(file) : null;
  const key = file && stat ? `${file}\u0000${stat.mtimeMs}\u0000${stat.size}` : '';
  if (cachedRoots && cachedRoots.key === key) return cachedRoots.loaded;
  const loaded = file ? trustedRootsFrom(fs.readFileSync(file)) : [trustedRootFrom(Buffer.from(JSON.stringify(PUBLIC_GOOD_TRUSTED_ROOT)))];
  cachedRoots = { key, loaded };
  return loaded;
}

/** A trusted_root.json, or JSON Lines of them (`gh attestation trusted-root > trusted_root.jsonl`). */
export function trustedRootsFrom(bytes: Buffer): LoadedRoot[] {
  const text = bytes.toString('utf8');
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    const lines = text.split('\n').map((line, index) => ({ line: line.trim(), number: index + 1 })).filter((item) => item.line);
    if (lines.length < 2) throw new Error('it is neither a trusted_root.json nor JSON Lines of them');
    return lines.map(({ line, number }) => {
      try {
        return trustedRootFrom(Buffer.from(line));
      } catch (error) {
        throw new Error(`line ${number}: ${(error as Error).message}`, { cause: error });
      }
    });
  }
  return [trustedRootFromJson(whole)];
}

/** Parses a trusted_root.json (application/vnd.dev.sigstore.trustedroot+json). */
export function trustedRootFrom(bytes: Buffer): LoadedRoot {
  return trustedRootFromJson(JSON.parse(bytes.toString('utf8')) as unknown);
}

function trustedRootFromJson(json: unknown): LoadedRoot {
  const root = TrustedRoot.fromJSON(json);
  if (root.certificateAuthorities.length === 0) throw new Error('the Sigstore trusted root names no certificate authority');
  if (root.tlogs.length === 0 && root.timestampAuthorities.length === 0) {
    throw new Error('the Sigstore trusted root names no transparency log and no timestamp authority: nothing could prove when a certificate was used');
  }
  const options: VerifierOptions = { tlogThreshold: root.tlogs.length > 0 ? 1 : 0, ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0, timestampThreshold: 1 };
  // Digested as compact JSON, so the shipped root (bundled as a JSON module) and a file name one digest.
  return { sha256: crypto.createHash('sha256').update(JSON.stringify(json)).digest('hex'), root, material: toTrustMaterial(root), options };
}

/** Verifies the document's signatures; `payload` is the envelope payload the summary was read from. */
export function verifyProvenance(
  document: Buffer,
  payload: string,
  options: { keys: readonly TrustedKeyMaterial[]; trustedRoots?: readonly LoadedRoot[] },
): ProvenanceVerification {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(document.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return failed('dsse-public-key', `the document is not one JSON value: ${(error as Error).message}`, options.keys.length);
  }
  if (json && typeof json === 'object' && 'dsseEnvelope' in json) return verifyBundle(json, payload, options);
  return verifyEnvelope(json, payload, options.keys);
}

function failed(method: ProvenanceVerification['method'], reason: string, keysTried = 0, extra: Partial<ProvenanceVerification> = {}): ProvenanceVerification {
  return { method, status: 'failed', reason, identity: null, tlog: [], trustedRoot: null, keys: [], keysTried, ...extra };
}

function verifyBundle(json: Record<string, unknown>, payload: string, options: { keys: readonly TrustedKeyMaterial[]; trustedRoots?: readonly LoadedRoot[] }): ProvenanceVerification {
  let roots: readonly LoadedRoot[];
  try {
    roots = options.trustedRoots ?? sigstoreTrustedRoots();
  } catch (error) {
    return failed('sigstore-bundle', `the Sigstore trusted root cannot be read (RP_SIGSTORE_TRUSTED_ROOT_FILE): ${(error as Error).message}`);
  }
  const root = roots[0]!;
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return failed('sigstore-bundle', `not a valid Sigstore bundle: ${(error as Error).message}`, 0, { trustedRoot: root.sha256 });
  }
  if (bundle.content.$case !== 'dsseEnvelope') {
    return failed('sigstore-bundle', 'a message-signature bundle signs a file, not an attestation; upload the DSSE attestation bundle', 0, { trustedRoot: root.sha256 });
  }
  // The summary was read from the same bytes by another parser: both must have seen one payload.
  if (bundle.content.dsseEnvelope.payload.toString('base64') !== Buffer.from(payload, 'base64').toString('base64')) {
    return failed('sigstore-bundle', 'the bundle holds more than one payload; the one summarised is not the one signed', 0, { trustedRoot: root.sha256 });
  }
  const tlog = bundle.verificationMaterial.tlogEntries.map(
    (entry): TransparencyLogEntryRecord => ({
      logIndex: entry.logIndex,
      integratedTime: entry.integratedTime && entry.integratedTime !== '0' ? entry.integratedTime : null,
      inclusion: entry.inclusionProof ? 'proof' : 'promise',
    }),
  );
  const base = { trustedRoot: root.sha256, tlog };
  let entity: ReturnType<typeof toSignedEntity>;
  try {
    entity = toSignedEntity(bundle);
  } catch (error) {
    return failed('sigstore-bundle', verificationError(error), 0, base);
  }
  if (bundle.verificationMaterial.content.$case === 'publicKey') {
    // A bundle signed with a key (cosign --key with the bundle format): the key is one of ours or nothing.
    for (const candidateRoot of roots) {
      const verified = options.keys.filter((candidate) => {
        try {
          new Verifier(toTrustMaterial(candidateRoot.root, () => ({ publicKey: candidate.key, validFor: () => true })), candidateRoot.options).verify(entity);
          return true;
        } catch {
          return false;
        }
      });
      if (verified.length > 0) {
        return { method: 'sigstore-bundle', status: 'verified', reason: null, identity: null, trustedRoot: candidateRoot.sha256, tlog, keys: verified.map((item) => item.fingerprint), keysTried: options.keys.length };
      }
    }
    return failed('sigstore-bundle', `signed with a public key that none of the workspace's ${options.keys.length} trusted keys verifies`, options.keys.length, base);
  }
  // Keyless: the first trusted root whose Fulcio CA, logs and timestamps verify the bundle.
  const failures: string[] = [];
  for (const candidateRoot of roots) {
    try {
      const signer = new Verifier(candidateRoot.material, candidateRoot.options).verify(entity);
      return {
        method: 'sigstore-bundle',
        status: 'verified',
        reason: null,
        identity: { issuer: signer.identity?.extensions?.issuer ?? null, subjectAlternativeName: signer.identity?.subjectAlternativeName ?? null },
        trustedRoot: candidateRoot.sha256,
        tlog,
        keys: [],
        keysTried: 0,
      };
    } catch (error) {
      failures.push(verificationError(error));
    }
  }
  const reason = roots.length === 1 ? failures[0]! : `verified by none of the ${roots.length} trusted roots (${failures.map((failure, index) => `root ${index + 1}: ${failure}`).join('; ')})`;
  return failed('sigstore-bundle', reason, 0, base);
}

function verificationError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return `${code ? `${code}: ` : ''}${(error as Error).message}`;
}

function verifyEnvelope(json: Record<string, unknown>, payload: string, keys: readonly TrustedKeyMaterial[]): ProvenanceVerification {
  const signatures = Array.isArray(json.signatures) ? (json.signatures as Array<Record<string, unknown>>) : [];
  if (typeof json.payload !== 'string' || json.payload !== payload || typeof json.payloadType !== 'string') {
    return failed('dsse-public-key', 'the envelope holds more than one payload; the one summarised is not the one signed', keys.length);
  }
  if (signatures.length === 0) return failed('dsse-public-key', 'the envelope has no signature', keys.length);
  if (keys.length === 0) {
    return failed('dsse-public-key', 'no public key is trusted in this workspace (a provenance-subject rule\'s trustedKeys) to check the signature with', 0);
  }
  const pae = dsse.preAuthEncoding(json.payloadType, Buffer.from(payload, 'base64'));
  const verified = new Set<string>();
  for (const signature of signatures) {
    if (typeof signature?.sig !== 'string') continue;
    const sig = Buffer.from(signature.sig, 'base64');
    for (const candidate of keys) {
      const algorithm = candidate.key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      try {
        if (crypto.verify(algorithm, pae, candidate.key, sig)) verified.add(candidate.fingerprint);
      } catch {
        // A malformed signature for this key type: not verified by it.
      }
    }
  }
  if (verified.size === 0) {
    return failed('dsse-public-key', `none of the envelope's ${signatures.length} signature${signatures.length === 1 ? '' : 's'} is verified by the workspace's ${keys.length} trusted key${keys.length === 1 ? '' : 's'}`, keys.length);
  }
  return { method: 'dsse-public-key', status: 'verified', reason: null, identity: null, tlog: [], trustedRoot: null, keys: [...verified].sort(), keysTried: keys.length };
}
