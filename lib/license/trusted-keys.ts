/**
 * The public keys a runtime trusts to sign licenses. Only public keys live here: the runtime can
 * verify a license offline but can never issue one (the private key exists only in the owner's
 * secret store, read by the public target).
 *
 * Rotation: a release ships the next key beside the current one; once every supported runtime
 * version knows it, the owner switches its signer to it; a later release drops the old key.
 */
import { settings } from '@/lib/config/settings';
import fs from 'node:fs';
import { calculateJwkThumbprint, importJWK, importSPKI, type CryptoKey, type JWK } from 'jose';
import { TEST_ISSUER, VENDOR_ISSUER } from './claims';

export interface TrustedKey {
  /** RFC 7638 thumbprint of the public key: the `kid` in a license's header. */
  kid: string;
  key: CryptoKey;
  /** The only issuer this key may sign for. */
  issuer: typeof VENDOR_ISSUER | typeof TEST_ISSUER;
  trust: 'vendor' | 'test-key';
}

/** The vendor's license keys (Ed25519, JWK). */
export const VENDOR_LICENSE_PUBLIC_KEYS: readonly JWK[] = [
  { kty: 'OKP', crv: 'Ed25519', x: 'T_lbIgDk1rV06yZUWbbDlzlUGvRoFFNI4OrgKm4NELE' },
];

/**
 * An extra trusted key for tests and staging, from RP_LICENSE_TEST_PUBLIC_KEY (PEM or JSON JWK)
 * or RP_LICENSE_TEST_PUBLIC_KEY_FILE. It is deliberately loud: a license it verifies carries the
 * test issuer, reports `trust: 'test-key'`, and the license settings page says so in a warning
 * banner. Anyone able to set the runtime's environment could also replace its code, so this adds
 * no power; what matters is that it can never be silent.
 */
export function testPublicKeySource(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const { testPublicKey, testPublicKeyFile } = settings(env).license;
  if (testPublicKey) return testPublicKey;
  if (testPublicKeyFile) return fs.readFileSync(testPublicKeyFile, 'utf8').trim();
  return null;
}

export async function publicKeyFromText(text: string): Promise<{ key: CryptoKey; kid: string }> {
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    return { key: (await importJWK(jwk, 'EdDSA')) as CryptoKey, kid: await thumbprintOf(jwk) };
  }
  const key = await importSPKI(text, 'EdDSA', { extractable: true });
  const { exportJWK } = await import('jose');
  return { key, kid: await thumbprintOf(await exportJWK(key)) };
}

export function thumbprintOf(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK, 'sha256');
}

let cached: { source: string | null; keys: Promise<TrustedKey[]> } | null = null;

/** Vendor keys plus the test key if one is configured. Re-read when the configuration changes. */
export function trustedLicenseKeys(env: Readonly<Record<string, string | undefined>> = process.env): Promise<TrustedKey[]> {
  const source = testPublicKeySource(env);
  if (!cached || cached.source !== source) {
    cached = { source, keys: loadKeys(source) };
  }
  return cached.keys;
}

async function loadKeys(testSource: string | null): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = await Promise.all(
    VENDOR_LICENSE_PUBLIC_KEYS.map(async (jwk) => ({
      kid: await thumbprintOf(jwk),
      key: (await importJWK(jwk, 'EdDSA')) as CryptoKey,
      issuer: VENDOR_ISSUER,
      trust: 'vendor' as const,
    })),
  );
  if (testSource) {
    const { key, kid } = await publicKeyFromText(testSource);
    // A test key equal to a vendor key would let test licenses claim nothing more; skip it.
    if (!keys.some((known) => known.kid === kid)) keys.push({ kid, key, issuer: TEST_ISSUER, trust: 'test-key' });
  }
  return keys;
}
