import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents, type Role } from '@/db/schema/runtime';
import { signingKeyFromPem, signLicense } from '@/lib/billing/license-issuer';
import { ProblemError } from '@/lib/http/problem';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import { installLicenseAs, type LicenseInstaller } from './settings';
import { getLicenseStatus } from './status';
import { ed25519Pem, SAMPLE_LICENSE } from './testing';

const owner = ed25519Pem();
const current = { ...SAMPLE_LICENSE, issuedAt: new Date(Date.now() - 3_600_000), expiresAt: new Date(Date.now() + 30 * 86_400_000) };

beforeAll(() => {
  vi.stubEnv('RP_LICENSE_TEST_PUBLIC_KEY', owner.publicPem);
});

async function installer(role: Role, requestId: string): Promise<LicenseInstaller> {
  const db = await getRuntimeDb();
  const workspace = await testWorkspace(db);
  const user = await testMember(db, workspace, role);
  return { workspace, role, user, audit: { actor: { type: 'user', id: user.id, label: user.email }, requestId } };
}

async function issue(licenseId: string): Promise<string> {
  return signLicense({ ...current, licenseId }, await signingKeyFromPem(owner.privatePem));
}

/** The license every test starts from, so none depends on another having run first. */
async function installSample(): Promise<void> {
  await installLicenseAs(await getRuntimeDb(), await installer('admin', `req-license-sample-${crypto.randomUUID()}`), await issue(SAMPLE_LICENSE.licenseId));
}

async function auditOf(requestId: string) {
  const db = await getRuntimeDb();
  return db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId));
}

describe('Settings → License in the runtime', () => {
  it('lets an administrator install a license issued by the portal, and audits it', async () => {
    const db = await getRuntimeDb();
    const admin = await installer('admin', 'req-license-1');
    const status = await installLicenseAs(db, admin, await issue(SAMPLE_LICENSE.licenseId));
    expect(status).toMatchObject({ valid: true, production: true, plan: 'team', installedBy: admin.user.email });
    expect(await getLicenseStatus()).toMatchObject({ valid: true, production: true });
    expect(await auditOf('req-license-1')).toMatchObject([{ action: 'license.install', outcome: 'allow', workspaceId: admin.workspace.id }]);
  });

  it('refuses a tampered license with the reason, keeps the installed one, and audits the refusal', async () => {
    await installSample();
    const db = await getRuntimeDb();
    const token = await issue('lic_other');
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), seats: 9999 })).toString('base64url')}.${signature}`;
    await expect(installLicenseAs(db, await installer('admin', 'req-license-2'), forged)).rejects.toThrow(/altered/);
    expect((await getLicenseStatus()).licenseId).toBe(SAMPLE_LICENSE.licenseId);
    expect(await auditOf('req-license-2')).toMatchObject([{ action: 'license.install', outcome: 'deny' }]);
  });

  it('lets only administrators change it', async () => {
    await installSample();
    const db = await getRuntimeDb();
    for (const role of ['maintainer', 'developer', 'viewer'] as const) {
      await expect(installLicenseAs(db, await installer(role, `req-license-${role}`), await issue(`lic_${role}`))).rejects.toBeInstanceOf(ProblemError);
      expect(await auditOf(`req-license-${role}`)).toMatchObject([{ outcome: 'deny', reason: `role ${role}` }]);
    }
    expect((await getLicenseStatus()).licenseId).toBe(SAMPLE_LICENSE.licenseId);
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
