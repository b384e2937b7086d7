import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { changeNotifiedCache } from '@/db/change-notified-cache';
import { getRuntimeDb } from '@/db/runtime';
import { eventually } from '@/lib/testing/eventually';
import { installedLicenses } from '@/db/schema/runtime';
import { signingKeyFromPem, signLicense, type LicenseToIssue } from '@/lib/billing/license-issuer';
import { ProblemError } from '@/lib/http/problem';
import { PRODUCTION_FEATURE } from './claims';
import { ed25519Pem, SAMPLE_LICENSE } from './testing';
import { installationId } from './installation';
import { getLicenseStatus, hasProductionEntitlement, installLicense, LICENSE_CHANGES_CHANNEL, removeLicense } from './status';

const owner = ed25519Pem();
const now = new Date('2026-01-20T00:00:00Z');
const base: LicenseToIssue = { ...SAMPLE_LICENSE, licenseId: 'lic_a', features: [PRODUCTION_FEATURE] };

async function issue(overrides: Partial<LicenseToIssue> = {}): Promise<string> {
  const signer = await signingKeyFromPem(owner.privatePem);
  return signLicense({ ...base, ...overrides }, signer);
}

describe('the runtime license', () => {
  beforeAll(() => {
    vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', owner.publicPem);
  });
  afterAll(() => {
    vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', undefined);
  });

  it('has no production entitlement before a license is installed', async () => {
    await removeLicense();
    expect(await getLicenseStatus({ now })).toMatchObject({ installed: false, valid: false, reason: 'none', production: false });
    expect(await hasProductionEntitlement({ now })).toBe(false);
  });

  it('installs a valid license and grants what it lists', async () => {
    const status = await installLicense(await issue(), { installedBy: 'admin@acme.test', now });
    expect(status).toMatchObject({ valid: true, plan: 'team', seats: 10, production: true, trust: 'test-key', installedBy: 'admin@acme.test' });
    expect(await hasProductionEntitlement({ now })).toBe(true);
  });

  it('refuses a tampered license and keeps the installed one', async () => {
    await installLicense(await issue(), { installedBy: 'admin@acme.test', now });
    const token = await issue({ licenseId: 'lic_b' });
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"team"', '"enterprise"')).toString('base64url')}.${signature}`;
    await expect(installLicense(forged, { installedBy: 'mallory', now })).rejects.toBeInstanceOf(ProblemError);
    expect(await getLicenseStatus({ now })).toMatchObject({ valid: true, licenseId: 'lic_a' });
  });

  it('refuses to install an expired license', async () => {
    const token = await issue({ licenseId: 'lic_old', expiresAt: new Date('2026-01-10T00:00:00Z') });
    await expect(installLicense(token, { installedBy: 'admin', now })).rejects.toThrow(/expired/);
  });

  it('loses production entitlement when the installed license expires', async () => {
    await installLicense(await issue(), { installedBy: 'admin@acme.test', now });
    const later = new Date('2026-03-01T00:00:00Z');
    expect(await getLicenseStatus({ now: later })).toMatchObject({ installed: true, valid: false, reason: 'expired', plan: 'team', production: false });
    expect(await hasProductionEntitlement({ now: later })).toBe(false);
  });

  it('grants no production entitlement for a license without the feature', async () => {
    await installLicense(await issue({ licenseId: 'lic_c', features: ['packages'] }), { installedBy: 'admin', now });
    expect(await getLicenseStatus({ now })).toMatchObject({ valid: true, licenseId: 'lic_c', production: false });
  });

  it('re-verifies the stored token on every read: a row altered in the database grants nothing', async () => {
    const db = await getRuntimeDb();
    const token = await issue({ licenseId: 'lic_d' });
    await installLicense(token, { installedBy: 'admin', now });
    // Written behind the application's back (removeLicense only clears the short read cache).
    await removeLicense();
    await db.insert(installedLicenses).values({ token: token.slice(0, -6) + 'AAAAAA', installedBy: 'db' });
    expect(await getLicenseStatus({ now })).toMatchObject({ installed: true, valid: false, reason: 'bad-signature', production: false });
  });

  it('applies a license another process installs at once, on the database’s notification', async () => {
    const db = await getRuntimeDb();
    await removeLicense();
    // Read until the cache holds "no license" (the listener is up and the row was read).
    await eventually(async () => (await getLicenseStatus({ now })).installed === false && changeNotifiedCache(db, LICENSE_CHANGES_CHANNEL).get('*') !== undefined);
    expect(await hasProductionEntitlement({ now })).toBe(false);
    // Written in SQL, as another server process or psql would: only the trigger's NOTIFY tells this one.
    const token = await issue({ licenseId: 'lic_elsewhere' });
    await db.execute(sql`insert into installed_licenses (token, installed_by) values (${token}, 'another process')`);
    await eventually(async () => (await getLicenseStatus({ now })).licenseId === 'lic_elsewhere', 2_000);
    expect(await hasProductionEntitlement({ now })).toBe(true);
    await db.execute(sql`delete from installed_licenses`);
    await eventually(async () => !(await hasProductionEntitlement({ now })), 2_000);
  });

  it('installs a license bound to this installation or portable, and refuses one bound to another, saying which', async () => {
    const db = await getRuntimeDb();
    const here = await installationId(db);
    expect(here).toMatch(/^[0-9a-f-]{36}$/);
    const bound = await installLicense(await issue({ licenseId: 'lic_here', installation: here }), { installedBy: 'admin', now });
    expect(bound).toMatchObject({ valid: true, installationId: here, licensedInstallation: here });
    expect(await installLicense(await issue({ licenseId: 'lic_portable' }), { installedBy: 'admin', now })).toMatchObject({ valid: true, licensedInstallation: 'portable' });

    const elsewhere = await issue({ licenseId: 'lic_elsewhere_bound', installation: '00000000-0000-4000-8000-000000000001' });
    const refused = await installLicense(elsewhere, { installedBy: 'admin', now }).then(() => null, (error: unknown) => error as ProblemError);
    expect(refused?.message).toMatch(/issued for another installation.*Settings → License/);
    expect(await getLicenseStatus({ now })).toMatchObject({ valid: true, licenseId: 'lic_portable' });
    // Written behind the application's back: the status says it is for another installation, and grants nothing.
    await db.execute(sql`insert into installed_licenses (token, installed_by) values (${elsewhere}, 'db')`);
    await eventually(async () => (await getLicenseStatus({ now })).licenseId === 'lic_elsewhere_bound', 2_000);
    expect(await getLicenseStatus({ now })).toMatchObject({ valid: false, reason: 'other-installation', production: false, licensedInstallation: '00000000-0000-4000-8000-000000000001' });
  });

  it('falls back to unlicensed when the license is removed', async () => {
    await installLicense(await issue(), { installedBy: 'admin@acme.test', now });
    expect(await getLicenseStatus({ now })).toMatchObject({ installed: true });
    await removeLicense();
    expect(await getLicenseStatus({ now })).toMatchObject({ installed: false, production: false });
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
