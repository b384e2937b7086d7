/**
 * Invitations: a link with a random secret (stored hashed), for one email and one role, valid
 * for a week and usable once. Accepting needs the invited person signed in with that email (or
 * creating the account for it), so a forwarded link does not let someone else in.
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { invitations, users, workspaces, type Role } from '@/db/schema/runtime';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { publicBaseUrl } from '@/lib/auth/settings';
import { isEmail, normalizeEmail } from '@/lib/auth/users';
import { generateLinkSecret, hashToken } from '@/lib/tokens/format';
import { addMember, getMemberRole, isRole, MembershipError } from './members';
import { assertSeatAvailable } from './seats';

export const INVITATION_TTL_MS = 7 * 86_400_000;

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  createdAt: Date;
  invitedBy: string | null;
}

export function invitationUrl(secret: string): string {
  return `${publicBaseUrl()}/invite/${secret}`;
}

export async function createInvitation(
  db: DbOrTx,
  workspaceId: string,
  input: { email: string; role: string },
  createdBy: string | null,
  audit: AuditContext,
): Promise<{ secret: string; url: string; invitation: PendingInvitation }> {
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) throw new MembershipError(`"${input.email}" is not an email address.`, 'invalid', 'email');
  if (!isRole(input.role)) throw new MembershipError(`"${input.role}" is not a role.`, 'invalid', 'role');
  const role = input.role;
  const secret = generateLinkSecret();
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    if (existing && (await getMemberRole(tx, workspaceId, existing.id))) {
      throw new MembershipError(`${email} is already a member of this workspace.`, 'conflict', 'email');
    }
    await assertSeatAvailable(tx, { userId: existing?.id ?? null, email }, 'email');
    // A new invitation replaces any pending one for the same email.
    await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const [row] = await tx
      .insert(invitations)
      .values({ workspaceId, email, role, tokenHash: hashToken(secret), expiresAt: new Date(Date.now() + INVITATION_TTL_MS), createdBy })
      .returning();
    await appendAuditEvent(tx, { ...audit, workspaceId, action: 'invitation.create', resource: { type: 'invitation', id: row!.id }, outcome: 'allow', details: { email, role } });
    return {
      secret,
      url: invitationUrl(secret),
      invitation: { id: row!.id, email, role, expiresAt: row!.expiresAt, createdAt: row!.createdAt, invitedBy: null },
    };
  });
}

export async function listPendingInvitations(db: RuntimeDb, workspaceId: string, now = new Date()): Promise<PendingInvitation[]> {
  return db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt, createdAt: invitations.createdAt, invitedBy: users.email })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.createdBy))
    .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.createdAt));
}

export async function revokeInvitation(db: DbOrTx, workspaceId: string, invitationId: string, audit: AuditContext): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ email: invitations.email });
    if (!row) return false;
    await appendAuditEvent(tx, { ...audit, workspaceId, action: 'invitation.revoke', resource: { type: 'invitation', id: invitationId }, outcome: 'allow', details: { email: row.email } });
    return true;
  });
}

export interface InvitationView {
  id: string;
  workspace: { id: string; slug: string; name: string };
  email: string;
  role: Role;
  expiresAt: Date;
  invitedBy: string | null;
}

/** The invitation a link names, if it can still be accepted. */
export async function findOpenInvitation(db: RuntimeDb, secret: string, now = new Date()): Promise<InvitationView | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  const [row] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      workspace: { id: workspaces.id, slug: workspaces.slug, name: workspaces.name },
      invitedBy: users.email,
    })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .leftJoin(users, eq(users.id, invitations.createdBy))
    .where(and(eq(invitations.tokenHash, hashToken(secret)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/** Accepts the invitation for this person: one conditional update, so a link works once. */
export async function acceptInvitation(
  db: DbOrTx,
  secret: string,
  user: { id: string; email: string },
  audit: AuditContext,
  now = new Date(),
): Promise<{ workspace: { id: string; slug: string }; role: Role }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: invitations.id, email: invitations.email, role: invitations.role, workspaceId: invitations.workspaceId, slug: workspaces.slug })
      .from(invitations)
      .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
      .where(and(eq(invitations.tokenHash, hashToken(secret)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
      .for('update')
      .limit(1);
    if (!row) throw new MembershipError('This invitation is no longer valid: it was used, withdrawn or has expired. Ask for a new one.', 'not-found');
    if (normalizeEmail(user.email) !== row.email) {
      throw new MembershipError(`This invitation is for ${row.email}, and you are signed in as ${user.email}. Sign in with the invited address, or ask for an invitation to yours.`, 'conflict');
    }
    await tx.update(invitations).set({ acceptedAt: now, acceptedBy: user.id }).where(eq(invitations.id, row.id));
    if (!(await getMemberRole(tx, row.workspaceId, user.id))) await addMember(tx, row.workspaceId, user.id, row.role, audit);
    await appendAuditEvent(tx, { ...audit, workspaceId: row.workspaceId, action: 'invitation.accept', resource: { type: 'invitation', id: row.id }, outcome: 'allow', details: { email: row.email, role: row.role } });
    return { workspace: { id: row.workspaceId, slug: row.slug }, role: row.role };
  });
}
