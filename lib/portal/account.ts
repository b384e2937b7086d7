/** What the portal shows a buyer: subscription, entitlements, license, downloads. Owner data only. */
import { desc, eq } from 'drizzle-orm';
import { getOwnerDb } from '@/db/owner';
import { subscriptions } from '@/db/schema/owner';
import { activeEntitlements, latestLicense, type Customer, type IssuedLicense } from '@/lib/billing/entitlements';
import { planById, type Plan } from '@/lib/billing/plans';
import { PRODUCTION_FEATURE } from '@/lib/license/claims';
import { signedDownloadPath } from './download-links';
import { currentRelease, type Artifact } from './releases';

export interface PortalDownload {
  artifact: Artifact;
  /** A signed, expiring link when the buyer is entitled; the public path for public files. */
  href: string | null;
  expiresAt: Date | null;
}

export interface PortalAccount {
  subscription: (typeof subscriptions.$inferSelect & { planDetails: Plan | undefined }) | null;
  features: Array<{ feature: string; activeUntil: Date }>;
  production: boolean;
  license: (IssuedLicense & { current: boolean }) | null;
  release: { version: string } | null;
  downloads: PortalDownload[];
}

export async function portalAccount(customer: Customer, now: Date = new Date()): Promise<PortalAccount> {
  const db = await getOwnerDb();
  const [subscription] = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id)).orderBy(desc(subscriptions.updatedAt)).limit(1);
  const active = await activeEntitlements(db, customer.id, now);
  const license = await latestLicense(db, customer.id);
  const held = new Set(active.map((row) => row.feature));
  const lookup = currentRelease();
  const downloads: PortalDownload[] = [];
  if (lookup.published) {
    for (const artifact of lookup.release.artifacts) {
      if (!artifact.entitlement) {
        downloads.push({ artifact, href: `/download/files/${encodeURIComponent(artifact.file)}`, expiresAt: null });
      } else if (held.has(artifact.entitlement)) {
        // Without the link secret configured, entitled downloads are unavailable rather than unsigned.
        const link = await signedDownloadPath(artifact.file, customer.id, now).catch(() => null);
        downloads.push({ artifact, href: link?.path ?? null, expiresAt: link?.expiresAt ?? null });
      } else {
        downloads.push({ artifact, href: null, expiresAt: null });
      }
    }
  }
  return {
    subscription: subscription ? { ...subscription, planDetails: planById(subscription.plan) } : null,
    features: active.map((row) => ({ feature: row.feature, activeUntil: row.activeUntil })),
    production: held.has(PRODUCTION_FEATURE),
    license: license ? { ...license, current: license.expiresAt > now && held.size > 0 } : null,
    release: lookup.published ? { version: lookup.release.manifest.version } : null,
    downloads,
  };
}
