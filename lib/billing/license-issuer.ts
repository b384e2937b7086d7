/**
 * The owner's license signer (public target only; the owner-separation test proves it is absent
 * from the runtime build by its marker). Signs with the owner's Ed25519 private key from
 * RP_OWNER_LICENSE_KEY(_FILE); the runtime verifies offline with the public half (lib/license).
 */
import 'server-only';
import crypto from 'node:crypto';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { LICENSE_TYPE, TEST_ISSUER, VENDOR_ISSUER, type LicenseClaims } from '@/lib/license/claims';
import { thumbprintOf, VENDOR_LICENSE_PUBLIC_KEYS } from '@/lib/license/trusted-keys';
import { readOwnerSecret } from './secret-settings';

/** Found by e2e/build/owner-separation.test.ts: this string must never be in the runtime build. */
export const LICENSE_SIGNER_MARKER = 'release-passport-owner-license-signer';

export interface OwnerSigningKey {
  key: CryptoKey;
  kid: string;
  /** The vendor issuer for a vendor key; any other key can only sign test licenses. */
  issuer: LicenseClaims['iss'];
}

export class LicenseSigningUnavailableError extends Error {
  constructor(detail: string) {
    super(`${LICENSE_SIGNER_MARKER}: ${detail}`);
    this.name = 'LicenseSigningUnavailableError';
  }
}

export async function signingKeyFromPem(pem: string): Promise<OwnerSigningKey> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(pem, 'EdDSA', { extractable: true });
  } catch {
    throw new LicenseSigningUnavailableError('RP_OWNER_LICENSE_KEY is not an Ed25519 private key in PKCS#8 PEM.');
  }
  // The public half, derived from the private key, names the key and decides the issuer.
  const publicJwk = crypto.createPublicKey(crypto.createPrivateKey(pem)).export({ format: 'jwk' });
  const kid = await thumbprintOf(publicJwk as never);
  const vendorKids = await Promise.all(VENDOR_LICENSE_PUBLIC_KEYS.map(thumbprintOf));
  return { key, kid, issuer: vendorKids.includes(kid) ? VENDOR_ISSUER : TEST_ISSUER };
}

let cached: { pem: string; key: Promise<OwnerSigningKey> } | null = null;

/** The configured owner key; throws (and nothing is issued) when it is missing or unusable. */
export async function ownerSigningKey(): Promise<OwnerSigningKey> {
  const pem = await readOwnerSecret('license.signingKey');
  if (!pem) throw new LicenseSigningUnavailableError('RP_OWNER_LICENSE_KEY is not set, so no license can be issued.');
  if (cached?.pem !== pem) cached = { pem, key: signingKeyFromPem(pem) };
  return cached.key;
}

export interface LicenseToIssue {
  licenseId: string;
  customerId: string;
  licensee: { name: string; email: string };
  plan: string;
  seats: number;
  features: string[];
  issuedAt: Date;
  expiresAt: Date;
  /** The runtime installation it is for, or "portable" (any installation; the default). */
  installation?: string;
}

export async function signLicense(license: LicenseToIssue, signer: OwnerSigningKey): Promise<string> {
  const claims: Omit<LicenseClaims, 'iss' | 'sub' | 'jti' | 'iat' | 'exp'> = {
    licensee: license.licensee,
    plan: license.plan,
    seats: license.seats,
    features: [...license.features].sort(),
    installation: license.installation ?? 'portable',
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: LICENSE_TYPE, kid: signer.kid })
    .setIssuer(signer.issuer)
    .setSubject(license.customerId)
    .setJti(license.licenseId)
    .setIssuedAt(Math.floor(license.issuedAt.getTime() / 1000))
    .setNotBefore(Math.floor(license.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(license.expiresAt.getTime() / 1000))
    .sign(signer.key);
}
