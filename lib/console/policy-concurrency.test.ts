/**
 * Two maintainers saving the same policy at once: the second is refused (409 conflict, the field
 * error on `version` naming the current version and who saved it) and nothing of theirs is
 * written; never a silent lost update. Real database, real row locks.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { policyVersions } from '@/db/schema/runtime';
import type { MemberActor } from '@/lib/access/can';
import { ensureService } from '@/lib/gate/catalog';
import { ProblemError } from '@/lib/http/problem';
import { savePolicy } from '@/lib/policy/store';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import type { ConsoleCaller } from './authorize';
import { policyDetail, switchPolicyMode, updatePolicyRules } from './policies';

let db: RuntimeDb;
let workspace: WorkspaceRef;
let alice: ConsoleCaller;
let bob: ConsoleCaller;

async function maintainer(email: string): Promise<ConsoleCaller> {
  const user = await testMember(db, workspace, 'maintainer', { email });
  const actor: MemberActor = { type: 'member', userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, role: 'maintainer', sessionId: null };
  return { actor, audit: { actor: { type: 'user', id: user.id, label: user.email }, requestId: `test-${email}`, ip: '127.0.0.1' }, workspace };
}

let services = 0;
/** A fresh policy at version 1, for a service of its own. */
async function newPolicy(): Promise<string> {
  const service = await ensureService(db, workspace.id, `service-${++services}`);
  const saved = await savePolicy(db, workspace.id, { serviceId: service.id, environmentId: null }, { document: { mode: 'shadow', rules: [{ id: 'sbom', type: 'sbom-present' }] } });
  expect(saved.policy.version).toBe(1);
  return saved.policy.id;
}

async function rejection(promise: Promise<unknown>): Promise<ProblemError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ProblemError);
  return outcome as ProblemError;
}

beforeAll(async () => {
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'occ');
  alice = await maintainer('alice@occ.test');
  bob = await maintainer('bob@occ.test');
});

describe('saving a policy someone else saved meanwhile', () => {
  it('at the same moment: one save wins, the other gets 409 with the current version, and its rules are not written', async () => {
    const id = await newPolicy();
    const aliceRules = [{ id: 'sbom', type: 'sbom-present' }, { id: 'alice-rule', type: 'provenance-subject' }];
    const bobRules = [{ id: 'sbom', type: 'sbom-present' }, { id: 'bob-rule', type: 'approvals', count: 1 }];
    const outcomes = await Promise.allSettled([
      updatePolicyRules(db, alice, id, { rules: aliceRules, reason: 'alice', expectedVersion: 1 }),
      updatePolicyRules(db, bob, id, { rules: bobRules, reason: 'bob', expectedVersion: 1 }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(outcomes.map((outcome) => (outcome.status === "rejected" ? String(outcome.reason) : "ok"))).toEqual(expect.arrayContaining(["ok"]));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const problem = lost[0]!.reason as ProblemError;
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem.status).toBe(409);
    expect(problem.code).toBe('conflict');
    expect(problem.extensions).toMatchObject({ currentVersion: 2, expectedVersion: 1 });
    const winner = outcomes[0]!.status === 'fulfilled' ? 'alice@occ.test' : 'bob@occ.test';
    expect(problem.errors).toEqual([{ path: 'version', message: `Changed meanwhile: the current version is 2 by ${winner}.` }]);
    expect(problem.message).toMatch(new RegExp(`you started from version 1, and version 2 was saved by ${winner.replace('.', '\\.')} at .*Nothing was saved`));

    const detail = (await policyDetail(db, workspace.id, id))!;
    expect(detail.version).toBe(2);
    expect(detail.document.rules.map((rule) => rule.id)).toEqual(['sbom', winner.startsWith('alice') ? 'alice-rule' : 'bob-rule']);
    const versions = await db.select({ version: policyVersions.version }).from(policyVersions).where(and(eq(policyVersions.workspaceId, workspace.id), eq(policyVersions.policyId, id)));
    expect(versions.map((row) => row.version).sort()).toEqual([1, 2]);
  });

  it('one after the other, from a stale page: refused; from the current version: saved', async () => {
    const id = await newPolicy();
    await updatePolicyRules(db, alice, id, { rules: [{ id: 'first', type: 'sbom-present' }], reason: null, expectedVersion: 1 });
    const stale = await rejection(updatePolicyRules(db, bob, id, { rules: [{ id: 'second', type: 'sbom-present' }], reason: null, expectedVersion: 1 }));
    expect(stale.extensions).toMatchObject({ currentVersion: 2 });
    // Even content equal to the current version is refused from a stale version: Bob has not seen it.
    expect((await rejection(updatePolicyRules(db, bob, id, { rules: [{ id: 'first', type: 'sbom-present' }], reason: null, expectedVersion: 1 }))).status).toBe(409);
    expect(await updatePolicyRules(db, bob, id, { rules: [{ id: 'second', type: 'sbom-present' }], reason: null, expectedVersion: 2 })).toEqual({ version: 3, changed: true });
  });

  it('a mode switch from a stale page does not undo a rules change made meanwhile', async () => {
    const id = await newPolicy();
    await updatePolicyRules(db, alice, id, { rules: [{ id: 'kept', type: 'sbom-present' }], reason: null, expectedVersion: 1 });
    const problem = await rejection(switchPolicyMode(db, bob, id, { mode: 'enforce', reason: 'shadow results are clean', expectedVersion: 1 }));
    expect(problem.status).toBe(409);
    const detail = (await policyDetail(db, workspace.id, id))!;
    expect(detail).toMatchObject({ version: 2, mode: 'shadow' });
    expect(detail.document.rules.map((rule) => rule.id)).toEqual(['kept']);
  });
});
