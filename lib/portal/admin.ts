/** The vendor staff's view of the site: configuration status and recent payment events. */
import { desc, sql } from 'drizzle-orm';
import { getOwnerDb } from '@/db/owner';
import { customers, entitlements, webhookEvents } from '@/db/schema/owner';
import { ownerSecretsStatus } from '@/lib/billing/secret-settings';
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
  return {
    secrets: await ownerSecretsStatus(),
    settings: [
      { name: 'PORTAL_OIDC_ISSUER', value: process.env.PORTAL_OIDC_ISSUER ?? null },
      { name: 'PORTAL_OIDC_CLIENT_ID', value: process.env.PORTAL_OIDC_CLIENT_ID ?? null },
      { name: 'RP_PUBLIC_URL', value: process.env.RP_PUBLIC_URL ?? null },
      { name: 'STRIPE_API_BASE', value: process.env.STRIPE_API_BASE ?? null },
    ],
    counts: counts ?? { customers: 0, entitled: 0 },
    events,
    release: release.published ? { version: release.release.manifest.version, problems: release.release.problems } : { version: null, problems: [release.reason] },
  };
}
