import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { auditEvents, comments, evidence as evidenceTable, policies, type Role } from '@/db/schema/runtime';
import type { MemberActor } from '@/lib/access/can';
import { problemOf } from '@/lib/evidence/testing/fixtures';
import { evaluateGateRequest, type GateOutcome } from '@/lib/gate/service';
import { savePolicy } from '@/lib/policy/store';
import { configureSecrets } from '@/lib/secrets';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { approveAndJudgeAgain, approveRelease, reevaluateFromConsole, rejectAndJudgeAgain, rejectRelease, withdrawReleaseApproval, withdrawReleaseRejection } from './approvals';
import { awaitingApproval } from './awaiting-approval';
import { newerPassport } from '@/lib/passport/store';
import { listAuditEvents, verifyWorkspaceChain } from './audit';
import { labelAuditResources, resourceLabelOf } from './audit-resources';
import type { ConsoleCaller } from './authorize';
import { addComment } from './comments';
import { workspaceOverview } from './overview';
import { passportView } from './passport-detail';
import { comparePassports } from './passport-compare';
import { policyDetail, shadowReport, switchPolicyMode, updatePolicyRules, validatePolicyDocument } from './policies';
import { IMAGE_V1, IMAGE_V2, SOURCE_V2, seedScenario, type Scenario } from './testing/scenario';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-console-'));
const store = new FilesystemBlobStore(path.join(dataDir, 'blobs'));
let db: RuntimeDb;
let scenario: Scenario;

function caller(role: Role): ConsoleCaller {
  const user = scenario.members[role];
  const actor: MemberActor = { type: 'member', userId: user.id, email: user.email, name: user.name, workspaceId: scenario.workspace.id, role, sessionId: null };
  return { actor, audit: { actor: { type: 'user', id: user.id, label: user.email }, requestId: `test-${role}`, ip: '127.0.0.1' }, workspace: scenario.workspace };
}

async function lastEvent(action: string) {
  const [event] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.action, action)))
    .orderBy(sql`seq desc`)
    .limit(1);
  return event;
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
});

/** Each group of tests gets a story of its own, so none depends on what another changed or ran first. */
function withOwnScenario(per: 'group' | 'test' = 'group'): void {
  (per === 'test' ? beforeEach : beforeAll)(async () => {
    scenario = await seedScenario(db, store, { emailDomain: `${crypto.randomUUID().slice(0, 8)}.example.test` });
  });
}

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a passport as the console shows it', () => {
  withOwnScenario();

  it('shows the release, each rule with measured value and threshold, fresh evidence, and a signature verified on the server', async () => {
    const view = (await passportView(db, scenario.workspace, scenario.outcomes.checkoutBlocked.passport.id))!;
    expect(view).toMatchObject({ decision: 'deny', mode: 'enforce', blocking: true, release: { service: 'checkout', environment: 'staging', imageDigest: IMAGE_V2, sourceSha: SOURCE_V2 } });
    expect(view.policy).toMatchObject({ name: 'Checkout release policy', version: 1, currentVersion: 1 });
    const approval = view.reasons.find((reason) => reason.ruleId === 'maintainer-approval')!;
    expect(approval).toMatchObject({ status: 'fail', effect: 'deny', measured: { approvals: 0 }, threshold: { count: 1, role: 'maintainer' }, description: 'A maintainer signs off every checkout release.' });
    expect(view.evidence.map((item) => [item.kind, item.now.freshness])).toEqual([
      ['sarif', 'fresh'],
      ['sbom', 'fresh'],
    ]);
    expect(view.evidence.find((item) => item.kind === 'sbom')!.summary).toBe('cyclonedx 1.5: 2 components, 1 license');
    expect(view.signature).toMatchObject({ valid: true, keyStatus: 'active', reason: null });
    expect(view.replay.match).toBe(true);
    expect(view.approvalRules).toEqual([{ ruleId: 'maintainer-approval', count: 1, role: 'maintainer', have: 0, rejections: 0, forbidRequesterApproval: false }]);
  });

  it('judges evidence against the policy’s age limit, and a week without one', async () => {
    const view = (await passportView(db, scenario.workspace, scenario.outcomes.payments.passport.id))!;
    const sbom = view.evidence.find((item) => item.kind === 'sbom')!;
    expect(sbom.now).toMatchObject({ freshness: 'stale', maxAgeHours: 168, limitFrom: { ruleId: 'fresh-sbom' } });
    expect(sbom.atEvaluation.freshness).toBe('stale');
    expect(view.reasons.find((reason) => reason.ruleId === 'fresh-sbom')).toMatchObject({ status: 'stale' });
  });

  it('says when a stored passport no longer matches its signature', async () => {
    const id = scenario.outcomes.checkoutV1.passport.id;
    const other = scenario.outcomes.payments.passport.envelope.signatures[0]!.sig;
    await db.execute(sql`update passports set envelope = jsonb_set(envelope, '{signatures,0,sig}', to_jsonb(${other}::text)) where id = ${id}`);
    try {
      const view = (await passportView(db, scenario.workspace, id))!;
      expect(view.signature.valid).toBe(false);
      expect(view.signature.reason).toMatch(/altered after signing|not canonical/);
    } finally {
      const original = scenario.outcomes.checkoutV1.passport.envelope;
      await db.execute(sql`update passports set envelope = ${JSON.stringify(original)}::jsonb where id = ${id}`);
    }
  });

  it('says when the stored payload text no longer matches its signature', async () => {
    const id = scenario.outcomes.checkoutBlocked.passport.id;
    const [row] = rowsOf<{ payload: string }>(await db.execute(sql`select payload from passports where id = ${id}`));
    expect(row!.payload).toContain('"staging"');
    // As someone with write access to the database would: the release's environment, moved to production.
    await db.execute(sql`update passports set payload = replace(payload, '"staging"', '"production"') where id = ${id}`);
    try {
      const view = (await passportView(db, scenario.workspace, id))!;
      expect(view.signature.valid).toBe(false);
      expect(view.signature.reason).toMatch(/altered after signing/);
    } finally {
      await db.execute(sql`update passports set payload = ${row!.payload} where id = ${id}`);
    }
  });

  it('is not found in another workspace, or for an id that is not one', async () => {
    expect(await passportView(db, { id: '00000000-0000-4000-8000-000000000000', slug: 'other' }, scenario.outcomes.checkoutBlocked.passport.id)).toBeNull();
    expect(await passportView(db, scenario.workspace, 'nope')).toBeNull();
  });
});

describe('two passports compared', () => {
  withOwnScenario();

  it('shows the decision, the policy version and each rule that changed between two releases of a service', async () => {
    const { checkoutV1, checkoutBlocked } = scenario.outcomes;
    const comparison = (await comparePassports(db, scenario.workspace.id, checkoutV1.passport.id, checkoutBlocked.passport.id))!;
    expect(comparison.before).toMatchObject({ id: checkoutV1.passport.id, decision: 'allow', imageDigest: IMAGE_V1 });
    expect(comparison.after).toMatchObject({ id: checkoutBlocked.passport.id, decision: 'deny', blocking: true, imageDigest: IMAGE_V2, policy: { name: 'Checkout release policy', version: 1 } });
    // The same SBOM and SARIF were judged both times.
    expect(comparison.evidence).toEqual({ added: [], removed: [], unchanged: 2 });
    // The checkout policy brought the sign-off rule: no result before, a failure now.
    expect(comparison.rules.find((rule) => rule.ruleId === 'maintainer-approval')).toMatchObject({ before: null, after: { status: 'fail' } });
    expect(comparison.findings).toEqual({ added: [], removed: [] });
    // The passport page offers exactly this comparison: the previous release in the same environment.
    expect((await passportView(db, scenario.workspace, checkoutBlocked.passport.id))!.previousRelease).toMatchObject({ id: checkoutV1.passport.id, decision: 'allow' });
    expect((await passportView(db, scenario.workspace, checkoutV1.passport.id))!.previousRelease).toBeNull();
  });

  it('lists evidence and SARIF findings added and removed', async () => {
    const { checkoutBlocked, payments } = scenario.outcomes;
    const comparison = (await comparePassports(db, scenario.workspace.id, checkoutBlocked.passport.id, payments.passport.id))!;
    expect(comparison.evidence.added.map((item) => item.kind).sort()).toEqual(['sarif', 'sbom']);
    expect(comparison.evidence.removed.map((item) => item.kind).sort()).toEqual(['sarif', 'sbom']);
    expect(comparison.findings.added).toEqual([expect.objectContaining({ severity: 'high', ruleId: 'js/sql-injection', file: 'src/db/orders.ts', line: 42 })]);
    expect(comparison.findings.removed).toEqual([]);
    // And the other way round, what was fixed.
    const back = (await comparePassports(db, scenario.workspace.id, payments.passport.id, checkoutBlocked.passport.id))!;
    expect(back.findings.removed.map((finding) => finding.ruleId)).toEqual(['js/sql-injection']);
  });

  it('is nothing for an id of another workspace or one that is no passport id', async () => {
    const { checkoutV1 } = scenario.outcomes;
    expect(await comparePassports(db, '00000000-0000-4000-8000-000000000000', checkoutV1.passport.id, checkoutV1.passport.id)).toBeNull();
    expect(await comparePassports(db, scenario.workspace.id, checkoutV1.passport.id, 'nope')).toBeNull();
  });
});

describe('comments', () => {
  withOwnScenario();

  it('stores a comment with secrets redacted, and audits it with its text', async () => {
    const passportId = scenario.outcomes.checkoutBlocked.passport.id;
    const token = 'rp_' + 'x'.repeat(46);
    const result = await addComment(db, caller('developer'), passportId, `  Blocked on sign-off; CI used ${token}  `);
    expect(result.redacted).toBe(1);
    const [row] = await db.select().from(comments).where(eq(comments.id, result.id));
    expect(row!.body).toBe('Blocked on sign-off; CI used [redacted:release-passport-token]');
    const event = await lastEvent('comment.create');
    expect(event).toMatchObject({ outcome: 'allow', actorLabel: scenario.members.developer.email, resourceId: passportId });
    expect(JSON.stringify(event!.details)).not.toContain(token);
    const view = (await passportView(db, scenario.workspace, passportId))!;
    expect(view.comments.map((comment) => [comment.author.email, comment.body])).toEqual([[scenario.members.developer.email, row!.body]]);
  });

  it('refuses a viewer (audited) and an empty comment', async () => {
    const passportId = scenario.outcomes.checkoutBlocked.passport.id;
    expect((await problemOf(addComment(db, caller('viewer'), passportId, 'hello'))).status).toBe(403);
    expect(await lastEvent('comment.create')).toMatchObject({ outcome: 'deny', actorLabel: scenario.members.viewer.email, reason: 'the viewer role does not grant comment.write' });
    const empty = await problemOf(addComment(db, caller('developer'), passportId, '   '));
    expect(empty.errors).toEqual([{ path: 'body', message: 'The comment is empty.' }]);
  });
});

describe('approvals', () => {
  // Approving and judging again change the release: each test starts from the seeded state.
  withOwnScenario('test');

  it('the overview’s queue: a release short of approvals awaits the maintainers who may give one, not a developer; an approver sees their own', async () => {
    const { pairs } = await workspaceOverview(db, scenario.workspace.id);
    const queueFor = async (role: Role) => (await awaitingApproval(db, scenario.workspace.id, pairs, caller(role).actor)).map((item) => ({ release: `${item.pair.service}/${item.pair.environment}`, needs: item.pair.approvalsNeeded, awaitingYou: item.awaitingYou, approvedByYou: item.approvedByYou }));
    const needs = [{ ruleId: 'maintainer-approval', count: 1, role: 'maintainer', have: 0 }];
    const staging = { release: 'checkout/staging', needs };
    const production = { release: 'checkout/production', needs };
    expect(await queueFor('maintainer')).toEqual([
      { ...staging, awaitingYou: true, approvedByYou: false },
      { ...production, awaitingYou: true, approvedByYou: false },
    ]);
    expect((await queueFor('developer')).map((item) => item.awaitingYou)).toEqual([false, false]);
    await approveRelease(db, caller('maintainer'), scenario.outcomes.checkoutBlocked.passport.id, null);
    expect(await queueFor('maintainer')).toEqual([
      { ...staging, awaitingYou: false, approvedByYou: true },
      { ...production, awaitingYou: true, approvedByYou: false },
    ]);
    expect((await queueFor('admin')).map((item) => item.awaitingYou)).toEqual([true, true]);
  });

  it('only maintainers and admins approve; the approval is audited and the next evaluation counts it', async () => {
    const blocked = scenario.outcomes.checkoutBlocked;
    expect((await problemOf(approveRelease(db, caller('developer'), blocked.passport.id, null))).status).toBe(403);
    expect(await lastEvent('approval.create')).toMatchObject({ outcome: 'deny', reason: 'the developer role does not grant approval.write' });

    expect(await approveRelease(db, caller('maintainer'), blocked.passport.id, 'Reviewed the diff and the SBOM.')).toEqual({ created: true });
    expect(await approveRelease(db, caller('maintainer'), blocked.passport.id, null)).toEqual({ created: false });
    expect(await lastEvent('approval.create')).toMatchObject({ outcome: 'allow', resourceType: 'release', resourceId: blocked.release.id, details: { role: 'maintainer', note: 'Reviewed the diff and the SBOM.' } });

    const view = (await passportView(db, scenario.workspace, blocked.passport.id))!;
    expect(view.approvals.map((approval) => [approval.email, approval.role])).toEqual([[scenario.members.maintainer.email, 'maintainer']]);
    expect(view.approvalsJudged).toEqual([]);

    const again = await evaluateGateRequest(
      db,
      scenario.workspace,
      { service: 'checkout', environment: 'staging', sourceSha: SOURCE_V2, imageDigest: IMAGE_V2, chartVersion: '4.2.0', evidence: view.evidence.map((item) => item.sha256), artifacts: [] },
      { actorLabel: 'token ci-deploy' },
    );
    expect(again).toMatchObject({ decision: 'allow', blocking: false });
    expect(again.reasons.find((reason) => reason.ruleId === 'maintainer-approval')).toMatchObject({ status: 'pass', measured: { approvals: 1 } });

    expect(await withdrawReleaseApproval(db, caller('maintainer'), blocked.passport.id)).toEqual({ withdrawn: true });
    expect(await lastEvent('approval.withdraw')).toMatchObject({ outcome: 'allow' });
  });

  it('judging a release again from the console: its passport’s request with today’s approvals, a newer passport of the same release; viewers may not', async () => {
    const blocked = scenario.outcomes.checkoutBlocked;
    expect((await problemOf(reevaluateFromConsole(db, caller('viewer'), blocked.passport.id))).status).toBe(403);
    await approveRelease(db, caller('maintainer'), blocked.passport.id, 'Reviewed.');
    const again = await reevaluateFromConsole(db, caller('maintainer'), blocked.passport.id);
    expect(again).toMatchObject({ decision: 'allow', blocking: false });
    expect(again.passportId).not.toBe(blocked.passport.id);
    expect(await newerPassport(db, scenario.workspace.id, blocked.passport.id)).toMatchObject({ id: again.passportId, decision: 'allow', blocking: false });
    const newest = await newerPassport(db, scenario.workspace.id, again.passportId);
    expect(newest, JSON.stringify({ newest, again, blocked: blocked.passport.id })).toBeNull();
    const judged = (await passportView(db, scenario.workspace, again.passportId))!;
    expect(judged.release).toMatchObject({ service: 'checkout', environment: 'staging', sourceSha: SOURCE_V2, imageDigest: IMAGE_V2 });
    expect(judged.evidence.map((item) => item.sha256).sort()).toEqual((await passportView(db, scenario.workspace, blocked.passport.id))!.evidence.map((item) => item.sha256).sort());
    expect(judged.requestedBy).toMatchObject({ type: 'user', label: scenario.members.maintainer.email });
  });

  it('Approve judges the release again with the approval; when that is refused (its evidence is gone), the approval stands and says why', async () => {
    const blocked = scenario.outcomes.checkoutBlocked;
    const approved = await approveAndJudgeAgain(db, caller('maintainer'), blocked.passport.id, 'Fine.');
    expect(approved).toMatchObject({ created: true, again: { decision: 'allow', blocking: false }, notJudged: null });
    expect(await approveAndJudgeAgain(db, caller('maintainer'), blocked.passport.id, null)).toEqual({ created: false, again: null, notJudged: null });
    await withdrawReleaseApproval(db, caller('maintainer'), blocked.passport.id);

    const production = scenario.outcomes.checkoutProduction;
    const view = (await passportView(db, scenario.workspace, production.passport.id))!;
    await db.delete(evidenceTable).where(and(eq(evidenceTable.workspaceId, scenario.workspace.id), eq(evidenceTable.sha256, view.evidence[0]!.sha256)));
    const refused = await approveAndJudgeAgain(db, caller('admin'), production.passport.id, null);
    expect(refused).toMatchObject({ created: true, again: null, notJudged: expect.stringContaining('has no evidence with digest') });
    expect((await passportView(db, scenario.workspace, production.passport.id))!.approvals).toHaveLength(1);
  });

  it('a rejection needs a note, is audited, fails the approvals rule over any approval naming who and why, and the release is judged again with it', async () => {
    const blocked = scenario.outcomes.checkoutBlocked;
    expect((await problemOf(rejectRelease(db, caller('developer'), blocked.passport.id, 'No.'))).status).toBe(403);
    expect(await lastEvent('rejection.create')).toMatchObject({ outcome: 'deny', reason: 'the developer role does not grant approval.write' });
    expect((await problemOf(rejectRelease(db, caller('maintainer'), blocked.passport.id, '   '))).errors).toEqual([{ path: 'note', message: 'Say why you reject it: the note is required.' }]);
    expect((await problemOf(rejectRelease(db, caller('maintainer'), blocked.passport.id, 'x'.repeat(1001)))).errors).toEqual([{ path: 'note', message: 'At most 1000 characters.' }]);

    await approveRelease(db, caller('admin'), blocked.passport.id, 'Fine by me.');
    const note = 'The <b>migration</b> drops a column the old pods still read.';
    const rejected = await rejectAndJudgeAgain(db, caller('maintainer'), blocked.passport.id, note);
    expect(rejected).toMatchObject({ created: true, again: { decision: 'deny', blocking: true }, notJudged: null });
    expect(await rejectRelease(db, caller('maintainer'), blocked.passport.id, 'Again.')).toEqual({ created: false });
    expect(await lastEvent('rejection.create')).toMatchObject({ outcome: 'allow', resourceType: 'release', resourceId: blocked.release.id, details: { role: 'maintainer', note } });

    const judged = (await passportView(db, scenario.workspace, rejected.again!.passportId))!;
    expect(judged.reasons.find((reason) => reason.ruleId === 'maintainer-approval')).toMatchObject({
      status: 'fail',
      measured: { approvals: 1, rejections: 1 },
      message: `rejected by ${scenario.members.maintainer.name || scenario.members.maintainer.email} (maintainer): ${note}`,
    });
    // Kept as typed (React escapes it on the page), beside the approvals.
    expect(judged.rejections.map((rejection) => [rejection.email, rejection.role, rejection.note])).toEqual([[scenario.members.maintainer.email, 'maintainer', note]]);
    expect(judged.approvals.map((approval) => approval.email)).toEqual([scenario.members.admin.email]);
    expect(judged.approvalRules).toEqual([{ ruleId: 'maintainer-approval', count: 1, role: 'maintainer', have: 1, rejections: 1, forbidRequesterApproval: false }]);

    // One verdict per person: approving withdraws the rejection (and says so in the audit log).
    await approveRelease(db, caller('maintainer'), blocked.passport.id, 'Column kept; fine now.');
    expect(await lastEvent('approval.create')).toMatchObject({ outcome: 'allow', details: { rejectionWithdrawn: true } });
    expect((await reevaluateFromConsole(db, caller('maintainer'), blocked.passport.id)).decision).toBe('allow');
    await rejectRelease(db, caller('maintainer'), blocked.passport.id, 'Changed my mind.');
    expect((await passportView(db, scenario.workspace, blocked.passport.id))!.approvals.map((approval) => approval.email)).toEqual([scenario.members.admin.email]);
    expect(await withdrawReleaseRejection(db, caller('maintainer'), blocked.passport.id)).toEqual({ withdrawn: true });
    expect(await lastEvent('rejection.withdraw')).toMatchObject({ outcome: 'allow' });
    expect((await reevaluateFromConsole(db, caller('maintainer'), blocked.passport.id)).decision).toBe('allow');
  });

  it('when the policy forbids it, the person who asked for the release may not approve it: refused, audited, not awaiting them; someone else may', async () => {
    const [checkoutPolicy] = await db.select({ rules: policies.rules, serviceId: policies.serviceId }).from(policies).where(eq(policies.id, scenario.checkoutPolicyId));
    const rules = (checkoutPolicy!.rules as Array<Record<string, unknown>>).map((rule) => (rule.type === 'approvals' ? { ...rule, forbidRequesterApproval: true } : rule));
    const checkout = (await passportView(db, scenario.workspace, scenario.outcomes.checkoutBlocked.passport.id))!;
    await savePolicy(db, scenario.workspace.id, { serviceId: checkoutPolicy!.serviceId, environmentId: null }, {
      document: { mode: 'enforce', rules },
      reason: 'Four eyes: nobody approves their own release.',
      createdBy: scenario.members.admin.email,
    });
    const maintainer = scenario.members.maintainer;
    const asked: GateOutcome = await evaluateGateRequest(
      db,
      scenario.workspace,
      { service: 'checkout', environment: 'staging', sourceSha: SOURCE_V2, imageDigest: `sha256:${'3'.repeat(64)}`, chartVersion: null, evidence: checkout.evidence.map((item) => item.sha256), artifacts: [] },
      { actorLabel: maintainer.email, requestedBy: { type: 'user', label: maintainer.email }, requestingPerson: maintainer.id },
    );
    expect(asked.reasons.find((reason) => reason.ruleId === 'maintainer-approval')).toMatchObject({ status: 'fail', threshold: { forbidRequesterApproval: true } });

    const refused = await problemOf(approveAndJudgeAgain(db, caller('maintainer'), asked.passport.id, 'Mine, and fine.'));
    expect([refused.status, refused.message]).toEqual([403, 'You requested this release; the policy requires someone else to approve it.']);
    expect(await lastEvent('approval.create')).toMatchObject({ outcome: 'deny', actorLabel: maintainer.email, reason: expect.stringContaining('maintainer-approval') });
    const view = (await passportView(db, scenario.workspace, asked.passport.id))!;
    expect([view.approvals, view.requestingPerson, view.approvalRules[0]!.forbidRequesterApproval]).toEqual([[], maintainer.id, true]);

    const { pairs } = await workspaceOverview(db, scenario.workspace.id);
    const queued = async (role: Role) => (await awaitingApproval(db, scenario.workspace.id, pairs, caller(role).actor)).find((item) => item.pair.passportId === asked.passport.id)!;
    expect((await queued('maintainer')).awaitingYou).toBe(false);
    expect((await queued('admin')).awaitingYou).toBe(true);

    const approved = await approveAndJudgeAgain(db, caller('admin'), asked.passport.id, null);
    expect(approved).toMatchObject({ created: true, again: { decision: 'allow', blocking: false } });
  });
});

describe('policies', () => {
  // Each test changes the policy's version: each starts from the seeded version 1.
  withOwnScenario('test');

  it('keeps rule errors next to the rule they belong to, and saves nothing', async () => {
    const checked = validatePolicyDocument({ mode: 'enforce', rules: [{ id: 'ok', type: 'sbom-present' }, { id: 'bad', type: 'sarif-severity', limits: { high: -1 } }, { id: 'x', type: 'nope' }] });
    expect(checked.errors?.map((error) => error.path)).toEqual(['rule-1', 'rule-2']);
    const before = (await policyDetail(db, scenario.workspace.id, scenario.checkoutPolicyId))!.version;
    const problem = await problemOf(updatePolicyRules(db, caller('maintainer'), scenario.checkoutPolicyId, { rules: [{ id: 'Bad Id', type: 'sbom-present' }], reason: null }));
    expect(problem.status).toBe(400);
    expect(problem.errors![0]).toMatchObject({ path: 'rule-0' });
    expect((await policyDetail(db, scenario.workspace.id, scenario.checkoutPolicyId))!.version).toBe(before);
  });

  it('saves a new version with its changes audited, and shows the difference in the history', async () => {
    const detail = (await policyDetail(db, scenario.workspace.id, scenario.checkoutPolicyId))!;
    const rules = detail.document.rules.map((rule) => (rule.id === 'no-critical-or-high' ? { ...rule, limits: { critical: 0, high: 2 } } : rule));
    rules.push({ id: 'tests', type: 'evidence-required', kind: 'junit', onFail: 'warn' });
    expect(await updatePolicyRules(db, caller('maintainer'), scenario.checkoutPolicyId, { rules, reason: 'Allow two known highs while the fix ships.' })).toEqual({ version: 2, changed: true });
    const event = await lastEvent('policy.update');
    expect(event).toMatchObject({ outcome: 'allow', reason: 'Allow two known highs while the fix ships.', details: { fromVersion: 1, toVersion: 2 } });
    expect((event!.details as { changes: string[] }).changes).toEqual(['rule no-critical-or-high changed', 'rule tests (evidence-required) added']);
    const after = (await policyDetail(db, scenario.workspace.id, scenario.checkoutPolicyId))!;
    expect(after.history.map((version) => version.version)).toEqual([2, 1]);
    expect(after.history[0]!.changes.find((change) => change.ruleId === 'no-critical-or-high')!.details).toEqual([{ path: 'limits.high', before: 0, after: 2 }]);
    expect((await problemOf(updatePolicyRules(db, caller('viewer'), scenario.checkoutPolicyId, { rules, reason: null }))).status).toBe(403);
  });

  it('switches mode only with a reason, audited', async () => {
    const missing = await problemOf(switchPolicyMode(db, caller('maintainer'), scenario.workspacePolicyId, { mode: 'enforce', reason: ' ' }));
    expect(missing.errors).toEqual([{ path: 'reason', message: 'Give a reason (at least 3 characters).' }]);
    expect(await switchPolicyMode(db, caller('admin'), scenario.workspacePolicyId, { mode: 'enforce', reason: 'Shadow results were clean for two weeks.' })).toMatchObject({ changed: true });
    expect(await lastEvent('policy.mode_change')).toMatchObject({ outcome: 'allow', reason: 'Shadow results were clean for two weeks.', details: { from: 'advisory', to: 'enforce' } });
    const history = (await policyDetail(db, scenario.workspace.id, scenario.workspacePolicyId))!.history;
    expect(history[0]!.changes).toEqual([{ kind: 'mode', text: 'mode advisory → enforce' }]);
    expect(history[0]!.reason).toBe('Shadow results were clean for two weeks.');
  });

  it('tells how many past releases a candidate policy would have blocked', async () => {
    const strict = await shadowReport(db, scenario.workspace.id, scenario.workspacePolicyId, {
      mode: 'enforce',
      rules: [{ id: 'no-findings', type: 'sarif-severity', limits: { critical: 0, high: 0, medium: 0 }, onFail: 'deny' }],
    });
    // The workspace policy judged checkout v1 (allowed) and payments (a high finding).
    expect(strict).toMatchObject({ judged: 2, releases: 2, wouldDeny: 1, releasesDenied: 1, wouldBlock: 1, wouldAllow: 1 });
    const lenient = await shadowReport(db, scenario.workspace.id, scenario.workspacePolicyId, { mode: 'enforce', rules: [{ id: 'sbom', type: 'sbom-present', onFail: 'deny', minComponents: 1 }] });
    expect(lenient).toMatchObject({ judged: 2, wouldDeny: 0, changed: 1 });
    expect(lenient.examples[0]).toMatchObject({ service: 'payments', recorded: 'deny', candidate: 'allow' });
  });
});

describe('the overview', () => {
  withOwnScenario();

  it('lists what needs attention, stale evidence, and what changed since the passport before', async () => {
    const overview = await workspaceOverview(db, scenario.workspace.id);
    expect(overview.attention.map((pair) => `${pair.service}/${pair.environment}:${pair.decision}${pair.blocking ? ' blocking' : ''}`)).toContain('payments/staging:deny');
    expect(overview.stale).toEqual([expect.objectContaining({ service: 'payments', environment: 'staging', kind: 'sbom' })]);
    const staging = overview.pairs.find((pair) => pair.service === 'checkout' && pair.environment === 'staging')!;
    expect(staging.changes).not.toBeNull();
    expect(overview.pairs.find((pair) => pair.service === 'payments')!.changes).toBeNull();
    expect(overview.recent.length).toBeGreaterThanOrEqual(4);
    expect(overview.last24h.passports).toBeGreaterThanOrEqual(4);
  });
});

describe('the audit log viewer', () => {
  withOwnScenario();

  it('filters by actor, action family, resource and outcome, and the chain verifies', async () => {
    // Events of each kind in this test's own workspace: a denial, an admin's mode change, a maintainer's rule change.
    await problemOf(approveRelease(db, caller('developer'), scenario.outcomes.checkoutBlocked.passport.id, null));
    await switchPolicyMode(db, caller('admin'), scenario.workspacePolicyId, { mode: 'enforce', reason: 'Block from now on.' });
    const detail = (await policyDetail(db, scenario.workspace.id, scenario.checkoutPolicyId))!;
    await updatePolicyRules(db, caller('maintainer'), scenario.checkoutPolicyId, { rules: [...detail.document.rules, { id: 'tests', type: 'evidence-required', kind: 'junit', onFail: 'warn' }], reason: 'Tests as evidence.' });
    const denied = await listAuditEvents(db, scenario.workspace.id, { outcome: 'deny' });
    expect(denied.rows.length).toBeGreaterThan(0);
    expect(denied.rows.every((row) => row.outcome === 'deny')).toBe(true);
    const policyEvents = await listAuditEvents(db, scenario.workspace.id, { action: 'policy.', actor: 'admin@' });
    expect(policyEvents.rows.map((row) => row.action)).toEqual(['policy.mode_change']);
    const byResource = await listAuditEvents(db, scenario.workspace.id, { resource: `policy:${scenario.checkoutPolicyId}` });
    expect(byResource.rows.map((row) => row.action)).toContain('policy.update');
    const paged = await listAuditEvents(db, scenario.workspace.id, {}, { limit: 2 });
    const next = await listAuditEvents(db, scenario.workspace.id, {}, { limit: 2, cursor: paged.next });
    expect(next.rows[0]!.seq).toBe(paged.rows[1]!.seq - 1);
    // Gate decisions, secret writes (the signing key), policy changes, comments, approvals, denials: one intact chain.
    expect(await verifyWorkspaceChain(db, scenario.workspace.id)).toMatchObject({ ok: true, broken: null });
  });

  it('names and links the resources events touch, scoped to the workspace', async () => {
    await approveRelease(db, caller('maintainer'), scenario.outcomes.checkoutBlocked.passport.id, 'Looked at it.');
    await switchPolicyMode(db, caller('admin'), scenario.checkoutPolicyId, { mode: 'advisory', reason: 'Trying advisory first.' });
    const rows = (await listAuditEvents(db, scenario.workspace.id, {}, { limit: 500 })).rows;
    const labels = await labelAuditResources(db, scenario.workspace, rows);
    const base = `/console/${scenario.workspace.slug}`;
    const policyEvent = rows.find((row) => row.resourceType === 'policy' && row.resourceId === scenario.checkoutPolicyId)!;
    expect(resourceLabelOf(labels, policyEvent)).toEqual({ label: 'policy Checkout release policy', href: `${base}/policies/${scenario.checkoutPolicyId}` });
    const approval = rows.find((row) => row.action === 'approval.create')!;
    expect(resourceLabelOf(labels, approval)).toEqual({ label: expect.stringMatching(/^release checkout → staging \(sha256:2{12}…\)$/) as unknown, href: `${base}/passports?service=checkout&environment=staging` });
    const decision = rows.find((row) => row.resourceType === 'passport')!;
    expect(resourceLabelOf(labels, decision)!.href).toBe(`${base}/passports/${decision.resourceId}`);
    const environmentEvent = rows.find((row) => row.action === 'environment.create')!;
    expect(resourceLabelOf(labels, environmentEvent)).toEqual({ label: 'environment production', href: `${base}/environments/production` });
    // Another workspace's look-ups resolve nothing of this one: no links, only what the event itself recorded.
    const other = await testWorkspace(db);
    const foreign = await labelAuditResources(db, other, rows);
    expect(resourceLabelOf(foreign, policyEvent)).toMatchObject({ href: null });
    expect(resourceLabelOf(foreign, approval)).toEqual({ label: `release ${approval.resourceId!.slice(0, 12)}…`, href: null });
  });

  it('reports the chain intact, and names the first event altered behind its back', async () => {
    const workspace = await testWorkspace(db);
    await savePolicy(db, workspace.id, { serviceId: null, environmentId: null }, { document: { mode: 'shadow', rules: [] } });
    const admin = await testMember(db, workspace, 'admin');
    const who: ConsoleCaller = {
      actor: { type: 'member', userId: admin.id, email: admin.email, name: admin.name, workspaceId: workspace.id, role: 'admin', sessionId: null },
      audit: { actor: { type: 'user', id: admin.id, label: admin.email } },
      workspace,
    };
    const [policy] = await db.select({ id: policies.id }).from(policies).where(eq(policies.workspaceId, workspace.id));
    await switchPolicyMode(db, who, policy!.id, { mode: 'advisory', reason: 'first step' });
    expect(await verifyWorkspaceChain(db, workspace.id)).toMatchObject({ ok: true, broken: null, checked: 3 });
    // Someone with the database's owner rights edits history, around the append-only trigger.
    await db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
      await tx.execute(sql`update audit_events set reason = 'nothing to see' where workspace_id = ${workspace.id} and action = 'policy.mode_change'`);
      await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    });
    expect(await verifyWorkspaceChain(db, workspace.id)).toMatchObject({ ok: false, broken: { seq: 3, action: 'policy.mode_change', reason: expect.stringMatching(/modified after it was written/) } });
  });
});
