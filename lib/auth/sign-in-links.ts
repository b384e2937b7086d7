/**
 * One-time sign-in links (the bootstrap admin's first sign-in, an invited person's new account):
 * random, stored hashed, expiring, usable once. Consuming is one conditional UPDATE, so two
 * concurrent uses cannot both succeed.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { signInLinks, users } from '@/db/schema/runtime';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { generateLinkSecret, hashToken } from '@/lib/tokens/format';
import { publicBaseUrl } from './settings';

export const SIGN_IN_LINK_PATH = '/login/link';

/** A new link for a person; their earlier unused links stop working (only the newest one signs in). */
export async function createSignInLink(db: DbOrTx, userId: string, ttlMs: number): Promise<{ secret: string; url: string; expiresAt: Date }> {
  await expireSignInLinks(db, userId);
  const secret = generateLinkSecret();
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.insert(signInLinks).values({ userId, tokenHash: hashToken(secret), expiresAt });
  // In the fragment: browsers never send it, so it stays out of proxy and server logs.
  return { secret, url: `${publicBaseUrl()}${SIGN_IN_LINK_PATH}#${secret}`, expiresAt };
}

/**
 * A link someone issued for a person (an operator with `rp admin sign-in-link`, a workspace admin
 * from Members, for a person locked out): audited in the same transaction, never its secret.
 */
export async function issueSignInLink(
  db: RuntimeDb,
  target: { userId: string; ttlMs: number },
  context: { workspaceId: string | null; audit: AuditContext },
): Promise<{ url: string; expiresAt: Date }> {
  return db.transaction(async (tx) => {
    const created = await createSignInLink(tx, target.userId, target.ttlMs);
    await appendAuditEvent(tx, {
      ...context.audit,
      workspaceId: context.workspaceId,
      action: 'user.sign_in_link',
      resource: { type: 'user', id: target.userId },
      outcome: 'allow',
      details: { expiresAt: created.expiresAt.toISOString() },
    });
    return { url: created.url, expiresAt: created.expiresAt };
  });
}

/** Uses the link up; the user it signs in, or null (unknown, used, expired, or a disabled user). */
export async function consumeSignInLink(db: RuntimeDb, secret: string, now = new Date()): Promise<{ id: string; email: string; name: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  const [used] = await db
    .update(signInLinks)
    .set({ usedAt: now })
    .where(and(eq(signInLinks.tokenHash, hashToken(secret)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)))
    .returning({ userId: signInLinks.userId });
  if (!used) return null;
  const [user] = await db.select({ id: users.id, email: users.email, name: users.name, disabledAt: users.disabledAt }).from(users).where(eq(users.id, used.userId));
  return user && !user.disabledAt ? { id: user.id, email: user.email, name: user.name } : null;
}

/** Ends every unused link of a user (a new one is being issued, or the account was disabled). */
export async function expireSignInLinks(db: DbOrTx, userId: string, now = new Date()): Promise<void> {
  await db.update(signInLinks).set({ expiresAt: now }).where(and(eq(signInLinks.userId, userId), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)));
}
