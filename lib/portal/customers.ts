/**
 * Buyers of the portal (owner database), known by the OIDC identity they sign in with. An identity
 * is matched by issuer and subject. A new identity needs an address the identity provider vouches
 * for (email_verified): an unverified address never creates, reserves or links a customer (nor,
 * through isPortalAdmin, the site's administration), so it can never squat a buyer's or staff
 * member's address or take over someone else's subscription.
 */
import { settings } from '@/lib/config/settings';
import { and, eq } from 'drizzle-orm';
import { getOwnerDb } from '@/db/owner';
import { customers } from '@/db/schema/owner';
import type { Customer } from '@/lib/billing/entitlements';
import { lookAlikeProblem, normalizeEmail } from '@/lib/auth/email';

export interface SignInIdentity {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

export type CustomerResolution = { customer: Customer } | { refused: string };

export async function customerForIdentity(identity: SignInIdentity): Promise<CustomerResolution> {
  const db = await getOwnerDb();
  const email = normalizeEmail(identity.email);
  if (!email.includes('@')) return { refused: 'Your identity provider did not share an email address.' };
  const lookAlike = lookAlikeProblem(identity.email);
  if (lookAlike) return { refused: `The address ${lookAlike}.` };
  return db.transaction(async (tx) => {
    const [known] = await tx
      .select()
      .from(customers)
      .where(and(eq(customers.oidcIssuer, identity.issuer), eq(customers.oidcSubject, identity.subject)));
    if (known) {
      const [updated] = await tx.update(customers).set({ name: identity.name || known.name }).where(eq(customers.id, known.id)).returning();
      return { customer: updated! };
    }
    if (!identity.emailVerified) {
      return { refused: `Your identity provider has not verified ${email}. Verify the address with it, then sign in again.` };
    }
    const [sameEmail] = await tx.select().from(customers).where(eq(customers.email, email));
    if (sameEmail) {
      if ((sameEmail.oidcSubject && sameEmail.oidcIssuer === identity.issuer)) {
        return { refused: `An account for ${email} exists under another sign-in. Sign in the way you did before, or contact support.` };
      }
      const [linked] = await tx
        .update(customers)
        .set({ oidcIssuer: identity.issuer, oidcSubject: identity.subject })
        .where(eq(customers.id, sameEmail.id))
        .returning();
      return { customer: linked! };
    }
    const [created] = await tx
      .insert(customers)
      .values({ email, name: identity.name, oidcIssuer: identity.issuer, oidcSubject: identity.subject })
      .returning();
    return { customer: created! };
  });
}

export async function customerById(id: string): Promise<Customer | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const db = await getOwnerDb();
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  return row ?? null;
}

/** Vendor staff, by the emails in PORTAL_ADMIN_EMAILS (comma-separated). */
export function isPortalAdmin(customer: Pick<Customer, 'email'>): boolean {
  return settings().portal.adminEmails.map(normalizeEmail).includes(normalizeEmail(customer.email));
}
