/**
 * The runtime's OIDC sign-in refuses what its provider's answer cannot back: an ID token whose
 * signature does not verify with the issuer's published keys (a real issuer on localhost serving
 * discovery and JWKS), protocol check failures classified for the audit log, a plain-http issuer
 * beyond this machine; and refused sign-ins are audited one by one only up to the per-address limit.
 */
import { and, eq } from 'drizzle-orm';
import { CallbackRouteError, InvalidCheck } from '@auth/core/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { startTestIssuer, type TestIssuer } from '@/lib/ci-identity/testing/issuer';
import { idTokenRefusal } from './id-token';
import { oidcSettings, SignInSettingError } from './settings';
import { auditSignIn } from './sign-in-audit';
import { oidcProtocolRefusal } from './oidc-refusal';

let issuer: TestIssuer;
const CLIENT = 'release-passport';

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer.close();
  vi.unstubAllEnvs();
});

describe('the ID token of an OIDC sign-in', () => {
  it('verifies only with a key the issuer publishes, for this client, unexpired', async () => {
    const expected = { issuer: issuer.url, audience: CLIENT };
    expect(await idTokenRefusal(await issuer.sign({ aud: CLIENT, sub: 'ada', email: 'ada@example.test' }), expected)).toBeNull();
    expect(await idTokenRefusal(await issuer.sign({ aud: CLIENT, sub: 'ada' }, { key: 'unpublished' }), expected)).toMatch(/does not publish/);
    expect(await idTokenRefusal(await issuer.sign({ aud: 'another-client', sub: 'ada' }), expected)).toMatch(/aud claim/);
    expect(await idTokenRefusal(await issuer.sign({ aud: CLIENT, sub: 'ada' }, { issuedAt: Math.floor(Date.now() / 1000) - 3_600, expiresIn: 60 }), expected)).toMatch(/expired/);
    const genuine = await issuer.sign({ aud: CLIENT, sub: 'ada' });
    const [header, , signature] = genuine.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ iss: issuer.url, aud: CLIENT, sub: 'admin', exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url')}.${signature}`;
    expect(await idTokenRefusal(forged, expected)).toMatch(/signature does not verify/);
    expect(await idTokenRefusal(undefined, expected)).toMatch(/no ID token/);
  });
});

describe('OIDC protocol refusals', () => {
  // As Auth.js makes them: new CallbackRouteError(error, { provider }) (its types omit that overload).
  const callbackError = (cause: Error) => new (CallbackRouteError as unknown as new (error: Error, options: object) => Error)(cause, { provider: 'oidc' });

  it('are told apart from server faults, with the failed check in words', () => {
    expect(oidcProtocolRefusal(new InvalidCheck('nonce value mismatch'))).toMatch(/^OIDC sign-in refused: nonce value mismatch/);
    const audience = Object.assign(new Error('unexpected JWT "aud" (audience) claim value'), { name: 'OperationProcessingError' });
    expect(oidcProtocolRefusal(callbackError(audience))).toMatch(/"aud" \(audience\)/);
    // A database outage inside the callback is not the provider's fault: not classified as a refusal.
    expect(oidcProtocolRefusal(callbackError(new Error('connect ECONNREFUSED')))).toBeNull();
  });
});

describe('the OIDC issuer setting', () => {
  it('is https, or http only on this machine', () => {
    const env = { RP_OIDC_CLIENT_ID: CLIENT };
    expect(oidcSettings({ ...env, RP_OIDC_ISSUER: 'https://login.acme.test' })).toMatchObject({ issuer: 'https://login.acme.test' });
    expect(oidcSettings({ ...env, RP_OIDC_ISSUER: 'http://localhost:3210' })).toMatchObject({ issuer: 'http://localhost:3210' });
    expect(() => oidcSettings({ ...env, RP_OIDC_ISSUER: 'http://login.acme.test' })).toThrow(SignInSettingError);
    expect(() => oidcSettings({ ...env, RP_OIDC_ISSUER: 'login.acme.test' })).toThrow(/RP_OIDC_ISSUER must be an https URL/);
  });
});

describe('sign-in refusals in the audit log', () => {
  it('are audited one by one up to the per-address limit, then not, while another address still is', async () => {
    vi.stubEnv('RP_RATE_LIMIT_AUTH_FAILURES', '3/60s');
    const db = await getRuntimeDb();
    const flood = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    for (let i = 0; i < 8; i++) await auditSignIn({ outcome: 'deny', method: 'local', email: 'guess@example.test', reason: 'wrong password', ip: flood });
    await auditSignIn({ outcome: 'deny', method: 'local', email: 'guess@example.test', reason: 'wrong password', ip: '203.0.113.77' });
    const audited = async (ip: string) => (await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.ip, ip)))).length;
    expect(await audited(flood)).toBe(3);
    expect(await audited('203.0.113.77')).toBe(1);
  });
});
