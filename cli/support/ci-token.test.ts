/**
 * The CLI signs in with the CI identity by itself: with the GitHub Actions variables pointed at a
 * local stand-in of the ID token request endpoint and no RP_TOKEN, the API client fetches an ID
 * token for the runtime's URL, exchanges it at /api/v1/token (the real route, a real issuer on
 * localhost) and calls the API with the gate token it got.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { createTrustPolicyEndpoint, tokenExchange } from '@/lib/api/endpoints/ci-identity';
import { whoami } from '@/lib/api/endpoints/identity';
import { describeCaller } from '@/lib/auth/whoami';
import { handleCreateTrustPolicy, handleTokenExchange } from '@/lib/ci-identity/handlers';
import { githubClaims, startTestIssuer, type TestIssuer } from '@/lib/ci-identity/testing/issuer';
import { withApi } from '@/lib/http/with-api';
import { apiRequest, testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import { freePort } from '../../e2e/support/ports';
import { apiClient } from './api';

const routes: Record<string, (request: Request, context: { params: Record<string, string> }) => Promise<Response>> = {
  '/api/v1/token': withApi(tokenExchange, handleTokenExchange),
  '/api/v1/whoami': withApi(whoami, describeCaller),
};

let issuer: TestIssuer;
let server: http.Server;
let base = '';
const requestedAudiences: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  issuer = await startTestIssuer();
  const db = await getRuntimeDb();
  const workspace = await testWorkspace(db);
  const admin = await testMember(db, workspace, 'admin');
  const { cookie } = await testSessionCookie(db, admin, [workspace.slug]);
  server = http.createServer((request, response) => void serve(request, response));
  async function serve(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', base);
    if (url.pathname === '/actions-id-token') {
      // GitHub's token request endpoint: bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, audience in the query.
      if (request.headers.authorization !== 'Bearer request-token-123') return void response.writeHead(401).end();
      requestedAudiences.push(url.searchParams.get('audience') ?? '');
      const value = await issuer.sign(githubClaims(url.searchParams.get('audience') ?? ''));
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value }));
    }
    const route = routes[url.pathname];
    if (!route) return void response.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await route(new Request(url, { method: request.method, headers: request.headers as Record<string, string>, body }), { params: {} });
    response.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = await withApi(createTrustPolicyEndpoint, handleCreateTrustPolicy)(
    apiRequest('/api/v1/ci-trust-policies', { json: { name: 'api', issuer: issuer.url, audience: base, conditions: { repository: 'acme/api' }, scopes: ['gate:evaluate'] }, cookie, headers: { 'rp-workspace': workspace.slug } }),
    { params: {} },
  );
  expect(created.status).toBe(201);
  vi.stubEnv('RP_TOKEN', undefined);
  vi.stubEnv('RP_ID_TOKEN', undefined);
  vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', `${base}/actions-id-token?api-version=2.0`);
  vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'request-token-123');
  vi.stubEnv('RP_WORKSPACE', workspace.slug);
});

afterAll(async () => {
  process.env = saved;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await issuer.close();
});

describe('the CLI in GitHub Actions without RP_TOKEN', () => {
  it('exchanges the job ID token (audience = the runtime URL) and calls the API with the gate token', async () => {
    const client = apiClient({ url: base });
    const me = await client.json<{ kind: string; scopes: string[]; token: { name: string } }>('GET', '/api/v1/whoami');
    expect(requestedAudiences).toEqual([base]);
    expect(me.kind).toBe('token');
    expect(me.scopes).toEqual(['gate:evaluate']);
    expect(me.token.name).toContain('acme/api@refs/heads/main .github/workflows/release.yml run 9876543210');
    // One exchange per client: the second call reuses the gate token.
    await client.json('GET', '/api/v1/whoami');
    expect(requestedAudiences).toHaveLength(1);
  });

  it('says why when the CI identity is refused', async () => {
    const workspace = process.env.RP_WORKSPACE;
    vi.stubEnv('RP_WORKSPACE', 'some-other-workspace');
    try {
      await expect(apiClient({ url: base }).json('GET', '/api/v1/whoami')).rejects.toThrow(/CI identity was not accepted: 401 .*check: issuer/);
    } finally {
      vi.stubEnv('RP_WORKSPACE', workspace);
    }
  });
});

describe('the CLI when the CI identity cannot be had', () => {
  it('names the ID token endpoint and the system\'s reason, and marks the gate as never asked', async () => {
    const requestUrl = process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const closed = await freePort(); // nothing listens there
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', `http://127.0.0.1:${closed}/token`);
    try {
      const refused = await apiClient({ url: base }).json('GET', '/api/v1/whoami').catch((error: unknown) => error);
      expect(refused).toMatchObject({ name: 'ApiError', unsent: true, message: `cannot reach the GitHub Actions ID token endpoint (http://127.0.0.1:${closed}): ECONNREFUSED` });
    } finally {
      vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', requestUrl);
    }
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
