/**
 * Disabling and re-enabling a person's account (the operator with `rp admin disable-user`, or a
 * workspace admin in Members). A disabled account signs in nowhere: its sessions are ended, its
 * unused sign-in links expire, and every session look-up refuses it from the next request on
 * (lib/auth/sessions.ts). API tokens belong to workspaces, not people, and are not touched.
 */
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { memberships, sessions, users } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { assertSeatAvailable } from '@/lib/workspaces/seats';
import { expireSignInLinks } from './sign-in-links';

export type AccountChange = 'disabled' | 'enabled' | 'unchanged';

/**
 * Sets the account's state. `workspaceId` is the workspace whose admin acts (its audit chain gets
 * the event), or null for the operator (the installation chain).
 */
export async function setAccountDisabled(
  db: RuntimeDb,
  target: { userId: string; disabled: boolean },
  by: { workspaceId: string | null; audit: AuditContext },
  now = new Date(),
): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    if (!target.disabled) {
      // Enabled again, a person with access holds a seat again: refused when none is free.
      const [access] = await tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.userId, target.userId)).limit(1);
      if (access) await assertSeatAvailable(tx, { userId: target.userId }, 'userId');
    }
    const [changed] = await tx
      .update(users)
      .set({ disabledAt: target.disabled ? now : null })
      .where(and(eq(users.id, target.userId), target.disabled ? isNull(users.disabledAt) : isNotNull(users.disabledAt)))
      .returning({ email: users.email });
    if (!changed) return 'unchanged';
    let endedSessions = 0;
    if (target.disabled) {
      endedSessions = (await tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, target.userId), isNull(sessions.revokedAt))).returning({ id: sessions.id })).length;
      await expireSignInLinks(tx, target.userId, now);
    }
    await appendAuditEvent(tx, {
      ...by.audit,
      workspaceId: by.workspaceId,
      action: target.disabled ? 'user.disable' : 'user.enable',
      resource: { type: 'user', id: target.userId },
      outcome: 'allow',
      details: { email: changed.email, ...(target.disabled ? { endedSessions } : {}) },
    });
    return target.disabled ? 'disabled' : 'enabled';
  });
}

/**
 * Whether a workspace admin may change this person's account: not their own, and only when they
 * administer every workspace the person belongs to (an account spans workspaces; an admin of one
 * does not decide for the others). Null when allowed, else why not.
 */
export async function accountChangeRefusal(db: RuntimeDb, actorUserId: string, targetUserId: string, workspaceId: string, change: 'disable' | 'sign-in link' = 'disable'): Promise<string | null> {
  if (actorUserId === targetUserId) {
    return change === 'disable' ? 'You cannot disable your own account; ask another admin or the operator.' : 'This is you: change your password on your account page.';
  }
  const [targetIn, actorAdminOf] = await Promise.all([
    db.select({ workspaceId: memberships.workspaceId }).from(memberships).where(eq(memberships.userId, targetUserId)),
    db.select({ workspaceId: memberships.workspaceId }).from(memberships).where(and(eq(memberships.userId, actorUserId), eq(memberships.role, 'admin'))),
  ]);
  if (!targetIn.some((row) => row.workspaceId === workspaceId)) return 'This person is not a member of this workspace.';
  const administered = new Set(actorAdminOf.map((row) => row.workspaceId));
  if (targetIn.some((row) => !administered.has(row.workspaceId))) {
    return change === 'disable'
      ? 'This person also works in workspaces you do not administer, so their account is not yours alone to disable: remove them from this workspace, or ask the operator (rp admin disable-user).'
      : 'This person also works in workspaces you do not administer, so a link into their account is not yours alone to give: ask the operator (rp admin sign-in-link).';
  }
  return null;
}
