/** The vendor staff's view of the site: configuration status and recent payment events. */
import { settings } from '@/lib/config/settings';
import { desc, sql } from 'drizzle-orm';
import { getOwnerDb } from '@/db/owner';
import { customers, entitlements, webhookEvents } from '@/db/schema/owner';
import { LICENSE_SIGNER_MARKER, ownerSigningKey } from '@/lib/billing/license-issuer';
import { ownerSecretsStatus } from '@/lib/billing/secret-settings';
import { VENDOR_ISSUER } from '@/lib/license/claims';
import { currentRelease } from './releases';

export async function adminOverview(now: Date = new Date()) {
  const db = await getOwnerDb();
  const events = await db.select().from(webhookEvents).orderBy(desc(webhookEvents.receivedAt)).limit(50);
  const [counts] = await db
    .select({
      customers: sql<number>`(select count(*)::int from ${customers})`,
      entitled: sql<number>`(select count(distinct ${entitlements.customerId})::int from ${entitlements} where ${entitlements.revokedAt} is null and ${entitlements.activeUntil} > ${now.toISOString()})`,
    })
    .from(sql`(select 1) as one`);
  const release = currentRelease();
  const config = settings();
  return {
    secrets: await ownerSecretsStatus(),
    licenseSigning: await licenseSigningStatus(),
    settings: [
      { name: 'PORTAL_OIDC_ISSUER', value: config.portal.oidc?.issuer ?? null },
      { name: 'PORTAL_OIDC_CLIENT_ID', value: config.portal.oidc?.clientId ?? null },
      { name: 'RP_PUBLIC_URL', value: config.publicUrl?.toString() ?? null },
      { name: 'STRIPE_API_BASE', value: config.portal.stripeApiBase },
    ],
    counts: counts ?? { customers: 0, entitled: 0 },
    events,
    release: release.published ? { version: release.release.manifest.version, problems: release.release.problems } : { version: null, problems: [release.reason] },
  };
}

export type LicenseSigningStatus =
  | { state: 'vendor'; kid: string }
  | { state: 'test-key'; kid: string }
  | { state: 'unavailable'; problem: string };

/**
 * Whether licenses issued now will be accepted by the runtimes we ship: only a key whose public half
 * is in lib/license/trusted-keys.ts signs vendor licenses; any other key signs test licenses, which a
 * runtime accepts only when RP_LICENSE_TEST_PUBLIC_KEY names that key. Said here, before a customer finds out.
 */
export async function licenseSigningStatus(): Promise<LicenseSigningStatus> {
  try {
    const key = await ownerSigningKey();
    return key.issuer === VENDOR_ISSUER ? { state: 'vendor', kid: key.kid } : { state: 'test-key', kid: key.kid };
  } catch (error) {
    return { state: 'unavailable', problem: (error as Error).message.replace(`${LICENSE_SIGNER_MARKER}: `, '') };
  }
}
