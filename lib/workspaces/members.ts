/**
 * Creating workspaces and managing who belongs to them. Every change is audited in the same
 * transaction, and a workspace never loses its last admin (someone must be able to manage it).
 */
import { and, asc, count, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { memberships, users, workspaces, type Role } from '@/db/schema/runtime';
import { ROLES } from '@/lib/access/verbs';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { WORKSPACE_SLUG_PATTERN } from '@/lib/domain/primitives';
import { assertSeatAvailable } from './seats';
import type { WorkspaceRef } from './store';

export class MembershipError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'conflict' | 'not-found',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'MembershipError';
  }
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export async function createWorkspace(
  db: DbOrTx,
  input: { slug: string; name: string },
  audit: AuditContext,
  firstAdminUserId: string | null = null,
): Promise<WorkspaceRef> {
  const slug = input.slug.trim();
  const name = input.name.trim();
  if (!WORKSPACE_SLUG_PATTERN.test(slug)) throw new MembershipError(`"${input.slug}" is not a valid workspace slug: use 1-63 lowercase letters, digits and hyphens.`, 'invalid', 'slug');
  if (!name || name.length > 100) throw new MembershipError('Give the workspace a name of 1-100 characters.', 'invalid', 'name');
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug)).limit(1);
    if (existing) throw new MembershipError(`A workspace with the slug "${slug}" already exists.`, 'conflict', 'slug');
    const [workspace] = await tx.insert(workspaces).values({ slug, name }).returning({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name });
    await appendAuditEvent(tx, { ...audit, workspaceId: workspace!.id, action: 'workspace.create', resource: { type: 'workspace', id: workspace!.id }, outcome: 'allow', details: { slug, name } });
    if (firstAdminUserId) await addMember(tx, workspace!.id, firstAdminUserId, 'admin', audit);
    return workspace!;
  });
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
  lastSignInAt: Date | null;
  /** Set while the person's account is disabled (lib/auth/account-status.ts). */
  disabledAt: Date | null;
}

export async function listMembers(db: RuntimeDb, workspaceId: string): Promise<MemberRow[]> {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt, lastSignInAt: users.lastSignInAt, disabledAt: users.disabledAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.email));
}

export async function getMemberRole(db: DbOrTx, workspaceId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

export async function addMember(db: DbOrTx, workspaceId: string, userId: string, role: Role, audit: AuditContext): Promise<void> {
  if (!isRole(role)) throw new MembershipError(`"${role}" is not a role: use ${ROLES.join(', ')}.`, 'invalid', 'role');
  await db.transaction(async (tx) => {
    await assertSeatAvailable(tx, { userId }, 'email');
    const inserted = await tx.insert(memberships).values({ workspaceId, userId, role }).onConflictDoNothing().returning({ userId: memberships.userId });
    if (inserted.length === 0) throw new MembershipError('This person is already a member of the workspace.', 'conflict');
    await appendAuditEvent(tx, { ...audit, workspaceId, action: 'member.add', resource: { type: 'user', id: userId }, outcome: 'allow', details: { role } });
  });
}

/** Locks the workspace's memberships; says the member's role and whether they are its only admin. */
async function lockMembership(tx: DbOrTx, workspaceId: string, userId: string): Promise<{ role: Role; lastAdmin: boolean }> {
  // Row locks on every membership of the workspace: two admins demoting each other at once cannot both succeed.
  const rows = await tx.select({ userId: memberships.userId, role: memberships.role }).from(memberships).where(eq(memberships.workspaceId, workspaceId)).for('update');
  const current = rows.find((row) => row.userId === userId);
  if (!current) throw new MembershipError('This person is not a member of the workspace.', 'not-found');
  const admins = rows.filter((row) => row.role === 'admin').length;
  return { role: current.role, lastAdmin: current.role === 'admin' && admins <= 1 };
}

export async function changeMemberRole(db: DbOrTx, workspaceId: string, userId: string, role: Role, audit: AuditContext): Promise<void> {
  if (!isRole(role)) throw new MembershipError(`"${role}" is not a role: use ${ROLES.join(', ')}.`, 'invalid', 'role');
  await db.transaction(async (tx) => {
    const current = await lockMembership(tx, workspaceId, userId);
    if (current.role === role) return;
    if (current.lastAdmin) throw new MembershipError('The workspace needs at least one admin: make someone else admin first.', 'conflict');
    await tx.update(memberships).set({ role }).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await appendAuditEvent(tx, { ...audit, workspaceId, action: 'member.role_change', resource: { type: 'user', id: userId }, outcome: 'allow', details: { from: current.role, to: role } });
  });
}

export async function removeMember(db: DbOrTx, workspaceId: string, userId: string, audit: AuditContext): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockMembership(tx, workspaceId, userId);
    if (current.lastAdmin) throw new MembershipError('The workspace needs at least one admin: make someone else admin before removing this one.', 'conflict');
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await appendAuditEvent(tx, { ...audit, workspaceId, action: 'member.remove', resource: { type: 'user', id: userId }, outcome: 'allow', details: { role: current.role } });
  });
}

export async function countAdmins(db: RuntimeDb, workspaceId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'admin')));
  return row?.n ?? 0;
}
