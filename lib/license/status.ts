/**
 * The runtime's license: which one is installed and what it entitles, verified offline on every
 * read (a stored license is never trusted for having been valid once). Installation-level data:
 * one license per runtime, shared by its workspaces.
 */
import { desc } from 'drizzle-orm';
import { changeNotifiedCache, forgetEverywhere } from '@/db/change-notified-cache';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import type { DbOrTx } from '@/lib/audit/log';
import { installedLicenses } from '@/db/schema/runtime';
import { ProblemError } from '@/lib/http/problem';
import { PRODUCTION_FEATURE } from './claims';
import { installationId } from './installation';
import { verifyLicense, type LicenseRefusal, type LicenseVerification } from './verify';

export interface LicenseStatus {
  installed: boolean;
  valid: boolean;
  /** Why the license is not valid, or null when it is. */
  reason: LicenseRefusal | 'none' | null;
  message: string;
  licenseId: string | null;
  licensee: { name: string; email: string } | null;
  plan: string | null;
  seats: number | null;
  features: string[];
  /** Enforce mode on production environments is allowed. */
  production: boolean;
  issuedAt: Date | null;
  expiresAt: Date | null;
  /** `test-key`: verified with RP_LICENSE_TEST_PUBLIC_KEY, not the vendor's key. */
  trust: 'vendor' | 'test-key' | null;
  installedAt: Date | null;
  installedBy: string | null;
  /** This runtime's installation id, and the installation the license is for ("portable": any). */
  installationId: string | null;
  licensedInstallation: string | null;
}

const NO_LICENSE: LicenseStatus = {
  installed: false,
  valid: false,
  reason: 'none',
  message: 'No license is installed. Shadow and advisory modes work everywhere, and enforce mode on non-production environments; enforce mode on production environments needs a license with production entitlement.',
  licenseId: null,
  licensee: null,
  plan: null,
  seats: null,
  features: [],
  production: false,
  issuedAt: null,
  expiresAt: null,
  trust: null,
  installedAt: null,
  installedBy: null,
  installationId: null,
  licensedInstallation: null,
};

// The gate asks on every production evaluation: the row is cached per process until the database
// announces a change to it (db/migrations/runtime/post/040_license_changes.sql), so an installed,
// replaced or removed license applies at once, in every process, whoever changed it. The time
// checks of the verification are redone on every call.
export const LICENSE_CHANGES_CHANNEL = 'rp_license_changes';
const ROW_TTL_MS = 60_000;
type InstalledRow = typeof installedLicenses.$inferSelect;

async function installedRow(db: RuntimeDb): Promise<InstalledRow | null> {
  const cache = changeNotifiedCache<{ row: InstalledRow | null }>(db, LICENSE_CHANGES_CHANNEL, ROW_TTL_MS);
  const cached = cache.get('*');
  if (cached) return cached.row;
  const readSince = cache.version;
  const [row] = await db.select().from(installedLicenses).orderBy(desc(installedLicenses.installedAt)).limit(1);
  cache.set('*', { row: row ?? null }, readSince);
  return row ?? null;
}

export async function getLicenseStatus(options: { now?: Date; db?: RuntimeDb } = {}): Promise<LicenseStatus> {
  const db = options.db ?? (await getRuntimeDb());
  const [row, installation] = await Promise.all([installedRow(db), installationId(db)]);
  if (!row) return { ...NO_LICENSE, installationId: installation };
  const verification = await verifyLicense(row.token, { now: options.now, installationId: installation });
  return { ...statusOf(verification), installedAt: row.installedAt, installedBy: row.installedBy, installationId: installation };
}

/**
 * The license as `db` sees it, read without the cache: inside a transaction (seat checks), where
 * the cached read would need a second connection and could see a state the transaction does not.
 */
export async function readLicenseStatus(db: DbOrTx, now?: Date): Promise<LicenseStatus> {
  const [row] = await db.select().from(installedLicenses).orderBy(desc(installedLicenses.installedAt)).limit(1);
  const installation = await installationId(db);
  if (!row) return { ...NO_LICENSE, installationId: installation };
  const verification = await verifyLicense(row.token, { now, installationId: installation });
  return { ...statusOf(verification), installedAt: row.installedAt, installedBy: row.installedBy, installationId: installation };
}

/** What the gate asks before enforcing on a production environment. */
export async function hasProductionEntitlement(options: { now?: Date; db?: RuntimeDb } = {}): Promise<boolean> {
  return (await getLicenseStatus(options)).production;
}

/**
 * Verifies and installs a license, replacing the installed one. A license that does not verify
 * now (tampered, foreign key, expired) is refused with a problem the operator can act on, and the
 * installed license stays as it was.
 */
export async function installLicense(
  token: string,
  options: { installedBy: string | null; now?: Date; db?: RuntimeDb },
): Promise<LicenseStatus> {
  const db = options.db ?? (await getRuntimeDb());
  const installation = await installationId(db);
  const verification = await verifyLicense(token, { now: options.now, installationId: installation });
  if (!verification.valid) {
    throw new ProblemError('unprocessable', verification.message, { extensions: { reason: verification.reason } });
  }
  const [row] = await db.transaction(async (tx) => {
    await tx.delete(installedLicenses);
    return tx.insert(installedLicenses).values({ token: token.trim(), installedBy: options.installedBy }).returning();
  });
  forgetEverywhere(LICENSE_CHANGES_CHANNEL, '*');
  return { ...statusOf(verification), installedAt: row!.installedAt, installedBy: row!.installedBy, installationId: installation };
}

/** Removes the installed license: the runtime falls back to unlicensed behaviour. */
export async function removeLicense(options: { db?: RuntimeDb } = {}): Promise<void> {
  const db = options.db ?? (await getRuntimeDb());
  await db.delete(installedLicenses);
  forgetEverywhere(LICENSE_CHANGES_CHANNEL, '*');
}

function statusOf(verification: LicenseVerification): LicenseStatus {
  const claims = verification.claims;
  const base: LicenseStatus = {
    ...NO_LICENSE,
    installed: true,
    trust: verification.trust ?? null,
    licenseId: claims?.jti ?? null,
    licensee: claims?.licensee ?? null,
    plan: claims?.plan ?? null,
    seats: claims?.seats ?? null,
    features: claims?.features ?? [],
    issuedAt: claims ? new Date(claims.iat * 1000) : null,
    licensedInstallation: claims?.installation ?? null,
    expiresAt: claims ? new Date(claims.exp * 1000) : null,
  };
  if (!verification.valid) return { ...base, valid: false, reason: verification.reason, message: verification.message };
  return {
    ...base,
    valid: true,
    reason: null,
    production: verification.claims.features.includes(PRODUCTION_FEATURE),
    message:
      verification.trust === 'test-key'
        ? 'Valid, but verified with the test key from RP_LICENSE_TEST_PUBLIC_KEY, not the vendor key: for tests and staging only.'
        : 'Valid license issued by Release Passport.',
  };
}
