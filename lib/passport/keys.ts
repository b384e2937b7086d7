/**
 * Workspace signing keys: Ed25519 (node:crypto). A key's id is its RFC 7638 JWK thumbprint, so
 * anyone holding the public key can compute the id that passports name in their signatures.
 */
import crypto from 'node:crypto';

export interface GeneratedKey {
  keyId: string;
  publicKeyPem: string;
  /** PKCS#8 PEM: hand it to the secret store at once; never store or log it anywhere else. */
  privateKeyPem: string;
}

export function generateSigningKey(): GeneratedKey {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** RFC 7638 thumbprint (base64url sha256 of {"crv","kty","x"} in that order) of an Ed25519 public key. */
export function keyIdOf(publicKey: crypto.KeyObject | string): string {
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('not an Ed25519 public key');
  return crypto.createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
}

export function publicJwk(publicKeyPem: string): { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' } {
  const key = crypto.createPublicKey(publicKeyPem);
  const jwk = key.export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, kid: keyIdOf(key), alg: 'EdDSA', use: 'sig' };
}

export function privateKeyFromPem(pem: string): crypto.KeyObject {
  const key = crypto.createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 private key');
  return key;
}
