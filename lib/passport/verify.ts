/**
 * Offline passport verification: needs only the envelope and the workspace's public key(s). It
 * checks the DSSE signature, that the payload is a Release Passport statement in canonical form
 * (so its id, the sha256 of the payload, is meaningful), and reports the passport id and decision.
 */
import crypto from 'node:crypto';
import { canonicalJson, sha256Hex } from '@/lib/json/canonical';
import { IN_TOTO_PAYLOAD_TYPE, verifySignature, type DsseEnvelope } from './dsse';
import { keyIdOf } from './keys';
import { PASSPORT_PREDICATE_TYPE, type PassportStatement } from './statement';

export interface PublicKeyEntry {
  keyId: string;
  publicKeyPem: string;
  /** From the workspace's keys document; a PEM file or a JWK Set says nothing about it. */
  status?: 'active' | 'retired';
  retiredAt?: string | null;
}

/** What is known of the signing key's standing: from the keys document, or nothing (a PEM, a JWKS). */
export type KeyStanding = { status: 'active' } | { status: 'retired'; retiredAt: string } | { status: 'unknown' };

export type Verification =
  | { valid: true; passportId: string; keyId: string; key: KeyStanding; statement: PassportStatement }
  | { valid: false; reason: string; passportId?: string };

/** Public keys from a PEM text, a keys document ({ keys: [{ publicKeyPem }] }) or a JWK set. */
export function parsePublicKeys(text: string): PublicKeyEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const pems = trimmed.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
    return pems.map((pem) => ({ keyId: keyIdOf(pem), publicKeyPem: `${pem}\n` }));
  }
  const document = JSON.parse(trimmed) as { keys?: Array<{ publicKeyPem?: string; kty?: string; crv?: string; x?: string; status?: unknown; retiredAt?: unknown }> };
  const entries: PublicKeyEntry[] = [];
  for (const key of document.keys ?? []) {
    let pem = key.publicKeyPem;
    if (!pem && key.kty === 'OKP' && key.crv === 'Ed25519' && key.x) {
      pem = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    }
    if (!pem) continue;
    const status = key.status === 'active' || key.status === 'retired' ? key.status : undefined;
    entries.push({ keyId: keyIdOf(pem), publicKeyPem: pem, ...(status && { status }), ...(typeof key.retiredAt === 'string' && { retiredAt: key.retiredAt }) });
  }
  if (entries.length === 0) throw new Error('no Ed25519 public key found (expected a PEM public key or a keys document)');
  return entries;
}

/** Exactly the DSSE fields, nothing else: any change to the envelope file's content is noticed. */
function isEnvelope(value: unknown): value is DsseEnvelope {
  const candidate = value as DsseEnvelope;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return false;
  if (Object.keys(candidate).sort().join() !== 'payload,payloadType,signatures') return false;
  return (
    typeof candidate.payloadType === 'string' &&
    typeof candidate.payload === 'string' &&
    Array.isArray(candidate.signatures) &&
    candidate.signatures.length > 0 &&
    candidate.signatures.every(
      (signature) =>
        typeof signature === 'object' &&
        signature !== null &&
        typeof signature.sig === 'string' &&
        (signature.keyid === undefined || typeof signature.keyid === 'string') &&
        Object.keys(signature).every((key) => key === 'sig' || key === 'keyid'),
    )
  );
}

export function verifyPassport(envelope: unknown, keys: readonly PublicKeyEntry[]): Verification {
  if (!isEnvelope(envelope)) return { valid: false, reason: 'not a DSSE envelope (payloadType, payload, signatures)' };
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { valid: false, reason: `payloadType is "${envelope.payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}` };
  // Strict base64: lenient decoders ignore stray bits, and then two texts would carry one payload.
  const payload = Buffer.from(envelope.payload, 'base64');
  if (payload.toString('base64') !== envelope.payload) return { valid: false, reason: 'the payload is not canonical base64' };
  if (envelope.signatures.some((signature) => Buffer.from(signature.sig, 'base64').toString('base64') !== signature.sig)) {
    return { valid: false, passportId: sha256Hex(payload), reason: 'a signature is not canonical base64' };
  }
  const passportId = sha256Hex(payload);

  let signedBy: string | undefined;
  for (const signature of envelope.signatures) {
    const candidates = keys.filter((key) => !signature.keyid || key.keyId === signature.keyid);
    for (const key of candidates) {
      if (verifySignature(envelope, signature, crypto.createPublicKey(key.publicKeyPem))) {
        signedBy = key.keyId;
        break;
      }
    }
    if (signedBy) break;
  }
  if (!signedBy) {
    const named = envelope.signatures.map((signature) => signature.keyid).filter(Boolean);
    const known = new Set(keys.map((key) => key.keyId));
    return {
      valid: false,
      passportId,
      reason: named.some((keyId) => known.has(keyId))
        ? 'the signature does not match: the passport was altered after signing'
        : `no signature by the given key(s): the passport is signed by ${named.join(', ') || 'an unnamed key'}`,
    };
  }

  let statement: PassportStatement;
  try {
    statement = JSON.parse(payload.toString('utf8')) as PassportStatement;
  } catch {
    return { valid: false, passportId, reason: 'the signed payload is not JSON' };
  }
  if (statement.predicateType !== PASSPORT_PREDICATE_TYPE) {
    return { valid: false, passportId, reason: `the signed statement's predicateType is "${String(statement.predicateType)}", not a passport` };
  }
  if (canonicalJson(statement) !== payload.toString('utf8')) {
    return { valid: false, passportId, reason: 'the signed payload is not in canonical form (RFC 8785)' };
  }
  const key = keys.find((candidate) => candidate.keyId === signedBy)!;
  const standing: KeyStanding =
    key.status === 'retired' && key.retiredAt ? { status: 'retired', retiredAt: key.retiredAt } : key.status === 'active' ? { status: 'active' } : { status: 'unknown' };
  // A retired key signs nothing new: a passport it signed after it retired was not made by the
  // gate (or was made by one holding a key it should no longer use).
  const signedAt = statement.predicate?.decision?.evaluatedAt;
  if (standing.status === 'retired' && (typeof signedAt !== 'string' || Date.parse(signedAt) > Date.parse(standing.retiredAt))) {
    return { valid: false, passportId, reason: `signed at ${String(signedAt)} by key ${signedBy}, which was retired at ${standing.retiredAt}: a retired key signs nothing new` };
  }
  return { valid: true, passportId, keyId: signedBy, key: standing, statement };
}
