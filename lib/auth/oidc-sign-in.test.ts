/**
 * The runtime's OIDC sign-in through next-auth's real route handlers, against an identity provider
 * on localhost (discovery, token endpoint, JWKS): an ID token signed by a key the issuer does not
 * publish signs no one in (next-auth alone would accept it), a genuine one does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { startTestIssuer, type TestIssuer } from '@/lib/ci-identity/testing/issuer';
import { PEER_ADDRESS_HEADER } from '@/lib/http/client-address';
import { logger } from '@/lib/http/logger';
import { handlers } from './config';
import { OIDC_REFUSED } from './oidc-refusal';

const CLIENT = 'release-passport';
const BASE = 'http://localhost:3000';
let keys: TestIssuer;
let idp: http.Server;
let idpUrl = '';
/** Which key the next token response's ID token is signed with, and for which client. */
let signWith: 'published' | 'unpublished' = 'published';
let audience = CLIENT;
let nonce = '';
/** Who the next ID token is about, and what it says of their email. */
let person: Record<string, unknown> = { sub: 'ada-at-idp', email: 'ada@idp.test', email_verified: true, name: 'Ada' };

beforeAll(async () => {
  keys = await startTestIssuer();
  idp = http.createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer: idpUrl, authorization_endpoint: `${idpUrl}/authorize`, token_endpoint: `${idpUrl}/token`, userinfo_endpoint: `${idpUrl}/userinfo`, jwks_uri: `${keys.url}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (request.url === '/token' && request.method === 'POST') {
      request.resume();
      void keys.sign({ iss: idpUrl, aud: audience, ...person, nonce }, { key: signWith }).then((idToken) => {
        response.end(JSON.stringify({ access_token: 'access', token_type: 'bearer', expires_in: 300, id_token: idToken }));
      });
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  vi.stubEnv('AUTH_SECRET', 'oidc-sign-in-test-secret-0123456789abcdef');
  vi.stubEnv('RP_OIDC_ISSUER', idpUrl);
  vi.stubEnv('RP_OIDC_CLIENT_ID', CLIENT);
  vi.stubEnv('RP_OIDC_CLIENT_SECRET', 'oidc-sign-in-test-client-secret');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => idp.close(() => resolve()));
  await keys.close();
});

/** Cookies as a browser keeps them between the requests of one sign-in. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}

/** Each test signs in from its own address, to tell its audit events apart (the log is append-only). */
const FIRST_IP = '198.51.100.23';
const SECOND_IP = '198.51.100.24';

/** The sign-in page's button: next-auth's answer (a redirect to the provider, or back to sign-in). */
async function pressSignIn(cookies: ReturnType<typeof jar>): Promise<Response> {
  const csrf = await handlers.GET(new NextRequest(`${BASE}/api/auth/csrf`));
  cookies.take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await handlers.POST(
    new NextRequest(`${BASE}/api/auth/signin/oidc`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.header() },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${BASE}/` }).toString(),
    }),
  );
  cookies.take(start);
  return start;
}

/** The sign-in page's button, the provider's redirect back with a code: where the callback sends the person. */
async function signInThroughIdp(ip: string): Promise<URL> {
  const cookies = jar();
  const start = await pressSignIn(cookies);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin + authorize.pathname).toBe(`${idpUrl}/authorize`);
  nonce = authorize.searchParams.get('nonce')!;
  const callback = await handlers.GET(new NextRequest(`${BASE}/api/auth/callback/oidc?code=code-from-idp&state=${encodeURIComponent(authorize.searchParams.get('state')!)}`, { headers: { cookie: cookies.header(), [PEER_ADDRESS_HEADER]: ip } }));
  return new URL(callback.headers.get('location')!, BASE);
}

describe('OIDC sign-in through next-auth', () => {
  it('refuses an ID token signed by a key the issuer does not publish, audited, and signs in with a genuine one', async () => {
    const db = await getRuntimeDb();
    signWith = 'unpublished';
    const refused = await signInThroughIdp(FIRST_IP);
    expect(refused.pathname).toBe('/login');
    expect(refused.searchParams.get('error')).toBe(OIDC_REFUSED);
    const denials = await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.outcome, 'deny'), eq(auditEvents.ip, FIRST_IP)));
    expect(denials.map((event) => event.reason)).toEqual([expect.stringMatching(/signed by a key the issuer's JWKS does not publish/)]);
    expect(JSON.stringify(denials)).not.toMatch(/eyJ/); // never the token itself

    signWith = 'published';
    const signedIn = await signInThroughIdp(FIRST_IP);
    expect(signedIn.toString()).toBe(`${BASE}/`);
    const allowed = await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.outcome, 'allow')));
    expect(allowed).toHaveLength(1);
  });
});

describe("OIDC sign-in from Microsoft Entra ID's ID tokens (no email_verified)", () => {
  const ENTRA_IP = '198.51.100.31';
  const denials = async () =>
    (await (await getRuntimeDb()).select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.outcome, 'deny'), eq(auditEvents.ip, ENTRA_IP)))).map((event) => event.reason);

  it('an email without email_verified or xms_edov links no one, and the audit log says which claims to add', async () => {
    person = { sub: 'entra-oid-1', email: 'grace@contoso.test', name: 'Grace', tid: 'tenant' };
    const refused = await signInThroughIdp(ENTRA_IP);
    expect(refused.pathname).toBe('/login');
    expect(await denials()).toEqual([expect.stringMatching(/did not verify grace@contoso\.test .*add the optional claims "email" and "xms_edov"/)]);
  });

  it('xms_edov (email domain owner verified) vouches for the email: the person signs in', async () => {
    person = { sub: 'entra-oid-2', email: 'grace@contoso.test', xms_edov: true, name: 'Grace', tid: 'tenant' };
    const signedIn = await signInThroughIdp(ENTRA_IP);
    expect(signedIn.toString()).toBe(`${BASE}/`);
  });

  afterAll(() => {
    person = { sub: 'ada-at-idp', email: 'ada@idp.test', email_verified: true, name: 'Ada' };
  });
});

describe('OIDC protocol refusals at the callback', () => {
  const refusals = async () =>
    (await (await getRuntimeDb()).select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.outcome, 'deny'), eq(auditEvents.ip, SECOND_IP)))).map((event) => ({
      reason: event.reason,
      ip: event.ip,
      method: (event.details as { method?: string }).method,
    }));

  it('are audited with the failed check and the client address, and explained instead of "Configuration"', async () => {
    audience = 'another-client';
    try {
      const refused = await signInThroughIdp(SECOND_IP);
      expect(refused.pathname).toBe('/login');
      expect(refused.searchParams.get('error')).toBe(OIDC_REFUSED);
    } finally {
      audience = CLIENT;
    }
    // A callback nobody started here (no state cookie): forged or replayed.
    const forged = await handlers.GET(new NextRequest(`${BASE}/api/auth/callback/oidc?code=forged-code&state=forged-state`, { headers: { [PEER_ADDRESS_HEADER]: SECOND_IP } }));
    expect(new URL(forged.headers.get('location')!).searchParams.get('error')).toBe(OIDC_REFUSED);
    expect(await refusals()).toEqual([
      { reason: expect.stringMatching(/^OIDC sign-in refused: .*"aud"/), ip: SECOND_IP, method: 'oidc' },
      { reason: 'OIDC sign-in refused: state value could not be parsed', ip: SECOND_IP, method: 'oidc' },
    ]);
    expect(JSON.stringify(await refusals())).not.toContain('forged-code');
  });
});

describe('OIDC sign-in behind an egress proxy that is down', () => {
  it('sends the person back to sign-in with "try again later", and the server log names the proxy', async () => {
    vi.stubEnv('HTTP_PROXY', 'http://127.0.0.1:9'); // nothing listens on the discard port
    const logged = vi.spyOn(logger, 'error'); // observed, still written
    try {
      const start = await pressSignIn(jar());
      expect(start.headers.get('location')).toBe(`${BASE}/login?error=Configuration`);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ reason: 'cannot reach the egress proxy http://127.0.0.1:9 (ECONNREFUSED)' }), 'OIDC sign-in failed: cannot reach the egress proxy http://127.0.0.1:9 (ECONNREFUSED)');
    } finally {
      logged.mockRestore();
      vi.stubEnv('HTTP_PROXY', '');
    }
  });
});
