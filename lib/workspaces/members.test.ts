import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { TEST_AUDIT, testMember, testUser, testWorkspace } from '@/lib/testing/identity';
import { acceptInvitation, createInvitation, findOpenInvitation, listPendingInvitations, revokeInvitation } from './invitations';
import { addMember, changeMemberRole, createWorkspace, getMemberRole, listMembers, MembershipError, removeMember } from './members';
import { findMembershipBySlug, listMemberships } from './store';

async function refusal(promise: Promise<unknown>): Promise<MembershipError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MembershipError);
  return error as MembershipError;
}

describe('workspaces and members', () => {
  it('create a workspace with its first admin, and refuse a taken or invalid slug', async () => {
    const db = await getRuntimeDb();
    const owner = await testUser(db);
    const ws = await createWorkspace(db, { slug: 'payments', name: 'Payments' }, TEST_AUDIT, owner.id);
    expect(await findMembershipBySlug(db, owner.id, 'payments')).toMatchObject({ role: 'admin', workspace: { id: ws.id } });
    expect((await refusal(createWorkspace(db, { slug: 'payments', name: 'Other' }, TEST_AUDIT))).kind).toBe('conflict');
    expect((await refusal(createWorkspace(db, { slug: 'Not Valid', name: 'x' }, TEST_AUDIT))).field).toBe('slug');
  });

  it('never leave a workspace without an admin', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const admin = await testMember(db, ws, 'admin');
    const dev = await testMember(db, ws, 'developer');
    expect((await refusal(changeMemberRole(db, ws.id, admin.id, 'viewer', TEST_AUDIT))).message).toMatch(/at least one admin/);
    expect((await refusal(removeMember(db, ws.id, admin.id, TEST_AUDIT))).message).toMatch(/at least one admin/);
    await changeMemberRole(db, ws.id, dev.id, 'admin', TEST_AUDIT);
    await changeMemberRole(db, ws.id, admin.id, 'viewer', TEST_AUDIT);
    expect(await getMemberRole(db, ws.id, admin.id)).toBe('viewer');
    await removeMember(db, ws.id, admin.id, TEST_AUDIT);
    expect((await listMembers(db, ws.id)).map((m) => m.role)).toEqual(['admin']);
  });

  it('under concurrent demotions, keep one admin', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const [a, b] = [await testMember(db, ws, 'admin'), await testMember(db, ws, 'admin')];
    const results = await Promise.allSettled([changeMemberRole(db, ws.id, a.id, 'viewer', TEST_AUDIT), changeMemberRole(db, ws.id, b.id, 'viewer', TEST_AUDIT)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await listMembers(db, ws.id)).filter((m) => m.role === 'admin')).toHaveLength(1);
  });

  it('keep memberships apart per workspace', async () => {
    const db = await getRuntimeDb();
    const [a, b] = [await testWorkspace(db), await testWorkspace(db)];
    const user = await testMember(db, a, 'viewer');
    expect(await findMembershipBySlug(db, user.id, b.slug)).toBeNull();
    expect((await listMemberships(db, user.id)).map((m) => m.workspace.slug)).toEqual([a.slug]);
    expect((await refusal(addMember(db, a.id, user.id, 'admin', TEST_AUDIT))).kind).toBe('conflict');
  });
});

describe('invitations', () => {
  it('work once, for the invited email only', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const { secret, url } = await createInvitation(db, ws.id, { email: 'New.Person@Example.test', role: 'maintainer' }, null, TEST_AUDIT);
    expect(url).toMatch(new RegExp(`/invite/${secret}$`));
    expect(await findOpenInvitation(db, secret)).toMatchObject({ email: 'new.person@example.test', role: 'maintainer', workspace: { slug: ws.slug } });
    const stranger = await testUser(db, { email: 'someone.else@example.test' });
    expect((await refusal(acceptInvitation(db, secret, stranger, TEST_AUDIT))).message).toMatch(/is for new.person@example.test/);
    const invited = await testUser(db, { email: 'new.person@example.test' });
    expect(await acceptInvitation(db, secret, invited, TEST_AUDIT)).toMatchObject({ role: 'maintainer', workspace: { slug: ws.slug } });
    expect(await getMemberRole(db, ws.id, invited.id)).toBe('maintainer');
    expect((await refusal(acceptInvitation(db, secret, invited, TEST_AUDIT))).kind).toBe('not-found');
    expect(await findOpenInvitation(db, secret)).toBeNull();
  });

  it('expire, can be withdrawn, and a new one replaces the pending one', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const first = await createInvitation(db, ws.id, { email: 'x@example.test', role: 'viewer' }, null, TEST_AUDIT);
    const second = await createInvitation(db, ws.id, { email: 'x@example.test', role: 'developer' }, null, TEST_AUDIT);
    expect(await findOpenInvitation(db, first.secret)).toBeNull();
    expect((await listPendingInvitations(db, ws.id)).map((i) => i.role)).toEqual(['developer']);
    expect(await findOpenInvitation(db, second.secret, new Date(Date.now() + 8 * 86_400_000))).toBeNull();
    expect(await revokeInvitation(db, ws.id, second.invitation.id, TEST_AUDIT)).toBe(true);
    expect(await findOpenInvitation(db, second.secret)).toBeNull();
  });

  it('refuse inviting a member, a bad email or a bad role', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const member = await testMember(db, ws, 'viewer');
    expect((await refusal(createInvitation(db, ws.id, { email: member.email, role: 'viewer' }, null, TEST_AUDIT))).kind).toBe('conflict');
    expect((await refusal(createInvitation(db, ws.id, { email: 'nope', role: 'viewer' }, null, TEST_AUDIT))).field).toBe('email');
    expect((await refusal(createInvitation(db, ws.id, { email: 'a@b.test', role: 'owner' }, null, TEST_AUDIT))).field).toBe('role');
  });
});
