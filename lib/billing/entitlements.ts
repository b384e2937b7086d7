/**
 * Entitlements and issued licenses (owner database). Only the webhook's payment processing
 * activates or extends an entitlement; Stripe's lifecycle events end one. Every function takes
 * the executor of the caller's transaction.
 */
import crypto from 'node:crypto';
import { and, desc, eq, gt, isNull, notInArray } from 'drizzle-orm';
import { type customers, entitlements, issuedLicenses } from '@/db/schema/owner';
import type { OwnerExecutor } from './db';
import { ownerSigningKey, signLicense } from './license-issuer';
import { LICENSE_GRACE_DAYS, type PaidPlan } from './plans';

export type Customer = typeof customers.$inferSelect;
export type IssuedLicense = typeof issuedLicenses.$inferSelect;

/** Features the customer holds at `now`: not revoked and paid through a later time. */
export async function activeEntitlements(db: OwnerExecutor, customerId: string, now: Date) {
  return db
    .select()
    .from(entitlements)
    .where(and(eq(entitlements.customerId, customerId), isNull(entitlements.revokedAt), gt(entitlements.activeUntil, now)));
}

export async function hasEntitlement(db: OwnerExecutor, customerId: string, feature: string, now: Date): Promise<boolean> {
  return (await activeEntitlements(db, customerId, now)).some((row) => row.feature === feature);
}

/**
 * A paid period: every feature of the plan is active until `paidThrough` (never shortened), the
 * features the plan lacks (a downgrade) end now. Returns whether anything was active before.
 */
export async function grantPaidPeriod(
  db: OwnerExecutor,
  input: { customerId: string; subscriptionId: string | null; plan: PaidPlan; paidThrough: Date; eventId: string; now: Date },
): Promise<{ wasActive: boolean }> {
  const before = await activeEntitlements(db, input.customerId, input.now);
  const features = [...input.plan.features];
  for (const feature of features) {
    const current = before.find((row) => row.feature === feature);
    const activeUntil = current && current.activeUntil > input.paidThrough ? current.activeUntil : input.paidThrough;
    await db
      .insert(entitlements)
      .values({ customerId: input.customerId, subscriptionId: input.subscriptionId, feature, activeUntil, sourceEventId: input.eventId })
      .onConflictDoUpdate({
        target: [entitlements.customerId, entitlements.feature],
        set: { subscriptionId: input.subscriptionId, activeUntil, sourceEventId: input.eventId, revokedAt: null, revokedReason: null, updatedAt: input.now },
      });
  }
  await db
    .update(entitlements)
    .set({ revokedAt: input.now, revokedReason: `not part of the ${input.plan.id} plan`, updatedAt: input.now })
    .where(and(eq(entitlements.customerId, input.customerId), isNull(entitlements.revokedAt), notInArray(entitlements.feature, features)));
  return { wasActive: before.length > 0 };
}

/** Ends every entitlement of a customer now (subscription ended, unpaid or cancelled). */
export async function endEntitlements(db: OwnerExecutor, customerId: string, reason: string, now: Date): Promise<number> {
  const ended = await db
    .update(entitlements)
    .set({ revokedAt: now, revokedReason: reason, updatedAt: now })
    .where(and(eq(entitlements.customerId, customerId), isNull(entitlements.revokedAt), gt(entitlements.activeUntil, now)))
    .returning({ id: entitlements.id });
  return ended.length;
}

export async function latestLicense(db: OwnerExecutor, customerId: string): Promise<IssuedLicense | null> {
  const [row] = await db
    .select()
    .from(issuedLicenses)
    .where(eq(issuedLicenses.customerId, customerId))
    .orderBy(desc(issuedLicenses.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * Issues a license for a paid period, signed with the owner key. A license covering the same plan
 * to at least the same date is not issued twice (checkout completion and the first invoice both
 * report the first period). Throws when the owner key is unavailable, so the caller's transaction
 * rolls back and nothing is half-granted.
 */
export async function issueLicenseForPeriod(
  db: OwnerExecutor,
  input: { customer: Customer; subscriptionId: string; plan: PaidPlan; paidThrough: Date; eventId: string; now: Date },
): Promise<IssuedLicense> {
  const expiresAt = new Date(input.paidThrough.getTime() + LICENSE_GRACE_DAYS * 86_400_000);
  const features = [...input.plan.features].sort();
  const previous = await latestLicense(db, input.customer.id);
  if (
    previous &&
    previous.plan === input.plan.id &&
    previous.expiresAt >= expiresAt &&
    JSON.stringify([...previous.features].sort()) === JSON.stringify(features)
  ) {
    return previous;
  }
  // A renewal stays bound to the installation the buyer named for the previous license.
  return recordLicense(db, {
    customer: input.customer,
    subscriptionId: input.subscriptionId,
    plan: input.plan.id,
    seats: input.plan.seats,
    features,
    expiresAt,
    installation: previous?.installation ?? 'portable',
    sourceEventId: input.eventId,
    now: input.now,
  });
}

/** Signs a license with the owner key and records it; the caller's transaction covers both. */
async function recordLicense(
  db: OwnerExecutor,
  input: Pick<IssuedLicense, 'subscriptionId' | 'plan' | 'seats' | 'features' | 'expiresAt' | 'installation' | 'sourceEventId'> & { customer: Customer; now: Date },
): Promise<IssuedLicense> {
  const signer = await ownerSigningKey();
  const licenseId = crypto.randomUUID();
  const { customer, now, ...fields } = input;
  const token = await signLicense(
    {
      licenseId,
      customerId: customer.id,
      licensee: { name: customer.name || customer.email, email: customer.email },
      plan: fields.plan,
      seats: fields.seats,
      features: fields.features,
      issuedAt: now,
      expiresAt: fields.expiresAt,
      installation: fields.installation,
    },
    signer,
  );
  const [row] = await db
    .insert(issuedLicenses)
    .values({ id: licenseId, customerId: customer.id, ...fields, keyId: signer.kid, issuer: signer.issuer, token, createdAt: now })
    .returning();
  return row!;
}

/**
 * Binds the buyer's current license to one runtime installation: the same plan, seats, features
 * and expiry, signed anew naming the installation (its id from the runtime's Settings → License),
 * so it installs there and nowhere else. Renewals keep the binding; binding again moves it.
 * Null when the customer holds no current license.
 */
export async function bindLicenseToInstallation(db: OwnerExecutor, customer: Customer, installation: string, now: Date): Promise<IssuedLicense | null> {
  const current = await latestLicense(db, customer.id);
  if (!current || current.expiresAt <= now) return null;
  if (current.installation === installation) return current;
  return recordLicense(db, {
    customer,
    subscriptionId: current.subscriptionId,
    plan: current.plan,
    seats: current.seats,
    features: current.features,
    expiresAt: current.expiresAt,
    installation,
    sourceEventId: `bind:${current.id}`,
    now,
  });
}
