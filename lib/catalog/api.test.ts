/**
 * The services and environments API through the real routes and route wrapper: sessions and
 * tokens, problem+json for every bad input, the tier refused to all but an admin (and to every
 * token), the gate's 409 for an archived environment as CI receives it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as evaluate } from '@/app/api/v1/gate/evaluate/route.runtime';
import { PATCH as patchEnvironment } from '@/app/api/v1/workspaces/[workspace]/environments/[environment]/route.runtime';
import { GET as listEnvironments, POST as createEnvironment } from '@/app/api/v1/workspaces/[workspace]/environments/route.runtime';
import { PUT as setOrder } from '@/app/api/v1/workspaces/[workspace]/promotion-order/route.runtime';
import { PATCH as patchService } from '@/app/api/v1/workspaces/[workspace]/services/[service]/route.runtime';
import { GET as listServices, POST as createService } from '@/app/api/v1/workspaces/[workspace]/services/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { configureSecrets } from '@/lib/secrets';
import { apiRequest, testMember, testSessionCookie, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-catalog-api-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
const cookies: Record<'admin' | 'maintainer' | 'viewer', string> = { admin: '', maintainer: '', viewer: '' };
const emails: Record<string, string> = {};
let catalogToken = '';
let ciToken = '';

interface Caller {
  cookie?: string;
  token?: string;
}

async function call(route: Route, who: Caller, url: string, params: Record<string, string>, init: { method?: string; json?: unknown } = {}) {
  const response = await route(apiRequest(url, { method: init.method ?? 'GET', json: init.json, cookie: who.cookie, token: who.token }), { params: Promise.resolve({ workspace: workspace.slug, ...params }) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { detail?: string } };
}

const base = () => `/api/v1/workspaces/${workspace.slug}`;
const admin = () => ({ cookie: cookies.admin });
const maintainer = () => ({ cookie: cookies.maintainer });

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'acme');
  for (const role of ['admin', 'maintainer', 'viewer'] as const) {
    const user = await testMember(db, workspace, role);
    emails[role] = user.email;
    cookies[role] = (await testSessionCookie(db, user, [workspace.slug])).cookie;
  }
  catalogToken = (await testToken(db, workspace, { name: 'catalog', scopes: ['catalog:write', 'passport:read'] })).token;
  ciToken = (await testToken(db, workspace)).token;
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('services', () => {
  it('creates, lists, renames, archives and sets owners; the slug stays', async () => {
    const created = await call(createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'checkout', name: 'Checkout', owners: [emails.maintainer] } });
    expect(created).toMatchObject({ status: 201, body: { slug: 'checkout', name: 'Checkout', archived: false, owners: [{ email: emails.maintainer }] } });

    const renamed = await call(patchService, maintainer(), `${base()}/services/checkout`, { service: 'checkout' }, { method: 'PATCH', json: { name: 'Checkout API', owners: [emails.admin] } });
    expect(renamed).toMatchObject({ status: 200, body: { slug: 'checkout', name: 'Checkout API', owners: [{ email: emails.admin }] } });

    expect((await call(patchService, maintainer(), `${base()}/services/checkout`, { service: 'checkout' }, { method: 'PATCH', json: { archived: true } })).body).toMatchObject({ archived: true });
    expect((await call(listServices, { token: ciToken }, `${base()}/services`, {})).body).toEqual({ services: [] });
    const all = await call(listServices, { token: ciToken }, `${base()}/services?archived=include`, {});
    expect(all.body).toMatchObject({ services: [{ slug: 'checkout', archived: true }] });
    await call(patchService, maintainer(), `${base()}/services/checkout`, { service: 'checkout' }, { method: 'PATCH', json: { archived: false } });
  });

  it('answers problem+json for every bad input, never a 500', async () => {
    const cases: Array<[Route, Caller, string, Record<string, string>, { method: string; json?: unknown }, number]> = [
      [createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'Bad Slug!' } }, 400],
      [createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'checkout' } }, 409],
      [createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'web', owners: ['nobody@example.test'] } }, 400],
      [createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'web', owners: ['not an email'] } }, 400],
      [createService, maintainer(), `${base()}/services`, {}, { method: 'POST', json: { slug: 'web', name: '' } }, 400],
      [createService, { cookie: cookies.viewer }, `${base()}/services`, {}, { method: 'POST', json: { slug: 'web' } }, 403],
      [createService, { token: ciToken }, `${base()}/services`, {}, { method: 'POST', json: { slug: 'web' } }, 403],
      [patchService, maintainer(), `${base()}/services/nope`, { service: 'nope' }, { method: 'PATCH', json: { name: 'x' } }, 404],
      [patchService, maintainer(), `${base()}/services/checkout`, { service: 'checkout' }, { method: 'PATCH', json: { archived: 'yes' } }, 400],
      [listServices, maintainer(), `${base()}/services?archived=maybe`, {}, { method: 'GET' }, 400],
    ];
    for (const [route, who, url, params, init, status] of cases) {
      const answer = await call(route, who, url, params, init);
      expect(answer.status, `${init.method} ${url} ${JSON.stringify(init.json)}`).toBe(status);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.detail).toBeTruthy();
    }
  });

  it('lets a token with catalog:write manage services within its limits', async () => {
    const created = await call(createService, { token: catalogToken }, `${base()}/services`, {}, { method: 'POST', json: { slug: 'web' } });
    expect(created).toMatchObject({ status: 201, body: { slug: 'web', name: 'web' } });
    const limited = (await testToken(db, workspace, { name: 'web-only', scopes: ['catalog:write'], services: ['web'] })).token;
    expect((await call(patchService, { token: limited }, `${base()}/services/web`, { service: 'web' }, { method: 'PATCH', json: { name: 'Web' } })).status).toBe(200);
    expect((await call(patchService, { token: limited }, `${base()}/services/checkout`, { service: 'checkout' }, { method: 'PATCH', json: { name: 'x' } })).status).toBe(403);
    expect((await call(createService, { token: limited }, `${base()}/services`, {}, { method: 'POST', json: { slug: 'admin-ui' } })).status).toBe(403);
  });
});

describe('environments', () => {
  it('creates one non-production and unclassified; only an admin sets the tier, audited', async () => {
    const created = await call(createEnvironment, maintainer(), `${base()}/environments`, {}, { method: 'POST', json: { slug: 'eu-west', name: 'EU West' } });
    expect(created).toMatchObject({ status: 201, body: { slug: 'eu-west', tier: 'non-production', classified: false, position: null } });

    const refused = await call(patchEnvironment, maintainer(), `${base()}/environments/eu-west`, { environment: 'eu-west' }, { method: 'PATCH', json: { tier: 'production' } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('only an admin sets it');
    const byToken = await call(patchEnvironment, { token: catalogToken }, `${base()}/environments/eu-west`, { environment: 'eu-west' }, { method: 'PATCH', json: { tier: 'production' } });
    expect(byToken.status).toBe(403);
    expect(byToken.body.detail).toContain('This API token is not allowed');

    const set = await call(patchEnvironment, admin(), `${base()}/environments/eu-west`, { environment: 'eu-west' }, { method: 'PATCH', json: { tier: 'production' } });
    expect(set).toMatchObject({ status: 200, body: { tier: 'production', classified: true } });
    const events = await db
      .select({ outcome: auditEvents.outcome, actor: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, workspace.id), eq(auditEvents.action, 'environment.tier')))
      .orderBy(desc(auditEvents.seq));
    expect(events).toEqual([
      { outcome: 'allow', actor: emails.admin },
      { outcome: 'deny', actor: 'catalog' },
      { outcome: 'deny', actor: emails.maintainer },
    ]);
    expect((await call(patchEnvironment, admin(), `${base()}/environments/eu-west`, { environment: 'eu-west' }, { method: 'PATCH', json: { tier: 'prod' } })).status).toBe(400);
  });

  it('sets the promotion order and lists environments in it', async () => {
    for (const slug of ['dev', 'staging']) await call(createEnvironment, { token: catalogToken }, `${base()}/environments`, {}, { method: 'POST', json: { slug } });
    const ordered = await call(setOrder, { token: catalogToken }, `${base()}/promotion-order`, {}, { method: 'PUT', json: { order: ['dev', 'staging', 'eu-west'] } });
    expect(ordered.status).toBe(200);
    const listed = await call(listEnvironments, { token: ciToken }, `${base()}/environments`, {});
    expect((listed.body.environments as Array<{ slug: string }>).map((e) => e.slug)).toEqual(['dev', 'staging', 'eu-west']);
    const unknown = await call(setOrder, maintainer(), `${base()}/promotion-order`, {}, { method: 'PUT', json: { order: ['dev', 'qa'] } });
    expect(unknown).toMatchObject({ status: 400, body: { errors: [{ path: 'order', message: 'this workspace has no environment "qa"' }] } });
    expect((await call(setOrder, maintainer(), `${base()}/promotion-order`, {}, { method: 'PUT', json: { order: [] } })).status).toBe(400);
  });

  it('makes the gate answer 409 problem+json naming an archived environment; unarchived, it releases again', async () => {
    const gate = (environment: string) =>
      evaluate(apiRequest('/api/v1/gate/evaluate', { method: 'POST', token: ciToken, json: { service: 'checkout', environment, sourceSha: 'a'.repeat(40), imageDigest: `sha256:${'12'.repeat(32)}` } }));
    expect((await gate('staging')).status).toBe(200);
    await call(patchEnvironment, maintainer(), `${base()}/environments/staging`, { environment: 'staging' }, { method: 'PATCH', json: { archived: true } });
    const refused = await gate('staging');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; archived: unknown };
    expect(problem.detail).toContain('environment "staging" is archived');
    expect(problem.detail).toContain('rp environments update staging --unarchive');
    expect(problem.archived).toEqual([{ kind: 'environment', slug: 'staging' }]);
    await call(patchEnvironment, maintainer(), `${base()}/environments/staging`, { environment: 'staging' }, { method: 'PATCH', json: { archived: false } });
    expect((await gate('staging')).status).toBe(200);
  });
});
