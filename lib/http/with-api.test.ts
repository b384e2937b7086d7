/**
 * The route wrapper, as a route handler sees requests: real database, real tokens and sessions,
 * real audit log. Every way a credential can be wrong fails closed with the exact status.
 */
import { and, desc, eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { apiTokens, auditEvents } from '@/db/schema/runtime';
import { defineEndpoint } from '@/lib/api/endpoint';
import { whoami } from '@/lib/api/endpoints/identity';
import { appendAuditEvent } from '@/lib/audit/log';
import { describeCaller } from '@/lib/auth/whoami';
import { revokeAllSessions } from '@/lib/auth/sessions';
import { apiRequest, TEST_AUDIT, testMember, testSessionCookie, testToken, testUser, testWorkspace } from '@/lib/testing/identity';
import { createDpopProof, dpopThumbprint } from '@/lib/tokens/dpop';
import { revokeApiToken } from '@/lib/tokens/store';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { PEER_ADDRESS_HEADER } from './client-address';
import { ProblemError } from './problem';
import { unknownApiRouteHandler } from './unknown-route';
import { withApi } from './with-api';

const GET_WHOAMI = withApi(whoami, describeCaller);

const createThing = defineEndpoint({
  id: 'things.create',
  method: 'POST',
  path: '/api/v1/things',
  summary: 'test',
  tags: [],
  auth: 'token-or-session',
  verb: 'evidence.write',
  body: z.object({ name: z.string().min(1), count: z.number().int().positive(), service: z.string().optional(), environment: z.string().optional() }),
  status: 201,
  response: z.object({ ok: z.literal(true), name: z.string() }),
  errors: [400, 409],
});
const POST_THING = withApi(createThing, async (ctx) => {
  if (ctx.body.name === 'boom') throw new Error('secret internal detail: password=hunter2');
  if (ctx.body.name === 'taken') throw new ProblemError('conflict', 'A thing with this name exists.');
  // What postgres.js and drizzle throw while the database restarts: a wrapped connection error.
  if (ctx.body.name === 'db-down') throw new Error('Failed query: insert into things', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }) });
  if (ctx.body.name === 'db-stopping') throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  if (ctx.body.name === 'self-audited') {
    await appendAuditEvent(ctx.db, { ...ctx.audit, workspaceId: ctx.workspace!.id, action: 'thing.create', resource: { type: 'thing', id: 'x' }, outcome: 'allow' });
  }
  ctx.auditResource({ type: 'thing', id: ctx.body.name }, { count: ctx.body.count });
  return { ok: true as const, name: ctx.body.name };
});

const upload = defineEndpoint({
  id: 'things.upload',
  method: 'PUT',
  path: '/api/v1/things/{name}',
  summary: 'test',
  tags: [],
  auth: 'token',
  verb: 'evidence.write',
  params: z.object({ name: z.string().regex(/^[a-z]+$/) }),
  rawBody: { mediaTypes: ['application/octet-stream'], maxBytes: 1024 },
  status: 200,
  response: z.object({ bytes: z.number() }),
  errors: [413, 415],
});
const PUT_UPLOAD = withApi(upload, async (ctx) => {
  const bytes = (await new Response(ctx.rawBody).arrayBuffer()).byteLength;
  return { bytes };
});

let db: RuntimeDb;
let acme: WorkspaceRef;
let globex: WorkspaceRef;

beforeAll(async () => {
  db = await getRuntimeDb();
  acme = await testWorkspace(db, 'acme', 'Acme');
  globex = await testWorkspace(db, 'globex', 'Globex Corporation');
});

// Each test's environment stubs (rate limits) are undone after it.
afterEach(() => {
  vi.unstubAllEnvs();
});

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as { status: number; code: string; detail: string; requestId: string; errors?: Array<{ path: string; message: string }> };
  expect(body.status).toBe(response.status);
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

async function lastEvent(workspaceId: string | null) {
  const [event] = await db
    .select()
    .from(auditEvents)
    .where(workspaceId ? eq(auditEvents.chain, workspaceId) : eq(auditEvents.chain, 'installation'))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return event!;
}

describe('API tokens at the wrapper', () => {
  it('answer who the token is, and record its last use and address', async () => {
    const { token, id } = await testToken(db, acme, { name: 'deploy-bot', scopes: ['gate:evaluate'], services: ['api'] });
    const response = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token, headers: { 'x-request-id': 'ci-run-123.step-4', [PEER_ADDRESS_HEADER]: '::ffff:10.2.3.4' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('ci-run-123.step-4');
    expect(await response.json()).toMatchObject({
      kind: 'token',
      workspace: { slug: 'acme', name: 'Acme' },
      scopes: ['gate:evaluate'],
      token: { id, name: 'deploy-bot', services: ['api'], environments: null, dpopBound: false },
      user: null,
    });
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
    expect(row!.lastUsedIp).toBe('10.2.3.4');
    expect(row!.lastUsedAt).not.toBeNull();
  });

  it('fail closed with 401 when missing, malformed or unknown', async () => {
    const valid = await testToken(db, acme);
    const deleted = await testToken(db, acme);
    await db.delete(apiTokens).where(eq(apiTokens.id, deleted.id));
    const unknown = deleted.token;
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['missing', {}, /send an API token/i],
      ['wrong scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, /must be "Bearer rp_/],
      ['empty bearer', { authorization: 'Bearer' }, /must be "Bearer rp_/],
      ['malformed', { authorization: 'Bearer rp_123' }, /not a Release Passport API token/],
      ['typo', { authorization: `Bearer ${valid.token.slice(0, -1)}${valid.token.endsWith('x') ? 'y' : 'x'}` }, /not a Release Passport API token/],
      ['unknown', { authorization: `Bearer ${unknown}` }, /not known/],
    ];
    for (const [name, headers, detail] of cases) {
      const response = await GET_WHOAMI(apiRequest('/api/v1/whoami', { headers }));
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="release-passport"/);
      expect((await problemOf(response)).detail, name).toMatch(detail);
    }
  });

  it('refuse expired and revoked tokens, and audit the refusal in their workspace', async () => {
    const expired = await testToken(db, globex, { name: 'old-ci' });
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expired.id));
    const response = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: expired.token, headers: { 'x-request-id': 'req-expired-1' } }));
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toMatch(/expired on/);
    expect(await lastEvent(globex.id)).toMatchObject({ outcome: 'deny', reason: 'token expired', actorType: 'token', actorId: expired.id, requestId: 'req-expired-1', action: 'api.whoami' });

    const revoked = await testToken(db, globex);
    await revokeApiToken(db, globex.id, revoked.id, TEST_AUDIT);
    const again = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: revoked.token }));
    expect(again.status).toBe(401);
    expect((await problemOf(again)).detail).toMatch(/revoked/);
    expect(await lastEvent(globex.id)).toMatchObject({ outcome: 'deny', reason: 'token revoked' });
  });

  it('refuse a token out of scope (403) and a token naming another workspace (403), audited', async () => {
    const readOnly = await testToken(db, acme, { scopes: ['passport:read'] });
    const response = await POST_THING(apiRequest('/api/v1/things', { token: readOnly.token, json: { name: 'a', count: 1 } }));
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toMatch(/lacks the evidence:write scope/);
    expect(await lastEvent(acme.id)).toMatchObject({ outcome: 'deny', action: 'api.things.create', reason: 'the token lacks the evidence:write scope' });

    const acmeToken = await testToken(db, acme);
    const other = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: acmeToken.token, headers: { 'rp-workspace': 'globex' } }));
    expect(other.status).toBe(403);
    const body = await problemOf(other);
    expect(body.detail).toMatch(/belongs to another workspace/);
    expect(JSON.stringify(body)).not.toContain('Globex Corporation');
  });

  it('apply service and environment limits to the slugs a request names', async () => {
    const limited = await testToken(db, acme, { scopes: ['evidence:write'], services: ['api'], environments: ['staging'] });
    const call = (body: object) => POST_THING(apiRequest('/api/v1/things', { token: limited.token, json: { name: 'n', count: 1, ...body } }));
    expect((await call({ service: 'api', environment: 'staging' })).status).toBe(201);
    const wrongService = await call({ service: 'web', environment: 'staging' });
    expect(wrongService.status).toBe(403);
    expect((await problemOf(wrongService)).detail).toMatch(/not valid for service "web"/);
    expect((await call({ service: 'api', environment: 'production' })).status).toBe(403);
  });

  it('are refused by session-only endpoints', async () => {
    const sessionOnly = withApi({ ...whoami, id: 'session-only', auth: 'session' }, describeCaller);
    const { token } = await testToken(db, acme);
    expect((await sessionOnly(apiRequest('/api/v1/x', { token }))).status).toBe(403);
    // A bad token is a 401 there as everywhere.
    expect((await sessionOnly(apiRequest('/api/v1/x', { token: 'rp_bad' }))).status).toBe(401);
  });
});

describe('text a database cannot store', () => {
  it('is a 400 naming the field: NUL, unpaired surrogates (in values and keys) and absurd nesting never reach a handler', async () => {
    const { token } = await testToken(db, acme, { scopes: ['evidence:write'] });
    let nested: unknown = 'deep';
    for (let i = 0; i < 200; i++) nested = { nested };
    const cases: Array<[object, string]> = [
      [{ name: 'a\u0000b', count: 1 }, 'body.name'],
      [{ name: 'lone \ud800 surrogate', count: 1 }, 'body.name'],
      [{ name: 'ok', count: 1, service: 'x\udc00' }, 'body.service'],
      [{ name: 'ok', count: 1, ['k\u0000']: 1 }, 'body'],
      [{ name: 'ok', count: 1, nested }, 'body.nested'],
    ];
    for (const [json, path] of cases) {
      const response = await POST_THING(apiRequest('/api/v1/things', { token, json }));
      expect(response.status, path).toBe(400);
      const body = await problemOf(response);
      expect(body.code).toBe('validation-failed');
      expect(body.errors?.[0]?.path.startsWith(path), JSON.stringify(body.errors)).toBe(true);
    }
    // Emoji (a proper surrogate pair) is text like any other.
    expect((await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'ship it 🚀', count: 1 } }))).status).toBe(201);
  });
});

describe('an unavailable database at the wrapper', () => {
  it('answers 503 database-unavailable with Retry-After, for a connection error however deeply wrapped, and for a server shutting down', async () => {
    const { token } = await testToken(db, acme, { scopes: ['evidence:write'] });
    for (const name of ['db-down', 'db-stopping']) {
      const response = await POST_THING(apiRequest('/api/v1/things', { token, json: { name, count: 1 } }));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      const body = await problemOf(response);
      expect(body.code).toBe('database-unavailable');
      expect(body.detail).not.toContain('10.0.0.5'); // says what failed, not where the database is
    }
  });
});

describe('DPoP-bound tokens', () => {
  async function boundToken() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = await exportJWK(publicKey);
    const { token } = await testToken(db, acme, { dpopJkt: await dpopThumbprint(publicJwk) });
    return { token, privateKey, publicJwk };
  }
  const url = 'http://localhost:3000/api/v1/whoami';

  it('work with a fresh proof, once per proof', async () => {
    const key = await boundToken();
    const proof = await createDpopProof({ ...key, method: 'GET', url, accessToken: key.token });
    const ok = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: proof } }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token: { dpopBound: true } });
    const replay = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: proof } }));
    expect(replay.status).toBe(401);
    expect((await problemOf(replay)).detail).toMatch(/already used/);
    expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP .*invalid_dpop_proof/);
  });

  it('are refused as plain bearer tokens, without a proof, or with a proof from another key or for another URL', async () => {
    const key = await boundToken();
    const other = await boundToken();
    const cases: Array<[string, Request, RegExp]> = [
      ['as bearer', apiRequest('/api/v1/whoami', { token: key.token }), /bound to a DPoP key/],
      ['no proof', apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP' }), /exactly one DPoP proof/],
      ['other key', apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: await createDpopProof({ ...other, method: 'GET', url, accessToken: key.token }) } }), /not bound to/],
      ['other url', apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: await createDpopProof({ ...key, method: 'GET', url: 'http://localhost:3000/api/v1/other', accessToken: key.token }) } }), /htu/],
      ['other method', apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: await createDpopProof({ ...key, method: 'POST', url, accessToken: key.token }) } }), /htm/],
    ];
    for (const [name, request, detail] of cases) {
      const response = await GET_WHOAMI(request);
      expect(response.status, name).toBe(401);
      expect((await problemOf(response)).detail, name).toMatch(detail);
    }
  });

  it("check htu against RP_PUBLIC_URL, never against a host the client named, unless a trusted proxy forwarded it", async () => {
    vi.stubEnv('RP_PUBLIC_URL', 'https://rp.example.com');
    vi.stubEnv('RP_TRUSTED_PROXIES', '10.0.0.0/8');
    try {
      const call = async (htu: string, headers: Record<string, string>) => {
        const key = await boundToken();
        const proof = await createDpopProof({ ...key, method: 'GET', url: htu, accessToken: key.token });
        return (await GET_WHOAMI(apiRequest('/api/v1/whoami', { token: key.token, scheme: 'DPoP', headers: { dpop: proof, ...headers } }))).status;
      };
      expect(await call('https://rp.example.com/api/v1/whoami', {})).toBe(200);
      expect(await call('http://evil.example/api/v1/whoami', { host: 'evil.example' })).toBe(401);
      expect(await call('https://evil.example/api/v1/whoami', { 'x-forwarded-host': 'evil.example', [PEER_ADDRESS_HEADER]: '192.0.2.7' })).toBe(401);
      expect(await call(url, {})).toBe(401); // the address the server saw is not the public one
      expect(await call('https://rp-internal.example/api/v1/whoami', { 'x-forwarded-host': 'rp-internal.example', [PEER_ADDRESS_HEADER]: '10.1.2.3' })).toBe(200);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuse the DPoP scheme for an unbound token', async () => {
    const { token } = await testToken(db, acme);
    expect((await GET_WHOAMI(apiRequest('/api/v1/whoami', { token, scheme: 'DPoP', headers: { dpop: 'x' } }))).status).toBe(401);
  });
});

describe('console sessions at the wrapper', () => {
  it('say who is signed in and, naming a workspace, their role there', async () => {
    const user = await testMember(db, acme, 'developer');
    const { cookie } = await testSessionCookie(db, user);
    const plain = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie }));
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ kind: 'user', workspace: null, role: null, workspaces: [{ slug: 'acme', role: 'developer' }] });
    const named = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie, headers: { 'rp-workspace': 'acme' } }));
    const body = await named.json();
    expect(body).toMatchObject({ kind: 'user', workspace: { slug: 'acme' }, role: 'developer' });
    expect(body.scopes).toContain('gate:evaluate');
    expect(body.scopes).not.toContain('member:manage');
  });

  it('give a non-member 404 for a workspace, existing or not, with the same answer', async () => {
    const outsider = await testMember(db, globex, 'admin');
    const { cookie } = await testSessionCookie(db, outsider);
    const existing = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie, headers: { 'rp-workspace': 'acme' } }));
    const missing = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie, headers: { 'rp-workspace': 'no-such-ws' } }));
    expect([existing.status, missing.status]).toEqual([404, 404]);
    const [a, b] = [await problemOf(existing), await problemOf(missing)];
    expect(a.detail.replace('acme', 'X')).toBe(b.detail.replace('no-such-ws', 'X'));
    expect(JSON.stringify(a)).not.toContain(acme.id);
    expect(await lastEvent(null)).toMatchObject({ outcome: 'deny', actorId: outsider.id, reason: 'not a member of workspace "no-such-ws"' });
  });

  it('stop working at once after sign-out everywhere', async () => {
    const user = await testMember(db, acme, 'viewer');
    const { cookie } = await testSessionCookie(db, user);
    expect((await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie }))).status).toBe(200);
    await revokeAllSessions(db, user.id, TEST_AUDIT);
    const after = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie }));
    expect(after.status).toBe(401);
    expect((await problemOf(after)).detail).toMatch(/Sign in again/);
  });

  it('refuse a forged cookie', async () => {
    const response = await GET_WHOAMI(apiRequest('/api/v1/whoami', { cookie: 'authjs.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..forged' }));
    expect(response.status).toBe(401);
  });

  it('use the role for permission, and need the workspace named for a workspace endpoint', async () => {
    const viewer = await testMember(db, acme, 'viewer');
    const developer = await testMember(db, acme, 'developer');
    const viewerCookie = (await testSessionCookie(db, viewer)).cookie;
    const developerCookie = (await testSessionCookie(db, developer)).cookie;
    const post = (cookie: string, headers: Record<string, string> = { 'rp-workspace': 'acme' }) =>
      POST_THING(apiRequest('/api/v1/things', { cookie, json: { name: 'x', count: 1 }, headers: { origin: 'http://localhost:3000', ...headers } }));
    expect((await post(viewerCookie)).status).toBe(403);
    expect((await post(developerCookie)).status).toBe(201);
    const unnamed = await post(developerCookie, {});
    expect(unnamed.status).toBe(400);
    expect((await problemOf(unnamed)).detail).toMatch(/rp-workspace/);
  });

  it('refuse cross-site mutations riding on the cookie', async () => {
    const developer = await testMember(db, acme, 'developer');
    const { cookie } = await testSessionCookie(db, developer);
    const response = await POST_THING(apiRequest('/api/v1/things', { cookie, json: { name: 'x', count: 1 }, headers: { 'rp-workspace': 'acme', origin: 'https://evil.example' } }));
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toMatch(/Cross-site/);
  });
});

describe('request parsing and errors', () => {
  it('lists every invalid field in a 400 problem', async () => {
    const { token } = await testToken(db, acme);
    const response = await POST_THING(apiRequest('/api/v1/things', { token, json: { name: '', count: -2, extra: true } }));
    expect(response.status).toBe(400);
    const body = await problemOf(response);
    expect(body.code).toBe('validation-failed');
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['body.count', 'body.name']);
  });

  it('refuses invalid JSON (400), another media type (415) and an oversized body (413)', async () => {
    const { token } = await testToken(db, acme);
    const invalid = await POST_THING(apiRequest('/api/v1/things', { token, body: '{"name":', headers: { 'content-type': 'application/json' } }));
    expect(invalid.status).toBe(400);
    expect((await problemOf(invalid)).detail).toMatch(/not valid JSON/);
    const form = await POST_THING(apiRequest('/api/v1/things', { token, body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(form.status).toBe(415);
    const huge = await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'x'.repeat(1_100_000), count: 1 } }));
    expect(huge.status).toBe(413);
  });

  it('streams raw bodies with their size limit: 413 as soon as it is crossed, even without a length', async () => {
    const { token } = await testToken(db, acme);
    const put = (body: BodyInit, type = 'application/octet-stream', name = 'sbom') => PUT_UPLOAD(apiRequest(`/api/v1/things/${name}`, { method: 'PUT', token, body, headers: { 'content-type': type } }), { params: Promise.resolve({ name }) });
    const ok = await put(new Uint8Array(1000));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ bytes: 1000 });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(400));
        controller.close();
      },
    });
    const streamed = await put(chunks);
    expect(streamed.status).toBe(413);
    expect((await problemOf(streamed)).detail).toMatch(/limit of 1 KB/);
    expect((await put(new Uint8Array(10), 'text/plain')).status).toBe(415);
    const badParam = await put(new Uint8Array(10), 'application/octet-stream', 'BAD1');
    expect(badParam.status).toBe(400);
    expect((await problemOf(badParam)).errors?.[0]?.path).toBe('params.name');
  });

  it('answers a client that hung up mid-body as a client problem, not a 500', async () => {
    const { token } = await testToken(db, acme);
    // What Node's HTTP server does to the body stream when the client closes the connection.
    const hungUp = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"name":"x",'));
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const response = await POST_THING(apiRequest('/api/v1/things', { token, body: hungUp, headers: { 'content-type': 'application/json' } }));
    expect(response.status).toBe(400);
    expect((await problemOf(response)).detail).toMatch(/connection was closed/);
  });

  it('turns a ProblemError into its status and any other error into a 500 without internals', async () => {
    const { token } = await testToken(db, acme);
    const conflict = await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'taken', count: 1 } }));
    expect(conflict.status).toBe(409);
    const crash = await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'boom', count: 1 }, headers: { 'x-request-id': 'req-crash-0001' } }));
    expect(crash.status).toBe(500);
    const text = await crash.clone().text();
    expect(text).not.toMatch(/hunter2|secret internal|at .*\.ts/);
    expect((await problemOf(crash)).detail).toMatch(/req-crash-0001/);
  });
});

describe('audit of mutations', () => {
  it('records one event per mutation, with the resource the handler named', async () => {
    const { token, id } = await testToken(db, acme, { name: 'release-bot' });
    const response = await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'widget', count: 3 }, headers: { 'x-request-id': 'req-mut-00001', [PEER_ADDRESS_HEADER]: '192.0.2.7' } }));
    expect(response.status).toBe(201);
    const events = await db.select().from(auditEvents).where(eq(auditEvents.requestId, 'req-mut-00001'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ workspaceId: acme.id, action: 'api.things.create', outcome: 'allow', actorType: 'token', actorId: id, actorLabel: 'release-bot', resourceType: 'thing', resourceId: 'widget', ip: '192.0.2.7' });
    expect(events[0]!.details).toMatchObject({ count: 3, status: 201, method: 'POST' });
  });

  it('does not add a second event when the handler audited in its own transaction', async () => {
    const { token } = await testToken(db, acme);
    await POST_THING(apiRequest('/api/v1/things', { token, json: { name: 'self-audited', count: 1 }, headers: { 'x-request-id': 'req-self-0001' } }));
    const events = await db.select().from(auditEvents).where(eq(auditEvents.requestId, 'req-self-0001'));
    expect(events.map((e) => e.action)).toEqual(['thing.create']);
  });

  it('records nothing for reads', async () => {
    const { token } = await testToken(db, acme);
    await GET_WHOAMI(apiRequest('/api/v1/whoami', { token, headers: { 'x-request-id': 'req-read-0001' } }));
    expect(await db.select().from(auditEvents).where(eq(auditEvents.requestId, 'req-read-0001'))).toEqual([]);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After and RateLimit-* headers once a credential is over its limit', async () => {
    vi.stubEnv('RP_RATE_LIMIT_API', '3/60s');
    const { token } = await testToken(db, acme);
    const statuses = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      last = await GET_WHOAMI(apiRequest('/api/v1/whoami', { token }));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-limit')).toBe('3');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect((await problemOf(last!)).code).toBe('rate-limited');
  });

  it('slow down repeated failed authentication from one address', async () => {
    vi.stubEnv('RP_RATE_LIMIT_AUTH_FAILURES', '2/60s');
    const from = (ip: string) => GET_WHOAMI(apiRequest('/api/v1/whoami', { headers: { authorization: 'Bearer rp_guess', [PEER_ADDRESS_HEADER]: ip } }));
    expect([(await from('198.51.100.1')).status, (await from('198.51.100.1')).status, (await from('198.51.100.1')).status, (await from('198.51.100.1')).status]).toEqual([401, 401, 429, 429]);
    expect((await from('198.51.100.2')).status).toBe(401);
    // The refusals past the limit are not written to the audit log one by one.
    const audited = await db.select({ ip: auditEvents.ip }).from(auditEvents).where(eq(auditEvents.ip, '198.51.100.1'));
    expect(audited).toHaveLength(2);
  });
});

describe('requests that try to get around the middleware or the wrapper', () => {
  it('gain nothing from x-middleware-subrequest', async () => {
    const forged = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };
    expect((await GET_WHOAMI(apiRequest('/api/v1/whoami', { headers: forged }))).status).toBe(401);
    expect((await unknownApiRouteHandler(apiRequest('/api/v1/anything', { headers: forged }), { params: Promise.resolve({ path: ['anything'] }) })).status).toBe(401);
  });

  it('cannot claim an address: a client-sent x-forwarded-for is ignored unless the peer is a trusted proxy', async () => {
    const { token, id } = await testToken(db, acme);
    await GET_WHOAMI(apiRequest('/api/v1/whoami', { token, headers: { 'x-forwarded-for': '203.0.113.66', [PEER_ADDRESS_HEADER]: '192.0.2.10' } }));
    const [row] = await db.select().from(apiTokens).where(and(eq(apiTokens.id, id)));
    expect(row!.lastUsedIp).toBe('192.0.2.10');
  });
});

describe('unknown API routes', () => {
  const call = (init: Parameters<typeof apiRequest>[1]) => unknownApiRouteHandler(apiRequest('/api/v1/nope', init), { params: Promise.resolve({ path: ['nope'] }) });

  it('answer 401 without credentials and 404 with valid ones', async () => {
    expect((await call({})).status).toBe(401);
    expect((await call({ token: 'rp_bad' })).status).toBe(401);
    const { token } = await testToken(db, acme);
    const found = await call({ token });
    expect(found.status).toBe(404);
    expect((await problemOf(found)).detail).toMatch(/no API route GET \/api\/v1\/nope/);
    const user = await testUser(db);
    expect((await call({ cookie: (await testSessionCookie(db, user)).cookie })).status).toBe(404);
  });
});
