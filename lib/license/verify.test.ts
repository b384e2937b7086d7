import fc from 'fast-check';
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signingKeyFromPem, signLicense, type OwnerSigningKey } from '@/lib/billing/license-issuer';
import { LICENSE_TYPE, PRODUCTION_FEATURE, TEST_ISSUER, VENDOR_ISSUER } from './claims';
import { ed25519Pem, SAMPLE_LICENSE } from './testing';
import { publicKeyFromText, trustedLicenseKeys, type TrustedKey } from './trusted-keys';
import { verifyLicense } from './verify';

const license = SAMPLE_LICENSE;
const issuedAt = license.issuedAt;
const during = new Date('2026-01-20T00:00:00Z');

describe('offline license verification', () => {
  const owner = ed25519Pem();
  let signer: OwnerSigningKey;

  beforeEach(async () => {
    vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', owner.publicPem);
    signer = await signingKeyFromPem(owner.privatePem);
  });
  afterEach(() => {
    vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', undefined);
  });

  it('accepts a license issued by the owner signer, and reports that a test key vouched for it', async () => {
    const token = await signLicense(license, signer);
    const result = await verifyLicense(token, { now: during });
    expect(result).toMatchObject({ valid: true, trust: 'test-key', kid: signer.kid });
    if (!result.valid) throw new Error('unreachable');
    expect(result.claims).toMatchObject({ iss: TEST_ISSUER, sub: 'cus_local_1', plan: 'team', seats: 10, jti: 'lic_0001' });
    expect(result.claims.features).toContain(PRODUCTION_FEATURE);
  });

  it('gives a key outside the vendor list only the test issuer', () => {
    expect(signer.issuer).toBe(TEST_ISSUER);
  });

  it('refuses a license whose payload was altered', async () => {
    const token = await signLicense(license, signer);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.seats = 1000;
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expect(await verifyLicense(forged, { now: during })).toMatchObject({ valid: false, reason: 'bad-signature' });
  });

  it('never yields other claims, whatever single character is changed', async () => {
    const token = await signLicense(license, signer);
    const original = await verifyLicense(token, { now: during });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (position, character) => {
        fc.pre(token[position] !== character);
        const mutated = token.slice(0, position) + character + token.slice(position + 1);
        const result = await verifyLicense(mutated, { now: during });
        // base64url's last character carries padding bits: a change there may decode to the same bytes.
        if (result.valid) expect(result).toEqual(original);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an expired license but still says what it was', async () => {
    const token = await signLicense(license, signer);
    const result = await verifyLicense(token, { now: new Date('2026-03-01T00:00:00Z') });
    expect(result).toMatchObject({ valid: false, reason: 'expired', claims: { plan: 'team' } });
  });

  it('refuses a license that is not valid yet', async () => {
    const token = await signLicense(license, signer);
    expect(await verifyLicense(token, { now: new Date('2025-12-01T00:00:00Z') })).toMatchObject({ valid: false, reason: 'not-yet-valid' });
  });

  it('refuses a license signed by a key the runtime does not trust', async () => {
    const stranger = await signingKeyFromPem(ed25519Pem().privatePem);
    const token = await signLicense(license, stranger);
    expect(await verifyLicense(token, { now: during })).toMatchObject({ valid: false, reason: 'unknown-key' });
  });

  it('refuses a license signed by another key that borrows a trusted key id', async () => {
    const stranger = await signingKeyFromPem(ed25519Pem().privatePem);
    const token = await signLicense(license, { ...stranger, kid: signer.kid });
    expect(await verifyLicense(token, { now: during })).toMatchObject({ valid: false, reason: 'bad-signature' });
  });

  it('refuses a test-key license that claims the vendor as its issuer', async () => {
    const token = await signLicense(license, { ...signer, issuer: VENDOR_ISSUER });
    expect(await verifyLicense(token, { now: during })).toMatchObject({ valid: false, reason: 'wrong-issuer' });
  });

  it('trusts the test key only while it is configured', async () => {
    const token = await signLicense(license, signer);
    vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', undefined);
    expect(await verifyLicense(token, { now: during })).toMatchObject({ valid: false, reason: 'unknown-key' });
    expect((await trustedLicenseKeys()).map((key) => key.trust)).toEqual(['vendor']);
  });

  it('accepts a vendor-key license with the vendor issuer and reports vendor trust', async () => {
    const vendor = ed25519Pem();
    const { key, kid } = await publicKeyFromText(vendor.publicPem);
    const keys: TrustedKey[] = [{ kid, key, issuer: VENDOR_ISSUER, trust: 'vendor' }];
    const privateKey = (await importPKCS8(vendor.privatePem, 'EdDSA')) as CryptoKey;
    const token = await signLicense(license, { key: privateKey, kid, issuer: VENDOR_ISSUER });
    expect(await verifyLicense(token, { now: during, keys })).toMatchObject({ valid: true, trust: 'vendor' });
    const asTest = await signLicense(license, { key: privateKey, kid, issuer: TEST_ISSUER });
    expect(await verifyLicense(asTest, { now: during, keys })).toMatchObject({ valid: false, reason: 'wrong-issuer' });
  });

  it('refuses unsigned, HMAC-signed and non-license tokens', async () => {
    const header = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = header({ iss: TEST_ISSUER, sub: 'x', jti: 'y', iat: 1, exp: 9_999_999_999, plan: 'team', seats: 1, features: [PRODUCTION_FEATURE], licensee: { name: '', email: '' } });
    expect(await verifyLicense(`${header({ alg: 'none', typ: LICENSE_TYPE, kid: signer.kid })}.${body}.`, { now: during })).toMatchObject({ reason: 'malformed' });
    const hmac = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: LICENSE_TYPE, kid: signer.kid }).sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await verifyLicense(hmac, { now: during })).toMatchObject({ reason: 'malformed' });
    const session = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: signer.kid }).sign(signer.key);
    expect(await verifyLicense(session, { now: during })).toMatchObject({ reason: 'malformed' });
    expect(await verifyLicense('not a license', { now: during })).toMatchObject({ reason: 'malformed' });
  });

  it('refuses a signed token whose contents are not a license', async () => {
    const token = await new SignJWT({ plan: 'team' })
      .setProtectedHeader({ alg: 'EdDSA', typ: LICENSE_TYPE, kid: signer.kid })
      .setIssuer(TEST_ISSUER).setSubject('c').setJti('j').setIssuedAt(issuedAt).setExpirationTime(license.expiresAt)
      .sign(signer.key);
    expect(await verifyLicense(token, { now: during })).toMatchObject({ valid: false, reason: 'invalid-claims' });
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
