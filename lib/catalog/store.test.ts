/**
 * Services and environments, managed: the data access against the real database, and the gate
 * as CI meets it (a new environment starts non-production and unclassified; an archived one is
 * refused, its history still readable). Every change is in the audit log, refusals too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, passports } from '@/db/schema/runtime';
import type { MemberActor, Actor } from '@/lib/access/can';
import type { AuditContext } from '@/lib/audit/event';
import { problemOf } from '@/lib/evidence/testing/fixtures';
import { evaluateGateRequest, type GateRequest } from '@/lib/gate/service';
import { configureSecrets } from '@/lib/secrets';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import {
  createEnvironment,
  createService,
  listManagedEnvironments,
  listManagedServices,
  moveEnvironment,
  setPromotionOrder,
  unclassifiedEnvironments,
  updateEnvironment,
  updateService,
} from './store';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-catalog-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
let other: WorkspaceRef;
const actors = {} as Record<'admin' | 'maintainer' | 'developer', MemberActor & { audit: AuditContext }>;
let maintainerEmail = '';

function member(user: { id: string; email: string }, role: MemberActor['role'], workspaceId: string): MemberActor & { audit: AuditContext } {
  return {
    type: 'member',
    userId: user.id,
    email: user.email,
    name: '',
    workspaceId,
    role,
    sessionId: null,
    audit: { actor: { type: 'user', id: user.id, label: user.email } },
  };
}

const as = (who: keyof typeof actors): [Actor, AuditContext] => [actors[who], actors[who].audit];

function release(overrides: Partial<GateRequest> = {}): GateRequest {
  return { service: 'checkout', environment: 'eu-west', sourceSha: 'c'.repeat(40), imageDigest: `sha256:${'ab'.repeat(32)}`, evidence: [], artifacts: [], ...overrides };
}

async function lastEvent(action: string) {
  const [event] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspace.id), eq(auditEvents.action, action)))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return event;
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'acme');
  other = await testWorkspace(db, 'globex');
  for (const role of ['admin', 'maintainer', 'developer'] as const) {
    const user = await testMember(db, workspace, role);
    actors[role] = member(user, role, workspace.id);
    if (role === 'maintainer') maintainerEmail = user.email;
  }
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('an environment the gate creates', () => {
  it('starts non-production and unclassified, whatever its name, until an admin sets its tier (audited)', async () => {
    await evaluateGateRequest(db, workspace, release({ environment: 'prod' }), { actorLabel: 'token ci' });
    await evaluateGateRequest(db, workspace, release({ environment: 'eu-west' }), { actorLabel: 'token ci' });
    const [prod, euWest] = await Promise.all(['prod', 'eu-west'].map(async (slug) => (await listManagedEnvironments(db, workspace.id)).find((e) => e.slug === slug)));
    expect(prod).toMatchObject({ tier: 'non-production', classified: false, tierSetAt: null, archived: false });
    expect(euWest).toMatchObject({ tier: 'non-production', classified: false });
    expect((await unclassifiedEnvironments(db, workspace.id)).map((e) => e.slug).sort()).toEqual(['eu-west', 'prod']);

    const classified = await updateEnvironment(db, workspace.id, ...with_('admin', 'eu-west', { tier: 'production' }));
    expect(classified).toMatchObject({ slug: 'eu-west', tier: 'production', classified: true });
    expect(await lastEvent('environment.tier')).toMatchObject({
      outcome: 'allow',
      actorLabel: actors.admin.email,
      resourceType: 'environment',
      resourceId: 'eu-west',
      details: { from: 'non-production', to: 'production', wasClassified: false },
    });
    // Confirming the tier it has classifies it too.
    expect(await updateEnvironment(db, workspace.id, ...with_('admin', 'prod', { tier: 'non-production' }))).toMatchObject({ tier: 'non-production', classified: true });
    expect(await unclassifiedEnvironments(db, workspace.id)).toEqual([]);

    // The gate reads the tier: enforce mode in production now needs the license.
    const outcome = await evaluateGateRequest(db, workspace, release({ environment: 'eu-west', sourceSha: 'd'.repeat(40) }), { actorLabel: 'token ci' });
    expect(outcome.release.environment).toBe('eu-west');
    const [passport] = await db.select({ payload: passports.payload }).from(passports).where(eq(passports.id, outcome.passport.id));
    expect(JSON.parse(passport!.payload).predicate.release.production).toBe(true);
  });

  it('refuses a tier change to anyone but an admin, and audits the refusal', async () => {
    const problem = await problemOf(updateEnvironment(db, workspace.id, ...with_('maintainer', 'eu-west', { tier: 'non-production' })));
    expect(problem.status).toBe(403);
    expect(problem.message).toContain('environment.tier');
    expect(await lastEvent('environment.tier')).toMatchObject({ outcome: 'deny', actorLabel: maintainerEmail, resourceId: 'eu-west', reason: 'the maintainer role does not grant environment.tier' });
    expect((await listManagedEnvironments(db, workspace.id)).find((e) => e.slug === 'eu-west')).toMatchObject({ tier: 'production' });
    // Nor when creating one with a tier.
    expect((await problemOf(createEnvironment(db, workspace.id, actors.maintainer, { slug: 'dr', tier: 'production' }, actors.maintainer.audit))).status).toBe(403);
    // A maintainer creates one without a tier: non-production, unclassified.
    expect(await createEnvironment(db, workspace.id, actors.maintainer, { slug: 'dr', name: 'Disaster recovery' }, actors.maintainer.audit)).toMatchObject({
      slug: 'dr',
      name: 'Disaster recovery',
      tier: 'non-production',
      classified: false,
    });
    // A developer manages nothing.
    expect((await problemOf(createService(db, workspace.id, actors.developer, { slug: 'web' }, actors.developer.audit))).status).toBe(403);
  });
});

describe('archiving', () => {
  it('makes the gate refuse new releases with a 409 naming it and how to unarchive; the history stays readable', async () => {
    await updateEnvironment(db, workspace.id, ...with_('maintainer', 'prod', { archived: true }));
    expect(await lastEvent('environment.archive')).toMatchObject({ outcome: 'allow', resourceId: 'prod' });
    const before = await db.select({ id: passports.id }).from(passports).where(eq(passports.workspaceId, workspace.id));

    const problem = await problemOf(evaluateGateRequest(db, workspace, release({ environment: 'prod', sourceSha: 'e'.repeat(40) }), { actorLabel: 'token ci' }));
    expect(problem.status).toBe(409);
    expect(problem.message).toContain('environment "prod" is archived in workspace "acme"');
    expect(problem.message).toContain('rp environments update prod --unarchive');
    expect(await db.select({ id: passports.id }).from(passports).where(eq(passports.workspaceId, workspace.id))).toHaveLength(before.length);
    // Listed only on request, with its history (passports) untouched.
    expect((await listManagedEnvironments(db, workspace.id)).map((e) => e.slug)).not.toContain('prod');
    expect((await listManagedEnvironments(db, workspace.id, { includeArchived: true })).find((e) => e.slug === 'prod')).toMatchObject({ archived: true });

    await updateService(db, workspace.id, ...with_s('maintainer', 'checkout', { archived: true }));
    const both = await problemOf(evaluateGateRequest(db, workspace, release({ environment: 'prod', sourceSha: 'e'.repeat(40) }), { actorLabel: 'token ci' }));
    expect(both.message).toContain('service "checkout" and environment "prod" are archived');

    await updateService(db, workspace.id, ...with_s('maintainer', 'checkout', { archived: false }));
    await updateEnvironment(db, workspace.id, ...with_('maintainer', 'prod', { archived: false }));
    expect(await lastEvent('environment.unarchive')).toMatchObject({ outcome: 'allow' });
    const outcome = await evaluateGateRequest(db, workspace, release({ environment: 'prod', sourceSha: 'e'.repeat(40) }), { actorLabel: 'token ci' });
    expect(outcome.decisionId).toBeTruthy();
  });
});

describe('services: rename and owners', () => {
  it('renames the display name (the slug stays) and sets owners among the members only', async () => {
    const created = await createService(db, workspace.id, actors.maintainer, { slug: 'payments', name: 'Payments', owners: [maintainerEmail.toUpperCase()] }, actors.maintainer.audit);
    expect(created).toMatchObject({ slug: 'payments', name: 'Payments', owners: [{ email: maintainerEmail }] });
    expect((await problemOf(createService(db, workspace.id, actors.maintainer, { slug: 'payments' }, actors.maintainer.audit))).status).toBe(409);

    const renamed = await updateService(db, workspace.id, ...with_s('maintainer', 'payments', { name: 'Payments API', owners: [actors.admin.email, maintainerEmail] }));
    expect(renamed.slug).toBe('payments');
    expect(renamed.name).toBe('Payments API');
    expect(renamed.owners.map((owner) => owner.email).sort()).toEqual([actors.admin.email, maintainerEmail].sort());
    expect(await lastEvent('service.update')).toMatchObject({ details: { name: { from: 'Payments', to: 'Payments API' } } });

    const outsider = await testMember(db, other, 'admin');
    const problem = await problemOf(updateService(db, workspace.id, ...with_s('maintainer', 'payments', { owners: [outsider.email] })));
    expect(problem.status).toBe(400);
    expect(problem.message).toContain(`"${outsider.email}" is not`);
    expect((await problemOf(updateService(db, workspace.id, ...with_s('maintainer', 'nope', { name: 'x' })))).status).toBe(404);
  });

  it('keeps each workspace to its own services', async () => {
    expect(await listManagedServices(db, other.id)).toEqual([]);
    const admin = await testMember(db, other, 'admin');
    const stranger = member(admin, 'admin', other.id);
    // An admin of another workspace cannot act here, and the other workspace has no "payments".
    expect((await problemOf(updateService(db, workspace.id, stranger, 'payments', { name: 'x' }, stranger.audit))).status).toBe(403);
    expect((await problemOf(updateService(db, other.id, stranger, 'payments', { name: 'x' }, stranger.audit))).status).toBe(404);
  });
});

describe('the promotion order', () => {
  it('places the named environments first, in order; the others follow; up and down move one place', async () => {
    await createEnvironment(db, workspace.id, actors.admin, { slug: 'dev', tier: 'non-production' }, actors.admin.audit);
    await createEnvironment(db, workspace.id, actors.admin, { slug: 'staging', tier: 'non-production' }, actors.admin.audit);
    const ordered = await setPromotionOrder(db, workspace.id, ...order('maintainer', ['dev', 'staging', 'eu-west']));
    expect(ordered.map((e) => [e.slug, e.position])).toEqual([
      ['dev', 0],
      ['staging', 1],
      ['eu-west', 2],
      ['dr', null],
      ['prod', null],
    ]);
    expect(await lastEvent('environment.order')).toMatchObject({ details: { from: [], to: ['dev', 'staging', 'eu-west'] } });

    const moved = await moveEnvironment(db, workspace.id, actors.maintainer, 'staging', 'up', actors.maintainer.audit);
    expect(moved.map((e) => e.slug)).toEqual(['staging', 'dev', 'eu-west', 'dr', 'prod']);

    const unknown = await problemOf(setPromotionOrder(db, workspace.id, ...order('maintainer', ['dev', 'qa'])));
    expect(unknown.status).toBe(400);
    expect(unknown.message).toContain('no environment "qa"');
    expect((await problemOf(setPromotionOrder(db, workspace.id, ...order('maintainer', ['dev', 'dev'])))).status).toBe(400);
    expect((await problemOf(setPromotionOrder(db, workspace.id, ...order('developer', ['dev'])))).status).toBe(403);
  });
});

function with_(who: keyof typeof actors, slug: string, change: Parameters<typeof updateEnvironment>[4]): [Actor, string, typeof change, AuditContext] {
  return [actors[who], slug, change, actors[who].audit];
}
function with_s(who: keyof typeof actors, slug: string, change: Parameters<typeof updateService>[4]): [Actor, string, typeof change, AuditContext] {
  return [actors[who], slug, change, actors[who].audit];
}
function order(who: keyof typeof actors, slugs: string[]): [Actor, string[], AuditContext] {
  const [actor, audit] = as(who);
  return [actor, slugs, audit];
}
