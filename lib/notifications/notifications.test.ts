/**
 * Notifications end to end, on the real database, the real gate and the real worker, delivering to
 * local HTTP receivers (node:http on 127.0.0.1, which the test settings let the address guard
 * reach). The webhook receiver checks the Standard Webhooks signature itself, with its own HMAC.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, gateDecisions, notificationDeliveries, notificationEndpoints, secrets, type Role } from '@/db/schema/runtime';
import type { MemberActor } from '@/lib/access/can';
import { approveRelease, reevaluateFromConsole, rejectRelease, withdrawReleaseApproval } from '@/lib/console/approvals';
import type { ConsoleCaller } from '@/lib/console/authorize';
import { seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { evaluateGateRequest } from '@/lib/gate/service';
import { ProblemError } from '@/lib/http/problem';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { startTestHttpServer } from '@/lib/testing/http-server';
import { Worker } from '@/lib/worker/worker';
import { retryDelaySeconds } from './deliver';
import type { NotificationPayload } from './events';
import { createEndpoint, deleteEndpoint, listEndpoints, retryDelivery, sendTestEvent, type WorkspaceContext } from './store';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-notify-'));
let db: RuntimeDb;
let scenario: Scenario;
const receivers: Array<{ close(): Promise<void> }> = [];

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver answering each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  const server = await startTestHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      response.end('ok');
    });
  });
  const handle = { url: server.url, received, close: server.close };
  receivers.push(handle);
  return handle;
}

/** Standard Webhooks verification by the specification's reference library (`standardwebhooks`), as a receiver would check it. */
function verifySignature(secret: string, request: Received): boolean {
  const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]));
  try {
    new Webhook(secret).verify(request.body, headers);
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

function caller(role: Role): ConsoleCaller {
  const user = scenario.members[role];
  const actor: MemberActor = { type: 'member', userId: user.id, email: user.email, name: user.name, workspaceId: scenario.workspace.id, role, sessionId: null };
  return { actor, audit: { actor: { type: 'user', id: user.id, label: user.email }, requestId: `test-${role}` }, workspace: scenario.workspace };
}

const admin = (): WorkspaceContext => ({ workspace: scenario.workspace, actor: { type: 'user', id: scenario.members.admin.id, label: scenario.members.admin.email }, requestId: 'test-notify' });
const worker = new Worker({ id: 'notify-test', jobs: [] });

async function deliveriesOf(endpointId: string) {
  return db.select().from(notificationDeliveries).where(and(eq(notificationDeliveries.workspaceId, scenario.workspace.id), eq(notificationDeliveries.endpointId, endpointId))).orderBy(notificationDeliveries.createdAt);
}

/** Time passes: every pending delivery of the endpoint is due now. */
async function makeDue(endpointId: string) {
  await db.update(notificationDeliveries).set({ nextAttemptAt: sql`now()` }).where(and(eq(notificationDeliveries.endpointId, endpointId), eq(notificationDeliveries.status, 'pending')));
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  scenario = await seedScenario(db, new FilesystemBlobStore(path.join(dataDir, 'blobs')), { emailDomain: 'notify.example.test' });
});

afterEach(async () => {
  for (const endpoint of await listEndpoints(scenario.workspace.id, db)) await deleteEndpoint(admin(), endpoint.id);
  while (receivers.length) await receivers.pop()!.close();
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('signed webhooks', () => {
  it('a blocked release, its approval request (once per release) and its approval reach the receiver, signed', async () => {
    const hook = await receiver();
    const { endpoint, signingSecret } = await createEndpoint(admin(), {
      name: 'deploy-bot',
      kind: 'webhook',
      url: `${hook.url}/hooks/rp`,
      events: ['release.blocked', 'approval.requested', 'approval.approved'],
    });
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // Kept by reference: the endpoint row names the store entry, whose stored text is ciphertext.
    expect(endpoint.secretRef).toBe(`store:notifications/${endpoint.id}/signing-secret`);
    const [row] = await db.select().from(notificationEndpoints).where(eq(notificationEndpoints.id, endpoint.id));
    expect(JSON.stringify(row)).not.toContain(signingSecret!.slice(6));
    const stored = await db.select({ ciphertext: secrets.ciphertext }).from(secrets).where(eq(secrets.path, `notifications/${endpoint.id}/signing-secret`));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.ciphertext).not.toContain(signingSecret!.slice(6));

    const blocked = scenario.outcomes.checkoutBlocked.passport.id;
    const again = await reevaluateFromConsole(db, caller('admin'), blocked);
    expect(again).toMatchObject({ decision: 'deny', blocking: true });
    expect((await deliveriesOf(endpoint.id)).map((delivery) => [delivery.event, delivery.status]).sort()).toEqual([
      ['approval.requested', 'pending'],
      ['release.blocked', 'pending'],
    ]);
    // Nothing is sent in the request: only the worker sends.
    expect(hook.received).toHaveLength(0);

    expect((await worker.runOnce()).deliveries).toBe(2);
    expect(hook.received).toHaveLength(2);
    for (const request of hook.received) {
      expect(request.path).toBe('/hooks/rp');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
      expect(verifySignature(signingSecret!, request)).toBe(true);
      expect(verifySignature(`whsec_${crypto.randomBytes(32).toString('base64')}`, request)).toBe(false);
    }
    const received = () => hook.received.map((request) => ({ request, payload: JSON.parse(request.body) as NotificationPayload }));
    const ofType = (type: string) => received().filter((item) => item.payload.type === type);
    const blockedEvent = ofType('release.blocked')[0]!.payload;
    const requested = ofType('approval.requested')[0]?.payload;
    expect(blockedEvent).toMatchObject({
      type: 'release.blocked',
      data: {
        workspace: scenario.workspace.slug,
        service: 'checkout',
        environment: 'staging',
        release: { version: '4.2.0', chartVersion: '4.2.0', sourceSha: 'b'.repeat(40) },
        passport: { id: again.passportId },
        decision: { decision: 'deny', mode: 'enforce', blocking: true },
      },
    });
    expect(blockedEvent!.data.passport!.url).toMatch(new RegExp(`/console/${scenario.workspace.slug}/passports/${again.passportId}$`));
    expect(blockedEvent!.data.failingRules).toContainEqual(expect.objectContaining({ id: 'maintainer-approval', type: 'approvals', effect: 'deny' }));
    expect(requested!.type).toBe('approval.requested');
    const delivered = await deliveriesOf(endpoint.id);
    expect(delivered.every((delivery) => delivery.status === 'delivered' && delivery.attempts === 1 && delivery.lastStatusCode === 200 && delivery.lastDurationMs !== null)).toBe(true);

    // Judged again, still awaiting approval: blocked again, but the request is not repeated.
    await reevaluateFromConsole(db, caller('admin'), blocked);
    expect((await deliveriesOf(endpoint.id)).map((delivery) => delivery.event).sort()).toEqual(['approval.requested', 'release.blocked', 'release.blocked']);

    await approveRelease(db, caller('maintainer'), again.passportId, 'checked the SBOM');
    await worker.runOnce();
    const [{ payload: approved, request: approvedRequest }] = ofType('approval.approved') as [{ payload: NotificationPayload; request: Received }];
    expect(approved).toMatchObject({ type: 'approval.approved', data: { passport: { id: again.passportId }, signOff: { kind: 'approval', note: 'checked the SBOM', by: { email: scenario.members.maintainer.email, role: 'maintainer' } } } });
    expect(verifySignature(signingSecret!, approvedRequest)).toBe(true);

    const audited = await db.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.resourceId, endpoint.id)));
    expect(audited.map((event) => event.action)).toContain('notification.endpoint.create');
    // The release is blocked again for the tests below.
    await withdrawReleaseApproval(db, caller('maintainer'), again.passportId);
  });

  it('retries a failing receiver with growing, jittered waits, then delivers', async () => {
    const hook = await receiver([503, 500, 204]);
    const { endpoint, signingSecret } = await createEndpoint(admin(), { name: 'flaky', kind: 'webhook', url: hook.url, events: ['release.blocked'] });
    await sendTestEvent(admin(), endpoint.id);
    await worker.runOnce();
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ event: 'ping', status: 'pending', attempts: 1, lastStatusCode: 503 });
    expect(delivery!.lastError).toContain('answered 503');
    const firstWait = (delivery!.nextAttemptAt.getTime() - delivery!.lastAttemptAt!.getTime()) / 1000;
    expect(firstWait).toBeGreaterThanOrEqual(23);
    expect(firstWait).toBeLessThanOrEqual(37);
    // Not due yet: the worker leaves it.
    expect((await worker.runOnce()).deliveries).toBe(0);

    await makeDue(endpoint.id);
    await worker.runOnce();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 500 });
    const secondWait = (delivery!.nextAttemptAt.getTime() - delivery!.lastAttemptAt!.getTime()) / 1000;
    expect(secondWait).toBeGreaterThanOrEqual(95);
    expect(secondWait).toBeLessThanOrEqual(145);

    await makeDue(endpoint.id);
    await worker.runOnce();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });
    // The same message id on every attempt (receivers de-duplicate by it), each freshly signed.
    expect(new Set(hook.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(hook.received.every((request) => verifySignature(signingSecret!, request))).toBe(true);
  });

  it('gives up after the last retry', async () => {
    const hook = await receiver([502]);
    const { endpoint } = await createEndpoint(admin(), { name: 'down', kind: 'webhook', url: hook.url, events: ['release.blocked'] });
    await sendTestEvent(admin(), endpoint.id);
    for (let attempt = 0; attempt < 6; attempt++) {
      await makeDue(endpoint.id);
      await worker.runOnce();
    }
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 6, lastStatusCode: 502 });
    expect(delivery!.lastError).toContain('gave up after 6 attempts');
    expect(hook.received).toHaveLength(6);
  });

  it('410 Gone disables the endpoint; other 4xx fail at once and "Retry now" tries again', async () => {
    const gone = await receiver([410]);
    const { endpoint } = await createEndpoint(admin(), { name: 'gone', kind: 'webhook', url: gone.url, events: ['release.blocked'] });
    await sendTestEvent(admin(), endpoint.id);
    await worker.runOnce();
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    const [disabled] = await listEndpoints(scenario.workspace.id, db);
    expect(disabled).toMatchObject({ enabled: false });
    expect(disabled!.disabledReason).toContain('410 Gone');
    // A disabled endpoint gets nothing new.
    expect(await reevaluateFromConsole(db, caller('admin'), scenario.outcomes.checkoutBlocked.passport.id)).toMatchObject({ blocking: true });
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    await expect(sendTestEvent(admin(), endpoint.id)).rejects.toMatchObject({ status: 409 });

    const picky = await receiver([400, 200]);
    const other = await createEndpoint(admin(), { name: 'picky', kind: 'webhook', url: picky.url, events: ['release.blocked'] });
    await sendTestEvent(admin(), other.endpoint.id);
    await worker.runOnce();
    const [failed] = await deliveriesOf(other.endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
    expect(await retryDelivery(admin(), failed!.id)).toBe(true);
    await worker.runOnce();
    expect((await deliveriesOf(other.endpoint.id))[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
    expect(await retryDelivery(admin(), failed!.id)).toBe(false); // delivered: nothing to retry
  });

  it('the backoff schedule is 30 s, 2 min, 10 min, 1 h, 6 h (±20 %), then none', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => retryDelaySeconds(attempts, () => 0.5))).toEqual([30, 120, 600, 3600, 21600, null]);
    expect(retryDelaySeconds(1, () => 0)).toBe(24);
    expect(retryDelaySeconds(1, () => 1)).toBe(36);
  });
});

describe('Slack', () => {
  it('posts a Slack message to the stored URL on a rejection, and never shows or logs the URL', async () => {
    const slack = await receiver();
    const slackUrl = `${slack.url}/services/T000/B000/${crypto.randomBytes(12).toString('hex')}`;
    const { endpoint, signingSecret } = await createEndpoint(admin(), { name: 'team-channel', kind: 'slack', slackUrl, events: ['approval.rejected'] });
    expect(signingSecret).toBeNull();
    expect(endpoint).toMatchObject({ url: null, secretRef: `store:notifications/${endpoint.id}/slack-url` });
    const [row] = await db.select().from(notificationEndpoints).where(eq(notificationEndpoints.id, endpoint.id));
    expect(JSON.stringify(row)).not.toContain('/services/');

    const passport = scenario.outcomes.checkoutProduction.passport.id;
    await rejectRelease(db, caller('maintainer'), passport, 'the <SBOM> is out of date');
    await worker.runOnce();
    expect(slack.received).toHaveLength(1);
    const [request] = slack.received;
    expect(request!.path).toBe(new URL(slackUrl).pathname);
    expect(request!.headers['webhook-signature']).toBeUndefined();
    const message = JSON.parse(request!.body) as { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ url: string }> }> };
    expect(message.text).toBe(`Release rejected: checkout 4.2.0 → production`);
    expect(message.blocks[0]!.text!.text).toContain('Rejected by');
    expect(message.blocks[0]!.text!.text).toContain('the &lt;SBOM&gt; is out of date');
    expect(message.blocks[1]!.elements![0]!.url).toContain(`/passports/${passport}`);
    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries).toMatchObject([{ event: 'approval.rejected', status: 'delivered', lastStatusCode: 200 }]);
  });

  it('a Slack endpoint needs its URL or a reference, and a webhook its URL; wrong input names the field', async () => {
    const refused = async (input: Parameters<typeof createEndpoint>[1]) => {
      try {
        await createEndpoint(admin(), input);
      } catch (error) {
        expect(error).toBeInstanceOf(ProblemError);
        return { status: (error as ProblemError).status, paths: ((error as ProblemError).errors ?? []).map((item) => item.path) };
      }
      throw new Error('not refused');
    };
    expect(await refused({ name: 'x', kind: 'slack', events: ['release.blocked'] })).toEqual({ status: 400, paths: ['slackUrl'] });
    expect(await refused({ name: 'x', kind: 'webhook', events: ['release.blocked'] })).toEqual({ status: 400, paths: ['url'] });
    expect(await refused({ name: 'x', kind: 'webhook', url: 'ftp://example.com', events: ['release.blocked'] })).toEqual({ status: 400, paths: ['url'] });
    expect(await refused({ name: 'x', kind: 'webhook', url: 'https://example.com', events: [] })).toEqual({ status: 400, paths: ['events'] });
    expect(await refused({ name: 'x', kind: 'webhook', url: 'https://example.com', events: ['deployment.finished' as never] })).toEqual({ status: 400, paths: ['events.0'] });
    // A reference the notification flow may not read (another environment's connector secret).
    expect(await refused({ name: 'x', kind: 'webhook', url: 'https://example.com', events: ['release.blocked'], secretRef: 'store:production/token' })).toEqual({ status: 400, paths: ['secretRef'] });
    await createEndpoint(admin(), { name: 'taken', kind: 'webhook', url: 'https://example.com/a', events: ['release.blocked'] });
    expect(await refused({ name: 'taken', kind: 'webhook', url: 'https://example.com/b', events: ['release.blocked'] })).toEqual({ status: 409, paths: ['name'] });
  });
});

describe('the outbox', () => {
  const countAll = async () => Number((await db.execute(sql`select count(*)::int as n from notification_deliveries where workspace_id = ${scenario.workspace.id}`) as unknown as Array<{ n: number }>)[0]!.n);

  it('a refused gate call enqueues nothing; a decision that fails to record takes its notifications with it', async () => {
    const hook = await receiver();
    await createEndpoint(admin(), { name: 'all', kind: 'webhook', url: hook.url, events: ['release.blocked', 'approval.requested'] });
    const request = { service: 'checkout', environment: 'staging', sourceSha: 'c'.repeat(40), imageDigest: `sha256:${'3'.repeat(64)}`, evidence: ['f'.repeat(64)], artifacts: [] };
    await expect(evaluateGateRequest(db, scenario.workspace, request, { actorLabel: 'test' })).rejects.toMatchObject({ status: 422 });
    expect(await countAll()).toBe(0);

    // The recording statement fails (a trigger refuses the passport): no decision, no delivery.
    await db.execute(sql`create function refuse_passport() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`);
    await db.execute(sql`create trigger refuse_passport before insert on passports for each row execute function refuse_passport()`);
    const decisionsBefore = (await db.select({ id: gateDecisions.id }).from(gateDecisions).where(eq(gateDecisions.workspaceId, scenario.workspace.id))).length;
    try {
      await expect(reevaluateFromConsole(db, caller('admin'), scenario.outcomes.checkoutBlocked.passport.id)).rejects.toThrow();
    } finally {
      await db.execute(sql`drop trigger refuse_passport on passports`);
      await db.execute(sql`drop function refuse_passport()`);
    }
    expect((await db.select({ id: gateDecisions.id }).from(gateDecisions).where(eq(gateDecisions.workspaceId, scenario.workspace.id))).length).toBe(decisionsBefore);
    expect(await countAll()).toBe(0);

    // The same call, recorded: its notifications are there.
    expect(await reevaluateFromConsole(db, caller('admin'), scenario.outcomes.checkoutBlocked.passport.id)).toMatchObject({ blocking: true });
    expect(await countAll()).toBeGreaterThan(0);
    await worker.runOnce();
    expect(hook.received.length).toBeGreaterThan(0);
  });
});
