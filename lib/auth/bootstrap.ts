/**
 * First start: with no person in the database, a bootstrap admin and a default workspace are
 * created and a one-time sign-in link is printed to the console. Until someone has signed in,
 * every start prints a fresh link (the previous ones stop working), so a lost or expired link
 * is fixed by a restart. Serialized by an advisory lock: replicas starting together create one admin.
 * One server's RP_WORKERS processes run this once, in the first of them (lib/startup/runtime.ts).
 */
import { count, eq, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { userIdentities, users } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { createWorkspace } from '@/lib/workspaces/members';
import { settings, type Env } from '@/lib/config/settings';
import { createSignInLink } from './sign-in-links';
import { createUser } from './users';

const BOOTSTRAP_LOCK = 7_301_995_002;
export const BOOTSTRAP_LINK_TTL_MS = 24 * 3_600_000;
const AUDIT: AuditContext = { actor: { type: 'system', label: 'first start' } };

export interface BootstrapResult {
  created: boolean;
  email: string;
  workspace: string | null;
  link: { url: string; expiresAt: Date } | null;
}

export async function bootstrapInstallation(db: RuntimeDb, env: Env = process.env): Promise<BootstrapResult | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    const [people] = await tx.select({ n: count() }).from(users);
    if ((people?.n ?? 0) === 0) {
      const { adminEmail: email, workspaceSlug: slug, workspaceName } = settings(env).bootstrap;
      const admin = await createUser(tx, { email, name: 'Administrator' }, AUDIT);
      await createWorkspace(tx, { slug, name: workspaceName }, AUDIT, admin.id);
      const link = await createSignInLink(tx, admin.id, BOOTSTRAP_LINK_TTL_MS);
      return { created: true, email: admin.email, workspace: slug, link };
    }
    // Until the first admin has a way in of their own (a password, or a sign-in through the identity
    // provider), every start prints a fresh link: a first link whose use did not complete, or a
    // session that ended before a password was set, must not lock the installation for good.
    const [first] = await tx.select({ id: users.id, email: users.email, passwordHash: users.passwordHash }).from(users).orderBy(users.createdAt).limit(1);
    if (!first || first.passwordHash) return null;
    const [identity] = await tx.select({ userId: userIdentities.userId }).from(userIdentities).where(eq(userIdentities.userId, first.id)).limit(1);
    if (identity) return null;
    const link = await createSignInLink(tx, first.id, BOOTSTRAP_LINK_TTL_MS);
    return { created: false, email: first.email, workspace: null, link };
  });
}

export function bootstrapMessage(result: BootstrapResult): string {
  const lines = [
    '',
    '──────────────────────────────────────────────────────────────────────',
    result.created
      ? `Release Passport first start: created the admin ${result.email} and the workspace "${result.workspace}".`
      : `Release Passport: the first admin ${result.email} has no password yet. A new sign-in link (earlier ones no longer work):`,
  ];
  if (result.link) {
    lines.push(
      'Sign in once with this link, then set a password on your account page:',
      '',
      `  ${result.link.url}`,
      '',
      `It works once, until ${result.link.expiresAt.toISOString()}. Restart the server for a new one.`,
    );
  }
  lines.push('──────────────────────────────────────────────────────────────────────', '');
  return lines.join('\n');
}
