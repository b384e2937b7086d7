/**
 * The deployments API through the real route and route wrapper: a token with deployment:report
 * reports, within its environment limits; every bad input is problem+json and writes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET, POST } from '@/app/api/v1/workspaces/[workspace]/environments/[environment]/deployments/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, deployments } from '@/db/schema/runtime';
import { IMAGE_V1, seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { apiRequest, testSessionCookie, testToken } from '@/lib/testing/identity';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-deployments-api-'));
let db: RuntimeDb;
let scenario: Scenario;
const tokens: Record<'deploy' | 'stagingOnly' | 'checkoutOnly' | 'ci', string> = { deploy: '', stagingOnly: '', checkoutOnly: '', ci: '' };
let viewerCookie = '';

async function call(method: 'GET' | 'POST', environment: string, who: { token?: string; cookie?: string }, json?: unknown) {
  const url = `/api/v1/workspaces/${scenario.workspace.slug}/environments/${environment}/deployments`;
  const route = method === 'GET' ? GET : POST;
  const response = await route(apiRequest(url, { method, json, ...who }), { params: Promise.resolve({ workspace: scenario.workspace.slug, environment }) });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> & { detail?: string } };
}

const rows = async () => db.select().from(deployments).where(eq(deployments.workspaceId, scenario.workspace.id));

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  scenario = await seedScenario(db, new FilesystemBlobStore(path.join(dataDir, 'blobs')), { emailDomain: 'deployments-api.example.test' });
  tokens.deploy = (await testToken(db, scenario.workspace, { name: 'deploy', scopes: ['deployment:report'] })).token;
  tokens.stagingOnly = (await testToken(db, scenario.workspace, { name: 'deploy-staging', scopes: ['deployment:report'], environments: ['staging'] })).token;
  tokens.checkoutOnly = (await testToken(db, scenario.workspace, { name: 'deploy-checkout', scopes: ['deployment:report'], services: ['checkout'] })).token;
  tokens.ci = (await testToken(db, scenario.workspace)).token;
  viewerCookie = (await testSessionCookie(db, scenario.members.viewer, [scenario.workspace.slug])).cookie;
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('POST …/environments/{environment}/deployments', () => {
  it('records what a deploy reports, matched to its passport, and audits the call', async () => {
    const answer = await call('POST', 'staging', { token: tokens.deploy }, { image: `registry.example/checkout@${IMAGE_V1}`, service: 'checkout' });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        replaced: 0,
        deployment: { environment: 'staging', source: 'report', location: 'checkout', digest: IMAGE_V1, service: 'checkout', match: { status: 'passported', passport: { id: scenario.outcomes.checkoutV1.passport.id } } },
      },
    });
    const [audited] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.resourceType, 'environment'), eq(auditEvents.resourceId, 'staging')));
    expect(audited).toMatchObject({ outcome: 'allow', details: { image: `registry.example/checkout@${IMAGE_V1}`, status: 'passported' } });

    const listed = await call('GET', 'staging', { token: tokens.ci });
    expect(listed.status).toBe(200);
    expect((listed.body.deployments as Array<{ image: string }>).map((view) => view.image)).toEqual([`registry.example/checkout@${IMAGE_V1}`]);
  });

  it('answers problem+json for every bad input and refusal, and writes nothing', async () => {
    const before = (await rows()).length;
    const image = `registry.example/api@${IMAGE_V1}`;
    const cases: Array<[string, { token?: string; cookie?: string }, unknown, number, string]> = [
      ['staging', { token: tokens.deploy }, { image: 'registry.example/api@sha256:short' }, 400, 'image'],
      ['staging', { token: tokens.deploy }, { image: 'not an image' }, 400, 'image'],
      ['staging', { token: tokens.deploy }, { image, service: 'Bad Service!' }, 400, 'service'],
      ['staging', { token: tokens.deploy }, {}, 400, 'image'],
      ['Bad Env', { token: tokens.deploy }, { image }, 400, 'environment'],
      ['qa', { token: tokens.deploy }, { image }, 404, 'rp environments create qa'],
      ['production', { token: tokens.stagingOnly }, { image }, 403, 'not valid for environment "production"'],
      ['staging', { token: tokens.ci }, { image }, 403, 'deployment:report'],
      ['staging', { token: tokens.checkoutOnly }, { image, service: 'payments' }, 403, 'not valid for service "payments"'],
      ['staging', { token: tokens.checkoutOnly }, { image }, 403, 'limited to services checkout and the report names none'],
      ['staging', { cookie: viewerCookie }, { image }, 403, 'deployment.report'],
    ];
    for (const [environment, who, body, status, says] of cases) {
      const answer = await call('POST', environment, who, body);
      expect(answer.status, `${environment} ${JSON.stringify(body)}`).toBe(status);
      expect(answer.type).toContain('application/problem+json');
      expect(`${answer.body.detail} ${JSON.stringify(answer.body.errors ?? [])}`).toContain(says);
    }
    expect(await rows()).toHaveLength(before);
    const refusals = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.outcome, 'deny'), eq(auditEvents.actorLabel, 'deploy-checkout')));
    expect(refusals.map((event) => event.reason).sort()).toEqual(['the token is limited to services checkout and the report names none', 'the token is not valid for service "payments"']);
  });
});
