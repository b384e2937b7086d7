/**
 * Mapping external identities (an OIDC issuer's subject, a trusted proxy's user) to people.
 * Accounts are keyed by (provider, subject). A known identity signs in its person. A new identity
 * needs an email the identity provider vouches for (email_verified): an unverified claim never
 * creates, names or links an account, so nobody can reserve a victim's address for the day the
 * real person signs in. A verified new identity is linked to the person with that email, or a
 * person is created (without any workspace: an admin invites them).
 */
import { and, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { userIdentities, users } from '@/db/schema/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { lookAlikeProblem } from './email';
import { createUser, findUserByEmail, isEmail, normalizeEmail } from './users';

export interface ExternalIdentity {
  /** "oidc:<issuer>" or "proxy". */
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
}

/**
 * Whether the identity provider vouches for the ID token's email: OpenID Connect's `email_verified`
 * (AWS Cognito among others sends it as the string "true"), or Microsoft Entra ID's `xms_edov`
 * ("email domain owner verified", an optional claim the app registration adds): Entra sends no
 * `email_verified`, and its plain `email` may be one a user typed in (the nOAuth attacks).
 */
export function emailVerifiedClaim(profile: { email_verified?: unknown; xms_edov?: unknown } | null | undefined): boolean {
  const vouched = (value: unknown) => value === true || value === 'true' || value === 1 || value === '1';
  return vouched(profile?.email_verified) || vouched(profile?.xms_edov);
}

/** What to tell an administrator whose provider did not vouch for the email: Entra needs two optional claims. */
const EMAIL_CLAIMS_HINT = 'for Microsoft Entra ID, add the optional claims "email" and "xms_edov" to the ID token (Token configuration)';

export type ResolvedIdentity = { ok: true; userId: string; email: string } | { ok: false; reason: string };

export async function resolveExternalIdentity(db: RuntimeDb, identity: ExternalIdentity, audit: AuditContext): Promise<ResolvedIdentity> {
  const [known] = await db
    .select({ userId: users.id, email: users.email, disabledAt: users.disabledAt })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.provider, identity.provider), eq(userIdentities.subject, identity.subject)))
    .limit(1);
  if (known) return known.disabledAt ? { ok: false, reason: 'the account is disabled' } : { ok: true, userId: known.userId, email: known.email };

  if (!identity.email || !isEmail(identity.email)) return { ok: false, reason: `the identity provider sent no email address (${EMAIL_CLAIMS_HINT})` };
  const lookAlike = lookAlikeProblem(identity.email);
  if (lookAlike) return { ok: false, reason: lookAlike };
  const email = normalizeEmail(identity.email);
  return db.transaction(async (tx) => {
    if (!identity.emailVerified) {
      return { ok: false as const, reason: `the identity provider did not verify ${email} (its ID token says email_verified false, or nothing): ask it to verify the address, then sign in again; ${EMAIL_CLAIMS_HINT}` };
    }
    const existing = await findUserByEmail(tx, email);
    if (existing?.disabledAt) return { ok: false as const, reason: 'the account is disabled' };
    const user = existing ?? (await createUser(tx, { email, name: identity.name }, audit));
    await tx.insert(userIdentities).values({ provider: identity.provider, subject: identity.subject, userId: user.id }).onConflictDoNothing();
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId: null,
      action: 'user.identity_link',
      resource: { type: 'user', id: user.id },
      outcome: 'allow',
      details: { provider: identity.provider, subject: identity.subject, newUser: !existing },
    });
    return { ok: true as const, userId: user.id, email: user.email };
  });
}
