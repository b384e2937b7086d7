/**
 * Public keys trusted to sign provenance, as a policy names them (PEM or JWK text): parsed with
 * Node's own key import, limited to what cosign and in-toto signers make (ECDSA P-256, Ed25519),
 * and named by a fingerprint: the sha256 of the key's SubjectPublicKeyInfo (DER), which is the
 * same whichever of the two encodings the policy used.
 */
import crypto from 'node:crypto';

export interface ParsedPublicKey {
  key: crypto.KeyObject;
  /** "sha256:" + hex of the SPKI DER. */
  fingerprint: string;
  algorithm: 'ecdsa-p256' | 'ed25519';
}

/**
 * Keys already read, by their text. A policy's keys are read each time the policy is checked and
 * each time a provenance rule is evaluated: importing a key (createPublicKey, export) was about 5%
 * of a gate evaluation's CPU. Bounded; key objects are immutable, so sharing them is safe.
 */
const parsedKeys = new Map<string, ParsedPublicKey | { error: string }>();
const MAX_PARSED_KEYS = 256;

/** The key in `text` (a PEM "PUBLIC KEY" block or a JWK object as JSON), or why it cannot be used. */
export function parsePublicKey(text: string): ParsedPublicKey | { error: string } {
  let parsed = parsedKeys.get(text);
  if (!parsed) {
    parsed = readPublicKey(text);
    if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
    parsedKeys.set(text, parsed);
  }
  return parsed;
}

function readPublicKey(text: string): ParsedPublicKey | { error: string } {
  const trimmed = text.trim();
  let key: crypto.KeyObject;
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as crypto.JsonWebKey;
      if ('d' in jwk) return { error: 'this JWK holds a private key ("d"); give the public key only' };
      key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    } else if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) {
      key = crypto.createPublicKey({ key: trimmed, format: 'pem' });
    } else {
      return { error: 'a public key is a PEM block starting "-----BEGIN PUBLIC KEY-----" (as "cosign generate-key-pair" writes cosign.pub) or a JWK as JSON' };
    }
  } catch (error) {
    return { error: `the key cannot be read: ${(error as Error).message}` };
  }
  if (key.type !== 'public') return { error: 'this is not a public key' };
  let algorithm: ParsedPublicKey['algorithm'];
  if (key.asymmetricKeyType === 'ed25519') algorithm = 'ed25519';
  else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') algorithm = 'ecdsa-p256';
  else {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return { error: `keys are ECDSA P-256 (as cosign makes) or Ed25519; this one is ${key.asymmetricKeyType}${curve ? ` ${curve}` : ''}` };
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return { key, algorithm, fingerprint: `sha256:${crypto.createHash('sha256').update(der).digest('hex')}` };
}

/** A short form of a fingerprint for messages: "sha256:0123abcd…". */
export function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 'sha256:'.length + 16)}…`;
}
