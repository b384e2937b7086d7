/** Test fixtures for licenses: throwaway Ed25519 keys and a typical license to issue. */
import crypto from 'node:crypto';
import type { LicenseToIssue } from '@/lib/billing/license-issuer';
import { PRODUCTION_FEATURE } from './claims';

export function ed25519Pem(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Valid from 2026-01-01 to 2026-02-15. */
export const SAMPLE_LICENSE: LicenseToIssue = {
  licenseId: 'lic_0001',
  customerId: 'cus_local_1',
  licensee: { name: 'Acme', email: 'buyer@acme.test' },
  plan: 'team',
  seats: 10,
  features: [PRODUCTION_FEATURE, 'packages'],
  issuedAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2026-02-15T00:00:00Z'),
};
