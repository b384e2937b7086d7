/**
 * CI token exchange through the real route wrapper, against a real issuer on localhost (its
 * discovery document and JWKS over HTTP): GitHub- and GitLab-shaped ID tokens become gate tokens
 * that work and name the run; every way an ID token can be wrong is refused, naming the check.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, releases } from '@/db/schema/runtime';
import { createTrustPolicyEndpoint, deleteTrustPolicyEndpoint, listTrustPoliciesEndpoint, tokenExchange, TOKEN_EXCHANGE_GRANT, ID_TOKEN_TYPE } from '@/lib/api/endpoints/ci-identity';
import { evaluateGate } from '@/lib/api/endpoints/gate';
import { whoami } from '@/lib/api/endpoints/identity';
import { handleGateEvaluate } from '@/lib/gate/handlers';
import type { PassportStatement } from '@/lib/passport/statement';
import { configureSecrets } from '@/lib/secrets';
import { describeCaller } from '@/lib/auth/whoami';
import { withApi } from '@/lib/http/with-api';
import { startTestProxy } from '@/lib/testing/connect-proxy';
import { apiRequest, testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import { createDpopProof, dpopThumbprint } from '@/lib/tokens/dpop';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { exportJWK, generateKeyPair } from 'jose';
import { handleCreateTrustPolicy, handleDeleteTrustPolicy, handleListTrustPolicies, handleTokenExchange } from './handlers';
import { trustPolicyInputSchema } from './policies';
import { githubClaims, gitlabClaims, startTestIssuer, type TestIssuer } from './testing/issuer';

const AUDIENCE = 'https://rp.example.test';
const routes = {
  exchange: withApi(tokenExchange, handleTokenExchange),
  list: withApi(listTrustPoliciesEndpoint, handleListTrustPolicies),
  create: withApi(createTrustPolicyEndpoint, handleCreateTrustPolicy),
  remove: withApi(deleteTrustPolicyEndpoint, handleDeleteTrustPolicy),
  whoami: withApi(whoami, describeCaller),
  gate: withApi(evaluateGate, handleGateEvaluate),
};

let db: RuntimeDb;
let issuer: TestIssuer;
let other: TestIssuer;
let acme: WorkspaceRef;
let beta: WorkspaceRef;
let bare: WorkspaceRef;
const admin: Record<string, string> = {};
const adminIds: Record<string, string> = {};
let maintainerCookie = '';

async function addPolicy(workspace: WorkspaceRef, json: unknown) {
  const response = await routes.create(apiRequest('/api/v1/ci-trust-policies', { json, cookie: admin[workspace.slug], headers: { 'rp-workspace': workspace.slug } }), { params: {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function exchange(workspace: string, subjectToken: string, headers: Record<string, string> = {}) {
  const form = new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: ID_TOKEN_TYPE, workspace });
  const response = await routes.exchange(apiRequest('/api/v1/token', { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }), { params: {} });
  const text = await response.text();
  expect(text).not.toContain(subjectToken);
  return { status: response.status, type: response.headers.get('content-type'), body: JSON.parse(text) as Record<string, unknown> };
}

async function refusedCheck(workspace: string, subjectToken: string): Promise<string> {
  const result = await exchange(workspace, subjectToken);
  expect(result.status).toBe(401);
  expect(result.type).toBe('application/problem+json');
  return /\(check: ([a-z-]+)\)/.exec(String(result.body.detail))?.[1] ?? `no check in: ${String(result.body.detail)}`;
}

beforeAll(async () => {
  // The gate signs passports with the workspace key, kept in a secret store of this run's own.
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'rp-ci-identity-')) } });
  db = await getRuntimeDb();
  issuer = await startTestIssuer();
  other = await startTestIssuer();
  acme = await testWorkspace(db);
  beta = await testWorkspace(db);
  bare = await testWorkspace(db);
  for (const workspace of [acme, beta, bare]) {
    const user = await testMember(db, workspace, 'admin');
    admin[workspace.slug] = (await testSessionCookie(db, user, [workspace.slug])).cookie;
    adminIds[workspace.slug] = user.id;
  }
  const maintainer = await testMember(db, acme, 'maintainer');
  maintainerCookie = (await testSessionCookie(db, maintainer, [acme.slug])).cookie;
});

afterAll(async () => {
  await issuer.close();
  await other.close();
});

describe('CI trust policies', () => {
  it('are added by admins only, audited, and listed', async () => {
    const denied = await routes.create(
      apiRequest('/api/v1/ci-trust-policies', { json: { name: 'x', issuer: issuer.url, audience: AUDIENCE, conditions: { repository: 'acme/api' }, scopes: ['gate:evaluate'] }, cookie: maintainerCookie, headers: { 'rp-workspace': acme.slug } }),
      { params: {} },
    );
    expect(denied.status).toBe(403);

    const github = await addPolicy(acme, { name: 'api main', issuer: issuer.url, audience: AUDIENCE, conditions: { repository: 'acme/api', ref: 'refs/heads/main' }, scopes: ['gate:evaluate', 'evidence:write'] });
    expect(github.status).toBe(201);
    expect(github.body).toMatchObject({ issuer: issuer.url, scopes: ['evidence:write', 'gate:evaluate'] });
    const gitlab = await addPolicy(acme, { name: 'platform', issuer: issuer.url, audience: AUDIENCE, conditions: { project_path: 'acme/platform/*', ref_protected: 'true' }, scopes: ['gate:evaluate'], environments: ['production'] });
    expect(gitlab.status).toBe(201);
    expect((await addPolicy(acme, { name: 'api main', issuer: issuer.url, audience: AUDIENCE, conditions: { repository: 'x' }, scopes: ['gate:evaluate'] })).status).toBe(409);
    expect((await addPolicy(acme, { name: 'no conditions', issuer: issuer.url, audience: AUDIENCE, conditions: {}, scopes: ['gate:evaluate'] })).status).toBe(400);
    // Beta trusts the same issuer, for its own repository only.
    expect((await addPolicy(beta, { name: 'beta', issuer: issuer.url, audience: AUDIENCE, conditions: { repository: 'beta/web' }, scopes: ['gate:evaluate'] })).status).toBe(201);

    const list = await routes.list(apiRequest('/api/v1/ci-trust-policies', { cookie: maintainerCookie, headers: { 'rp-workspace': acme.slug } }), { params: {} });
    expect(((await list.json()) as { policies: Array<{ name: string }> }).policies.map((p) => p.name)).toEqual(['api main', 'platform']);
    const audited = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, acme.id), eq(auditEvents.action, 'ci_trust_policy.create')));
    expect(audited).toHaveLength(2);
  });

  it('resolve the GitHub and GitLab presets to their issuers and refuse plain-http issuers elsewhere', () => {
    const base = { name: 'p', audience: AUDIENCE, conditions: { repository: 'a/b' }, scopes: ['gate:evaluate'] };
    expect(trustPolicyInputSchema.parse({ ...base, issuer: 'github' }).issuer).toBe('https://token.actions.githubusercontent.com');
    expect(trustPolicyInputSchema.parse({ ...base, issuer: 'gitlab' }).issuer).toBe('https://gitlab.com');
    expect(trustPolicyInputSchema.parse({ ...base, issuer: 'https://gitlab.acme.internal/' }).issuer).toBe('https://gitlab.acme.internal');
    expect(trustPolicyInputSchema.safeParse({ ...base, issuer: 'http://gitlab.acme.internal' }).success).toBe(false);
    // Not a URL at all (a fuzzed form field): refused, not thrown.
    expect(trustPolicyInputSchema.safeParse({ ...base, issuer: '[object File]' }).success).toBe(false);
  });
});

describe('token exchange', () => {
  it('turns a GitHub-shaped ID token into a 15-minute gate token that works and names the run', async () => {
    const result = await exchange(acme.slug, await issuer.sign(githubClaims(AUDIENCE)));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'evidence:write gate:evaluate' });
    expect(result.body.expires_in).toBeLessThanOrEqual(15 * 60);
    expect(result.body.ci_identity).toMatchObject({ issuer: issuer.url, repository: 'acme/api', ref: 'refs/heads/main', runId: '9876543210' });

    const me = await routes.whoami(apiRequest('/api/v1/whoami', { token: String(result.body.access_token) }), { params: {} });
    expect(me.status).toBe(200);
    const described = (await me.json()) as { workspace: { slug: string }; scopes: string[]; token: { name: string; expiresAt: string } };
    expect(described.workspace.slug).toBe(acme.slug);
    expect(described.scopes.sort()).toEqual(['evidence:write', 'gate:evaluate']);
    expect(described.token.name).toBe(`ci acme/api@refs/heads/main .github/workflows/release.yml run 9876543210 (${new URL(issuer.url).host})`);
    expect(new Date(described.token.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, acme.id), eq(auditEvents.action, 'token.exchange')));
    expect(event!.details).toMatchObject({ ciIdentity: { repository: 'acme/api', workflow: 'acme/api/.github/workflows/release.yml@refs/heads/main', runId: '9876543210' }, policy: { name: 'api main' } });
  });

  it('names the run in the signed passport and in every audit event of the gate token', async () => {
    const exchanged = await exchange(acme.slug, await issuer.sign(githubClaims(AUDIENCE)));
    const token = String(exchanged.body.access_token);
    const release = { service: 'api', environment: 'staging', sourceSha: 'c'.repeat(40), imageDigest: `sha256:${'ab'.repeat(32)}` };
    const answer = await routes.gate(apiRequest('/api/v1/gate/evaluate', { token, json: release }), { params: {} });
    expect(answer.status).toBe(200);
    const { passport } = (await answer.json()) as { passport: { id: string; envelope: { payload: string } } };
    const statement = JSON.parse(Buffer.from(passport.envelope.payload, 'base64').toString('utf8')) as PassportStatement;
    expect(statement.predicate.requestedBy).toEqual({
      type: 'ci',
      label: `ci acme/api@refs/heads/main .github/workflows/release.yml run 9876543210 (${new URL(issuer.url).host})`,
      ci: expect.objectContaining({ issuer: issuer.url, repository: 'acme/api', ref: 'refs/heads/main', workflow: 'acme/api/.github/workflows/release.yml@refs/heads/main', runId: '9876543210' }) as unknown,
    });
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, acme.id), eq(auditEvents.actorType, 'token')));
    const gateEvents = events.filter((event) => event.resourceId === passport.id || event.action.startsWith('api.gate'));
    expect(gateEvents.length).toBeGreaterThan(0);
    for (const event of gateEvents) expect(event.actorLabel).toBe(statement.predicate.requestedBy!.label);

    // A person's or a plain token's passport names them the same way, without CI claims.
    const plain = await routes.gate(apiRequest('/api/v1/gate/evaluate', { cookie: admin[acme.slug], headers: { 'rp-workspace': acme.slug }, json: release }), { params: {} });
    expect(plain.status).toBe(200);
    const body = (await plain.json()) as { passport: { envelope: { payload: string } } };
    const signed = JSON.parse(Buffer.from(body.passport.envelope.payload, 'base64').toString('utf8')) as PassportStatement;
    expect(signed.predicate.requestedBy).toMatchObject({ type: 'user', label: expect.stringContaining('@') as unknown });
    expect(signed.predicate.requestedBy).not.toHaveProperty('ci');

    // The release records who first asked when a person did (an approvals rule may refuse their
    // approval): the CI run's release stays without one; a release a person asks for names them.
    const requesters = async (imageDigest: string) =>
      (await db.select({ requestedBy: releases.requestedBy }).from(releases).where(and(eq(releases.workspaceId, acme.id), eq(releases.imageDigest, imageDigest)))).map((row) => row.requestedBy);
    expect(await requesters(release.imageDigest)).toEqual([null]);
    const personal = { ...release, imageDigest: `sha256:${'cd'.repeat(32)}` };
    expect((await routes.gate(apiRequest('/api/v1/gate/evaluate', { cookie: admin[acme.slug], headers: { 'rp-workspace': acme.slug }, json: personal }), { params: {} })).status).toBe(200);
    expect(await requesters(personal.imageDigest)).toEqual([adminIds[acme.slug]]);
  });

  it('matches a GitLab-shaped ID token by pattern and keeps the policy environments', async () => {
    const result = await exchange(acme.slug, await issuer.sign(gitlabClaims(AUDIENCE)));
    expect(result.status).toBe(200);
    expect(result.body.ci_identity).toMatchObject({ repository: 'acme/platform/api', ref: 'main', runId: '1234567', environment: 'production' });
    const me = await routes.whoami(apiRequest('/api/v1/whoami', { token: String(result.body.access_token) }), { params: {} });
    expect(((await me.json()) as { token: { environments: string[] } }).token.environments).toEqual(['production']);
  });

  it('binds the gate token to the DPoP key of the exchange request', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = await exportJWK(publicKey);
    const proof = await createDpopProof({ privateKey, publicJwk, method: 'POST', url: 'http://localhost:3000/api/v1/token' });
    const result = await exchange(acme.slug, await issuer.sign(githubClaims(AUDIENCE)), { dpop: proof });
    expect(result.status).toBe(200);
    expect(result.body.token_type).toBe('DPoP');
    const bearer = await routes.whoami(apiRequest('/api/v1/whoami', { token: String(result.body.access_token) }), { params: {} });
    expect(bearer.status).toBe(401);
    const token = String(result.body.access_token);
    const bound = await routes.whoami(
      apiRequest('/api/v1/whoami', { token, scheme: 'DPoP', headers: { dpop: await createDpopProof({ privateKey, publicJwk, method: 'GET', url: 'http://localhost:3000/api/v1/whoami', accessToken: token }) } }),
      { params: {} },
    );
    expect(bound.status).toBe(200);
    expect(((await bound.json()) as { token: { dpopBound: boolean } }).token.dpopBound).toBe(true);
    expect(await dpopThumbprint(publicJwk)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses every kind of wrong ID token, naming the check and never echoing the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusedCheck(acme.slug, await issuer.sign(githubClaims('https://other.example')))).toBe('audience');
    expect(await refusedCheck(acme.slug, await other.sign(githubClaims(AUDIENCE)))).toBe('issuer');
    expect(await refusedCheck(acme.slug, await issuer.sign(githubClaims(AUDIENCE), { issuedAt: now - 900, expiresIn: 300 }))).toBe('expiry');
    expect(await refusedCheck(acme.slug, await issuer.sign(githubClaims(AUDIENCE, { nbf: now + 600 })))).toBe('not-before');
    expect(await refusedCheck(acme.slug, await issuer.sign(githubClaims(AUDIENCE), { key: 'unpublished' }))).toBe('key');
    const genuine = await issuer.sign(githubClaims(AUDIENCE));
    const [header, , signature] = genuine.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...githubClaims(AUDIENCE, { repository: 'acme/api' }), iss: issuer.url, exp: now + 300, iat: now, jti: 'forged' })).toString('base64url');
    expect(await refusedCheck(acme.slug, `${header}.${forgedPayload}.${signature}`)).toBe('signature');
    expect(await refusedCheck(acme.slug, await issuer.sign(githubClaims(AUDIENCE, { ref: 'refs/heads/feature' })))).toBe('claims');
    expect(await refusedCheck(acme.slug, 'not-a-jwt')).toBe('format');
  });

  it('accepts an ID token once: a replayed jti is refused', async () => {
    const token = await issuer.sign(githubClaims(AUDIENCE));
    expect((await exchange(acme.slug, token)).status).toBe(200);
    expect(await refusedCheck(acme.slug, token)).toBe('replay');
  });

  it("does not let one workspace's policy admit a token on another workspace", async () => {
    // acme/api is trusted by acme, not by beta (which trusts the same issuer) nor by bare (no policy).
    expect(await refusedCheck(beta.slug, await issuer.sign(githubClaims(AUDIENCE)))).toBe('claims');
    expect(await refusedCheck(bare.slug, await issuer.sign(githubClaims(AUDIENCE)))).toBe('issuer');
    expect(await refusedCheck('no-such-workspace', await issuer.sign(githubClaims(AUDIENCE)))).toBe('issuer');
    const denials = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, beta.id), eq(auditEvents.outcome, 'deny')));
    expect(denials.map((d) => d.reason)).toContain('token exchange: claims');
  });

  it('never contacts an issuer no policy names', async () => {
    const before = other.jwksFetches();
    expect(await refusedCheck(acme.slug, await other.sign(githubClaims(AUDIENCE)))).toBe('issuer');
    expect(other.jwksFetches()).toBe(before);
    expect(before).toBe(0);
  });

  it('refuses a malformed request with a field list, not the token', async () => {
    const response = await routes.exchange(
      apiRequest('/api/v1/token', { method: 'POST', body: 'grant_type=password&subject_token=secret-value', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      { params: {} },
    );
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('grant_type');
    expect(text).not.toContain('secret-value');
  });

  it('lets admins remove a policy, after which its tokens no longer exchange', async () => {
    const list = (await (await routes.list(apiRequest('/api/v1/ci-trust-policies', { cookie: admin[beta.slug], headers: { 'rp-workspace': beta.slug } }), { params: {} })).json()) as { policies: Array<{ id: string }> };
    const id = list.policies[0]!.id;
    const removed = await routes.remove(apiRequest(`/api/v1/ci-trust-policies/${id}`, { method: 'DELETE', cookie: admin[beta.slug], headers: { 'rp-workspace': beta.slug } }), { params: { id } });
    expect(removed.status).toBe(204);
    expect(await refusedCheck(beta.slug, await issuer.sign(githubClaims(AUDIENCE, { repository: 'beta/web' })))).toBe('issuer');
  });

  it("reads an issuer's discovery document and keys through the egress proxy, and names the proxy when it refuses", async () => {
    const reachable = await startTestIssuer();
    const blocked = await startTestIssuer();
    const proxy = await startTestProxy({ refuse: (destination) => destination === new URL(blocked.url).host });
    vi.stubEnv('HTTP_PROXY', proxy.url);
    try {
      for (const [name, at] of [['via proxy', reachable], ['blocked by proxy', blocked]] as const) {
        expect((await addPolicy(acme, { name, issuer: at.url, audience: AUDIENCE, conditions: { repository: 'acme/api' }, scopes: ['gate:evaluate'] })).status).toBe(201);
      }
      expect((await exchange(acme.slug, await reachable.sign(githubClaims(AUDIENCE)))).status).toBe(200);
      expect(proxy.tunnelled).toContain(new URL(reachable.url).host);
      expect(reachable.jwksFetches()).toBe(1);

      const refused = await exchange(acme.slug, await blocked.sign(githubClaims(AUDIENCE)));
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toMatch(/discovery document could not be read \(the egress proxy http:\/\/127\.0\.0\.1:\d+ answered 403 instead of connecting/);
      expect(blocked.jwksFetches()).toBe(0);
    } finally {
      vi.unstubAllEnvs();
      await proxy.close();
      await reachable.close();
      await blocked.close();
    }
  });
});
