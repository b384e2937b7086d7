/**
 * Workspaces and memberships: the tenant boundary. Lookups that resolve a workspace for a person
 * always go through the membership, so a non-member learns nothing about a workspace (not even
 * whether it exists).
 */
import { and, asc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { memberships, workspaces, type Role } from '@/db/schema/runtime';

export interface WorkspaceRef {
  id: string;
  slug: string;
  name: string;
}

export interface MembershipRef {
  workspace: WorkspaceRef;
  role: Role;
}

/** The workspace named by `slug` and the user's role there, or null when they are not a member. */
export async function findMembershipBySlug(db: RuntimeDb, userId: string, slug: string): Promise<MembershipRef | null> {
  const [row] = await db
    .select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(workspaces.slug, slug)))
    .limit(1);
  return row ? { workspace: { id: row.id, slug: row.slug, name: row.name }, role: row.role } : null;
}

/** Every workspace the user belongs to, by name. */
export async function listMemberships(db: RuntimeDb, userId: string): Promise<MembershipRef[]> {
  const rows = await db
    .select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name), asc(workspaces.slug));
  return rows.map((row) => ({ workspace: { id: row.id, slug: row.slug, name: row.name }, role: row.role }));
}

export async function findWorkspaceBySlug(db: RuntimeDb, slug: string): Promise<WorkspaceRef | null> {
  const [row] = await db.select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name }).from(workspaces).where(eq(workspaces.slug, slug)).limit(1);
  return row ?? null;
}
