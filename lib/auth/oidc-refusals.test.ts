/**
 * The runtime's OIDC sign-in refuses what its provider's answer cannot back: an ID token whose
 * signature does not verify with the issuer's published keys (a real issuer on localhost serving
 * discovery and JWKS), protocol check failures classified for the audit log, a plain-http issuer
 * beyond this machine; and refused sign-ins are audited one by one only up to the per-address limit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { CallbackRouteError, InvalidCheck } from '@auth/core/errors';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { startTestIssuer, type TestIssuer } from '@/lib/ci-identity/testing/issuer';
import { idTokenRefusal } from './id-token';
import { oidcSettings } from './settings';
import { SettingsError } from '@/lib/config/settings';
import { auditSignIn } from './sign-in-audit';
import { OIDC_REFUSED, oidcProtocolRefusal, withOidcRefusedError } from './oidc-refusal';

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

  it('verifies for an issuer whose identifier ends in "/" (as Auth0\'s and some tenants\' do), and still not with an unpublished key', async () => {
    // The same keys, published under an issuer spelled with the trailing slash.
    const server = http.createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ issuer: `${url}/tenant/`, jwks_uri: `${issuer.url}/.well-known/jwks` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const expected = { issuer: `${url}/tenant/`, audience: CLIENT };
      expect(await idTokenRefusal(await issuer.sign({ iss: `${url}/tenant/`, aud: CLIENT, sub: 'ada' }), expected)).toBeNull();
      expect(await idTokenRefusal(await issuer.sign({ iss: `${url}/tenant/`, aud: CLIENT, sub: 'ada' }, { key: 'unpublished' }), expected)).toMatch(/does not publish/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('OIDC protocol refusals', () => {
  // As Auth.js makes them: new CallbackRouteError(error, { provider }) (its types omit that overload).
  const callbackError = (cause: Error) => new (CallbackRouteError as unknown as new (error: Error, options: object) => Error)(cause, { provider: 'oidc' });

  it('are told apart from server faults, with the failed check in words', () => {
    expect(oidcProtocolRefusal(new InvalidCheck('nonce value mismatch'))).toMatch(/^OIDC sign-in refused: nonce value mismatch/);
    // A database outage inside the callback is not the provider's fault: not classified as a refusal.
    expect(oidcProtocolRefusal(callbackError(new Error('connect ECONNREFUSED')))).toBeNull();
  });

  it('are recognized in the errors oauth4webapi really throws, even with the class names a minified build gives them', async () => {
    const as = { issuer: issuer.url, token_endpoint: `${issuer.url}/token` };
    const client = { client_id: CLIENT };
    // What a minifier makes of them: another class name, the same properties.
    const minified = (error: unknown) => Object.defineProperty(Object.setPrototypeOf(error as Error, class e extends Error {}.prototype) as Error, 'name', { value: 'e' });
    const thrown = async (run: () => unknown) => {
      try {
        await run();
      } catch (error) {
        return minified(error);
      }
      throw new Error('expected a refusal');
    };
    const state = await thrown(() => oauth.validateAuthResponse(as, client, new URLSearchParams({ code: 'c', state: 'forged' }), 'expected-state'));
    expect(oidcProtocolRefusal(callbackError(state))).toMatch(/^OIDC sign-in refused: .*"state"/);
    const tokenResponse = async (idToken: string) => new Response(JSON.stringify({ access_token: 'a', token_type: 'bearer', id_token: idToken }), { headers: { 'content-type': 'application/json' } });
    const audience = await thrown(async () => oauth.processAuthorizationCodeResponse(as, client, await tokenResponse(await issuer.sign({ aud: 'another-client', sub: 'ada' }))));
    expect(oidcProtocolRefusal(callbackError(audience))).toMatch(/"aud"/);
    const expired = await thrown(async () => oauth.processAuthorizationCodeResponse(as, client, await tokenResponse(await issuer.sign({ aud: CLIENT, sub: 'ada' }, { issuedAt: Math.floor(Date.now() / 1000) - 3_600, expiresIn: 60 }))));
    expect(oidcProtocolRefusal(callbackError(expired))).toMatch(/"exp"/);
    // The token endpoint refusing the code (replayed, or a PKCE verifier that does not match): its OAuth error code, not its text.
    const grant = await thrown(async () =>
      oauth.processAuthorizationCodeResponse(as, client, new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'code eyJ.secret.token replayed' }), { status: 400, headers: { 'content-type': 'application/json' } })),
    );
    const refusal = oidcProtocolRefusal(callbackError(grant));
    expect(refusal).toMatch(/\(invalid_grant\)$/);
    expect(refusal).not.toContain('eyJ');
  });

  it('send the person to the sign-in page with an explanation of their own, not "Configuration"', () => {
    const refused = withOidcRefusedError(Response.redirect('http://localhost:3000/login?error=Configuration', 302));
    expect(refused.status).toBe(302);
    expect(new URL(refused.headers.get('location')!).searchParams.get('error')).toBe(OIDC_REFUSED);
    const other = Response.redirect('http://localhost:3000/login?error=OAuthCallbackError', 302);
    expect(withOidcRefusedError(other)).toBe(other);
  });
});

describe('the OIDC issuer setting', () => {
  it('is https, or http only on this machine', () => {
    const env = { RP_OIDC_CLIENT_ID: CLIENT };
    expect(oidcSettings({ ...env, RP_OIDC_ISSUER: 'https://login.acme.test' })).toMatchObject({ issuer: 'https://login.acme.test' });
    expect(oidcSettings({ ...env, RP_OIDC_ISSUER: 'http://localhost:3210' })).toMatchObject({ issuer: 'http://localhost:3210' });
    expect(() => oidcSettings({ ...env, RP_OIDC_ISSUER: 'http://login.acme.test' })).toThrow(SettingsError);
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
