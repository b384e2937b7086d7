/**
 * The settings API of connectors, secrets and retention, through the real route wrapper: who may
 * do what, what the answers contain, and that a secret sent in goes nowhere but the store.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { createConnectorEndpoint, deleteConnectorEndpoint, listConnectorsEndpoint, testConnectorEndpoint } from '@/lib/api/endpoints/connectors';
import { getRetentionEndpoint, legalHoldEndpoint, runRetentionEndpoint, updateRetentionEndpoint } from '@/lib/api/endpoints/retention';
import { deleteSecretEndpoint, secretsStatusEndpoint, writeSecretEndpoint } from '@/lib/api/endpoints/secrets';
import { handleCreateConnector, handleDeleteConnector, handleListConnectors, handleTestConnector } from '@/lib/connectors/handlers';
import { makeFixture } from '@/lib/connectors/testing/fixture';
import { startStandIn, type StandIn } from '@/lib/connectors/testing/standin';
import { environments } from '@/db/schema/runtime';
import { withApi } from '@/lib/http/with-api';
import { handleGetRetention, handleLegalHold, handleRunRetention, handleUpdateRetention } from '@/lib/retention/handlers';
import { apiRequest, testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { configureSecrets } from './config';
import { handleDeleteSecret, handleSecretsStatus, handleWriteSecret } from './handlers';
import { randomKeyBase64, temporaryDirectory } from './test-support';

const CANARY = 'rp-canary-api-5b1f0e77d2';
const routes = {
  listConnectors: withApi(listConnectorsEndpoint, handleListConnectors),
  createConnector: withApi(createConnectorEndpoint, handleCreateConnector),
  deleteConnector: withApi(deleteConnectorEndpoint, handleDeleteConnector),
  testConnector: withApi(testConnectorEndpoint, handleTestConnector),
  secrets: withApi(secretsStatusEndpoint, handleSecretsStatus),
  writeSecret: withApi(writeSecretEndpoint, handleWriteSecret),
  deleteSecret: withApi(deleteSecretEndpoint, handleDeleteSecret),
  getRetention: withApi(getRetentionEndpoint, handleGetRetention),
  updateRetention: withApi(updateRetentionEndpoint, handleUpdateRetention),
  runRetention: withApi(runRetentionEndpoint, handleRunRetention),
  legalHold: withApi(legalHoldEndpoint, handleLegalHold),
};

let db: RuntimeDb;
let workspace: WorkspaceRef;
let standIn: StandIn;
const cookies: Record<'admin' | 'maintainer' | 'viewer', string> = { admin: '', maintainer: '', viewer: '' };
const bodies: string[] = [];

async function call(route: (request: Request, context?: { params?: Record<string, string> }) => Promise<Response>, as: keyof typeof cookies, path: string, init: { method?: string; json?: unknown; params?: Record<string, string> } = {}) {
  const response = await route(apiRequest(path, { method: init.method, json: init.json, cookie: cookies[as], headers: { 'rp-workspace': workspace.slug } }), { params: init.params ?? {} });
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: temporaryDirectory(), RP_SECRETS_KEY: randomKeyBase64() } });
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'settings-api');
  await db.insert(environments).values({ workspaceId: workspace.id, slug: 'production', name: 'Production', production: true });
  for (const role of ['admin', 'maintainer', 'viewer'] as const) {
    const user = await testMember(db, workspace, role);
    cookies[role] = (await testSessionCookie(db, user, [workspace.slug])).cookie;
  }
  standIn = await startStandIn(makeFixture(CANARY));
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

describe('the settings API', () => {
  it('stores a secret for admins only and never answers with its value', async () => {
    expect((await call(routes.writeSecret, 'maintainer', '/api/v1/secrets', { method: 'PUT', json: { reference: 'store:production/prom', value: CANARY } })).status).toBe(403);
    const written = await call(routes.writeSecret, 'admin', '/api/v1/secrets', { method: 'PUT', json: { reference: 'store:production/prom', value: CANARY } });
    expect(written).toEqual({ status: 200, body: { reference: 'store:production/prom', version: 1, set: true } });
    const bad = await call(routes.writeSecret, 'admin', '/api/v1/secrets', { method: 'PUT', json: { reference: 'env:HOME', value: CANARY } });
    expect(bad.status).toBe(400);
    // Signing keys are the product's to make and retire.
    const signing = await call(routes.writeSecret, 'admin', '/api/v1/secrets', { method: 'PUT', json: { reference: 'store:signing/k1', value: CANARY } });
    expect(signing.status).toBe(400);
    expect(JSON.stringify(signing.body)).toContain('signing-key rotation');
  });

  it('shows secrets status: entries and their users for members, installation secrets for maintainers', async () => {
    const viewer = await call(routes.secrets, 'viewer', '/api/v1/secrets');
    expect(viewer.status).toBe(200);
    expect(viewer.body).toMatchObject({ installation: null, store: { store: 'runtime database', keySource: null }, entries: [{ reference: 'store:production/prom', set: true, source: 'encrypted store', version: 1 }] });
    const maintainer = await call(routes.secrets, 'maintainer', '/api/v1/secrets');
    expect(maintainer.body!.installation).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'oidc.clientSecret', reference: 'env:RP_OIDC_CLIENT_SECRET' })]));
    expect(maintainer.body!.store).toMatchObject({ keySource: 'base64 key in RP_SECRETS_KEY' });
    expect((maintainer.body!.policy as Array<{ id: string }>).map((rule) => rule.id)).toContain('environment-isolation');
  });

  it('configures, lists and tests a connector, with the credential status and never the credential', async () => {
    const input = { name: 'prom', type: 'prometheus', environment: 'production', secretRef: 'store:production/prom', config: { baseUrl: standIn.url, retries: 0, queries: [{ id: 'up', query: 'up' }] } };
    expect((await call(routes.createConnector, 'viewer', '/api/v1/connectors', { method: 'POST', json: input })).status).toBe(403);
    const created = await call(routes.createConnector, 'maintainer', '/api/v1/connectors', { method: 'POST', json: input });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'prom', targets: ['up'], secret: { reference: 'store:production/prom', set: true, source: 'encrypted store' }, status: { state: 'never-polled' } });
    const denied = await call(routes.createConnector, 'maintainer', '/api/v1/connectors', { method: 'POST', json: { ...input, name: 'sneaky', secretRef: 'env:AUTH_SECRET' } });
    expect(denied.status).toBe(400);
    expect(JSON.stringify(denied.body)).toContain('cannot read env:AUTH_SECRET');

    const id = created.body!.id as string;
    const tested = await call(routes.testConnector, 'maintainer', `/api/v1/connectors/${id}/test`, { method: 'POST', json: {}, params: { id } });
    expect(tested.body).toMatchObject({ results: [{ target: 'up', ok: true }] });
    const listed = await call(routes.listConnectors, 'viewer', '/api/v1/connectors');
    expect(listed.body!.connectors).toEqual([expect.objectContaining({ name: 'prom', status: expect.objectContaining({ state: 'ok', lastError: null }) })]);

    // A wrong credential: the status says so in our words.
    await call(routes.writeSecret, 'admin', '/api/v1/secrets', { method: 'PUT', json: { reference: 'store:production/prom', value: `${CANARY}-wrong` } });
    const failing = await call(routes.testConnector, 'maintainer', `/api/v1/connectors/${id}/test`, { method: 'POST', json: {}, params: { id } });
    expect(failing.body).toMatchObject({ results: [{ target: 'up', ok: false, error: expect.stringMatching(/answered 401/) }] });
    const after = await call(routes.listConnectors, 'viewer', '/api/v1/connectors');
    expect(after.body!.connectors).toEqual([expect.objectContaining({ status: expect.objectContaining({ state: 'failing', consecutiveFailures: 1 }) })]);
    expect((await call(routes.deleteConnector, 'maintainer', `/api/v1/connectors/${id}`, { method: 'DELETE', params: { id } })).status).toBe(204);
  });

  it('sets retention for admins only, with limits a person can act on', async () => {
    expect((await call(routes.updateRetention, 'maintainer', '/api/v1/retention', { method: 'PUT', json: { passportsDays: 365, evidenceDays: 90, auditDays: 400 } })).status).toBe(403);
    const invalid = await call(routes.updateRetention, 'admin', '/api/v1/retention', { method: 'PUT', json: { passportsDays: 365, evidenceDays: 90, auditDays: 7 } });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('auditDays');
    const set = await call(routes.updateRetention, 'admin', '/api/v1/retention', { method: 'PUT', json: { passportsDays: 365, evidenceDays: 90, auditDays: 400 } });
    expect(set.body).toMatchObject({ passportsDays: 365, evidenceDays: 90, auditDays: 400, heldPassports: 0 });
    expect((await call(routes.getRetention, 'viewer', '/api/v1/retention')).body).toMatchObject({ passportsDays: 365 });
    const run = await call(routes.runRetention, 'admin', '/api/v1/retention/run', { method: 'POST' });
    expect(run.body).toMatchObject({ passports: 0, evidence: 0, auditEvents: 0 });
    const missing = await call(routes.legalHold, 'admin', `/api/v1/passports/${'a'.repeat(64)}/legal-hold`, { method: 'PUT', json: { hold: true, reason: 'x' }, params: { id: 'a'.repeat(64) } });
    expect(missing.status).toBe(404);
  });

  it('removes a stored secret, and the canary appears in no answer and no audit event', async () => {
    expect((await call(routes.deleteSecret, 'admin', '/api/v1/secrets?reference=store:production/prom', { method: 'DELETE' })).status).toBe(204);
    expect((await call(routes.deleteSecret, 'admin', '/api/v1/secrets?reference=store:production/prom', { method: 'DELETE' })).status).toBe(404);
    expect(bodies.join('\n')).not.toContain(CANARY);
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, workspace.id)));
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(['secret.write', 'secret.delete', 'connector.create', 'retention.policy.update', 'api.secret.write']));
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });
});
