/**
 * Seats are enforced: with a 3-seat license, a fourth person cannot be invited, added or enabled;
 * people who already hold a seat join other workspaces freely; concurrent additions cannot both
 * take the last seat; without a valid license nothing is limited.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { invitations, memberships } from '@/db/schema/runtime';
import { setAccountDisabled } from '@/lib/auth/account-status';
import { signingKeyFromPem, signLicense } from '@/lib/billing/license-issuer';
import { ProblemError } from '@/lib/http/problem';
import { ed25519Pem, SAMPLE_LICENSE } from '@/lib/license/testing';
import { installLicense, removeLicense } from '@/lib/license/status';
import { TEST_AUDIT, testMember, testUser, testWorkspace } from '@/lib/testing/identity';
import { createInvitation, revokeInvitation } from './invitations';
import { addMember, removeMember } from './members';
import { seatUsage } from './seats';
import type { WorkspaceRef } from './store';

const owner = ed25519Pem();
let db: RuntimeDb;
let acme: WorkspaceRef;
let beta: WorkspaceRef;

beforeAll(async () => {
  vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', owner.publicPem);
  db = await getRuntimeDb();
  acme = await testWorkspace(db);
  beta = await testWorkspace(db);
  const signer = await signingKeyFromPem(owner.privatePem);
  await installLicense(await signLicense({ ...SAMPLE_LICENSE, licenseId: 'lic_seats', seats: 3, expiresAt: new Date(Date.now() + 30 * 86_400_000) }, signer), { installedBy: 'test', db });
});

afterAll(() => {
  vi.unstubAllEnvs();
});

/** Nobody has access and nothing is pending (this file's own database). */
async function emptyInstallation(): Promise<void> {
  await db.delete(invitations);
  await db.delete(memberships);
}

async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProblemError);
  expect((error as ProblemError).status).toBe(409);
  return (error as ProblemError).message;
}

describe('licensed seats', () => {
  it('count people with access and pending invitations, and refuse past the limit with the counts', async () => {
    const first = await testMember(db, acme, 'admin');
    await testMember(db, acme, 'developer');
    expect(await seatUsage(db)).toMatchObject({ used: 2, reserved: 0, limit: 3, plan: 'team' });

    const invited = await createInvitation(db, acme.id, { email: 'third@example.test', role: 'viewer' }, first.id, TEST_AUDIT);
    expect(await seatUsage(db)).toMatchObject({ used: 2, reserved: 1 });
    // Re-inviting the same address replaces the invitation; it does not take another seat.
    await createInvitation(db, acme.id, { email: 'third@example.test', role: 'developer' }, first.id, TEST_AUDIT);
    expect(await refusal(createInvitation(db, acme.id, { email: 'fourth@example.test', role: 'viewer' }, first.id, TEST_AUDIT))).toMatch(
      /All 3 seats of the team license are taken \(2 people with access, 1 pending invitation\)/,
    );
    const outsider = await testUser(db);
    expect(await refusal(addMember(db, beta.id, outsider.id, 'viewer', TEST_AUDIT))).toMatch(/All 3 seats/);

    // Someone who already holds a seat joins another workspace without taking a new one.
    await addMember(db, beta.id, first.id, 'admin', TEST_AUDIT);
    expect(await seatUsage(db)).toMatchObject({ used: 2 });

    // Withdrawing the invitation frees its seat.
    const [replacement] = await db.select({ id: invitations.id }).from(invitations).where(and(eq(invitations.email, 'third@example.test'), isNull(invitations.revokedAt)));
    expect(invited.invitation.id).not.toBe(replacement!.id);
    await revokeInvitation(db, acme.id, replacement!.id, TEST_AUDIT);
    expect(await seatUsage(db)).toMatchObject({ used: 2, reserved: 0 });
    await addMember(db, beta.id, outsider.id, 'viewer', TEST_AUDIT);
    expect(await seatUsage(db)).toMatchObject({ used: 3, reserved: 0 });
  });

  it('refuse enabling an account when its seat was given away meanwhile', async () => {
    await emptyInstallation();
    const workspace = await testWorkspace(db);
    const leaver = await testMember(db, workspace, 'viewer');
    await testMember(db, workspace, 'admin');
    await testMember(db, workspace, 'viewer');
    await setAccountDisabled(db, { userId: leaver.id, disabled: true }, { workspaceId: workspace.id, audit: TEST_AUDIT });
    // The leaver's seat is free now, and someone takes it.
    const newcomer = await testMember(db, workspace, 'viewer');
    expect(await refusal(setAccountDisabled(db, { userId: leaver.id, disabled: false }, { workspaceId: workspace.id, audit: TEST_AUDIT }))).toMatch(/All 3 seats/);
    await removeMember(db, workspace.id, newcomer.id, TEST_AUDIT);
    expect(await setAccountDisabled(db, { userId: leaver.id, disabled: false }, { workspaceId: workspace.id, audit: TEST_AUDIT })).toBe('enabled');
  });

  it('let only one of two concurrent additions take the last seat', async () => {
    await emptyInstallation();
    const workspace = await testWorkspace(db);
    await testMember(db, workspace, 'admin');
    await testMember(db, workspace, 'viewer');
    const candidates = await Promise.all([testUser(db), testUser(db), testUser(db)]);
    const results = await Promise.allSettled(candidates.map((candidate) => addMember(db, workspace.id, candidate.id, 'viewer', TEST_AUDIT)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await seatUsage(db)).toMatchObject({ used: 3 });
  });

  it('are not limited without a valid license', async () => {
    await removeLicense({ db });
    const workspace = await testWorkspace(db);
    for (let i = 0; i < 3; i++) await testMember(db, workspace, 'viewer');
    expect(await seatUsage(db)).toMatchObject({ limit: null });
    expect((await seatUsage(db)).used).toBeGreaterThan(3);
  });
});
