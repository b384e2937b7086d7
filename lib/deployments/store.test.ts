/**
 * What runs where, on the real database with passports signed by the real gate (the console
 * scenario): matching by exact digest, environment and service; history and the timeline; drift
 * audited and notified through the outbox once while the digest keeps running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, notificationDeliveries } from '@/db/schema/runtime';
import { IMAGE_V1, IMAGE_V2, seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { ensureService } from '@/lib/gate/catalog';
import { evaluateGateRequest } from '@/lib/gate/service';
import { ProblemError } from '@/lib/http/problem';
import { slackMessage, type NotificationPayload } from '@/lib/notifications/events';
import { createEndpoint } from '@/lib/notifications/store';
import { savePolicy } from '@/lib/policy/store';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { environmentOf, environmentTimeline, listRunning, reportDeployment } from './store';
import { IMAGE_SEARCH, seedDeployments } from './testing';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-deployments-'));
const IMAGE_BATCH = `sha256:${'4'.repeat(64)}`;
const IMAGE_NEW = `sha256:${'5'.repeat(64)}`;
let db: RuntimeDb;
let scenario: Scenario;

const report = (environment: string, image: string, service: string | null = null, at?: Date) => reportDeployment(db, scenario.workspace, environment, { image, service }, TEST_AUDIT, at);
const byImage = async (environment: string) => {
  const env = await environmentOf(db, scenario.workspace.id, environment);
  return Object.fromEntries((await listRunning(db, scenario.workspace.id, { environmentIds: [env.id] })).map((view) => [view.image, view.match]));
};

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  scenario = await seedScenario(db, new FilesystemBlobStore(path.join(dataDir, 'blobs')), { emailDomain: 'deployments.example.test' });
  // batch has only a shadow policy: its passports record, they never allow.
  const batch = await ensureService(db, scenario.workspace.id, 'batch');
  await savePolicy(db, scenario.workspace.id, { serviceId: batch.id, environmentId: null }, { document: { mode: 'shadow', rules: [{ id: 'sbom', type: 'sbom-present' }] } });
  await evaluateGateRequest(db, scenario.workspace, { service: 'batch', environment: 'production', sourceSha: 'c'.repeat(40), imageDigest: IMAGE_BATCH, evidence: [], artifacts: [] }, { actorLabel: 'token ci' });
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('matching what runs to passports', () => {
  it('says passported only for a passport of that exact digest in that environment (and service) that allowed', async () => {
    await seedDeployments(db, scenario);
    const staging = await byImage('staging');
    expect(staging[`registry.example/checkout@${IMAGE_V1}`]).toMatchObject({ status: 'passported', passport: { id: scenario.outcomes.checkoutV1.passport.id, decision: 'allow' } });
    // Same digest, another service: payments' own passport denied it.
    expect(staging[`registry.example/payments@${IMAGE_V1}`]).toMatchObject({ status: 'drift', reason: 'the latest passport (advisory) denied it', passport: { id: scenario.outcomes.payments.passport.id } });

    const production = await byImage('production');
    expect(Object.keys(production).sort()).toEqual([`registry.example/checkout@${IMAGE_V2}`, 'registry.example/legacy:2.3', `registry.example/search@${IMAGE_SEARCH}`]);
    expect(production[`registry.example/checkout@${IMAGE_V2}`]).toMatchObject({ status: 'drift', passport: { id: scenario.outcomes.checkoutProduction.passport.id, decision: 'deny' } });
    expect(production['registry.example/legacy:2.3']).toMatchObject({ status: 'unpinned', passport: null });
    // Where one digest runs (a passport's page asks): exactly that digest.
    const env = await environmentOf(db, scenario.workspace.id, 'production');
    expect((await listRunning(db, scenario.workspace.id, { environmentIds: [env.id], digest: IMAGE_V2 })).map((view) => view.image)).toEqual([`registry.example/checkout@${IMAGE_V2}`]);
    expect(production[`registry.example/search@${IMAGE_SEARCH}`]).toMatchObject({ status: 'unpassported', passport: null });

    // checkout v1 has an allowing passport in staging only: in production it has none.
    const v1 = await report('production', `registry.example/checkout-canary@${IMAGE_V1}`);
    expect(v1.deployment.match).toEqual({ status: 'unpassported', reason: 'no passport for this digest in this environment', passport: null });
    // Without a service, the newest passport of the digest in the environment is judged (payments denied it after checkout's allow).
    expect((await report('staging', `registry.example/anything@${IMAGE_V1}`)).deployment.match).toMatchObject({ status: 'drift', passport: { service: 'payments' } });
    // A passport of another service does not vouch for this one.
    expect((await report('staging', `registry.example/web@${IMAGE_V1}`, 'web')).deployment.match.reason).toBe('no passport for this digest of service web in this environment');
  });

  it('counts shadow passports as no allowance', async () => {
    const { deployment } = await report('production', `registry.example/batch@${IMAGE_BATCH}`, 'batch');
    expect(deployment.match).toMatchObject({ status: 'drift', passport: { mode: 'shadow', service: 'batch' } });
    expect(deployment.match.reason).toContain('only shadow-mode passports');
  });

  it('refuses an unknown or archived environment with what to do', async () => {
    await expect(report('prod', `registry.example/api@${IMAGE_V1}`)).rejects.toThrow('This workspace has no environment "prod". Check the name, or create it first (rp environments create prod).');
    const error = await report('prod', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
  });
});

describe('history', () => {
  it('keeps one stint per image at a place; a new one replaces it, and the timeline says so', async () => {
    const env = await environmentOf(db, scenario.workspace.id, 'production');
    const again = await report('production', `registry.example/checkout@${IMAGE_V2}`, 'checkout');
    expect(again).toMatchObject({ started: [], kept: 1, gone: 0 });
    const timeline = await environmentTimeline(db, scenario.workspace.id, env);
    const checkout = timeline.filter((event) => event.deployment.location === 'checkout');
    expect(checkout.map((event) => [event.kind, event.deployment.image, event.replaced?.image ?? null])).toEqual([
      ['replaced', `registry.example/checkout@${IMAGE_V2}`, `registry.example/checkout@${IMAGE_V1}`],
      ['deployed', `registry.example/checkout@${IMAGE_V1}`, null],
    ]);
    expect(timeline.map((event) => event.at)).toEqual([...timeline.map((event) => event.at)].sort().reverse());
  });
});

describe('drift notifications', () => {
  it('audits and notifies a production digest without an allowing passport, once while it keeps running', async () => {
    const admin = { workspace: scenario.workspace, actor: { type: 'user' as const, id: scenario.members.admin.id, label: scenario.members.admin.email } };
    const { endpoint } = await createEndpoint(admin, { name: 'drift-hook', kind: 'webhook', url: 'http://127.0.0.1:9/drift', events: ['drift.detected'] });
    const deliveries = () => db.select().from(notificationDeliveries).where(and(eq(notificationDeliveries.workspaceId, scenario.workspace.id), eq(notificationDeliveries.endpointId, endpoint.id)));

    const first = await report('production', `registry.example/api@${IMAGE_NEW}`, 'api');
    expect(first.drift.map((view) => view.digest)).toEqual([IMAGE_NEW]);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ event: 'drift.detected', status: 'pending' });
    const payload = delivery!.payload as NotificationPayload;
    expect(payload.data).toMatchObject({
      workspace: scenario.workspace.slug,
      environment: 'production',
      deployment: { image: `registry.example/api@${IMAGE_NEW}`, digest: IMAGE_NEW, status: 'unpassported', source: 'report', location: 'api' },
    });
    expect(payload.data.deployment!.consoleUrl).toMatch(new RegExp(`/console/${scenario.workspace.slug}/environments/production$`));
    const slack = slackMessage(payload);
    expect(slack.text).toBe(`Drift detected (${scenario.workspace.slug}): production runs registry.example/api@${IMAGE_NEW}, deployed without a passport: no passport for this digest of service api in this environment. Seen by report at api.`);
    expect(JSON.stringify(slack.blocks)).toContain('"Open environment"');
    const [audited] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.action, 'deployment.drift'), eq(auditEvents.resourceId, 'production')))
      .orderBy(auditEvents.seq);
    expect(audited).toBeDefined();

    // Still running (again, or seen elsewhere in production): no second notification.
    await report('production', `registry.example/api@${IMAGE_NEW}`, 'api');
    expect((await report('production', `registry.example/api-worker@${IMAGE_NEW}`, 'api-worker')).drift).toEqual([]);
    // Staging is not production; a tag is not a digest.
    expect((await report('staging', `registry.example/api@${IMAGE_NEW}`, 'api')).drift).toEqual([]);
    expect((await report('production', 'registry.example/api:latest', 'api-tag')).drift).toEqual([]);
    expect(await deliveries()).toHaveLength(1);

    // Gone everywhere, then back: a new stint, notified again.
    await report('production', `registry.example/api@${IMAGE_V2}`, 'api');
    await report('production', `registry.example/api-worker@${IMAGE_V2}`, 'api-worker');
    expect((await report('production', `registry.example/api@${IMAGE_NEW}`, 'api')).drift).toHaveLength(1);
    expect(await deliveries()).toHaveLength(2);
  });
});
