/**
 * Installing the runtime's license from Settings → License. Every member may read the license
 * status (the page); the license is installation-wide, so only a workspace administrator may
 * install or replace it. Membership is checked by the caller (requireMember); the role is checked
 * here too, and every install and refusal is audited in the workspace's chain.
 */
import type { RuntimeDb } from '@/db/runtime';
import type { Role } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';
import { installLicense, type LicenseStatus } from './status';

export interface LicenseInstaller {
  workspace: { id: string };
  role: Role;
  user: { email: string };
  audit: AuditContext;
}

export function canInstallLicense(role: Role): boolean {
  return role === 'admin';
}

/** Verifies and installs a license as this member, audited either way; the installed one stays on refusal. */
export async function installLicenseAs(db: RuntimeDb, installer: LicenseInstaller, token: string): Promise<LicenseStatus> {
  const event = { ...installer.audit, workspaceId: installer.workspace.id, action: 'license.install' };
  if (!canInstallLicense(installer.role)) {
    await appendAuditEvent(db, { ...event, outcome: 'deny', reason: `role ${installer.role}` });
    throw new ProblemError('forbidden', 'Only an administrator of this workspace can install the license.');
  }
  try {
    return await db.transaction(async (tx) => {
      const status = await installLicense(token, { installedBy: installer.user.email, db: tx });
      await appendAuditEvent(tx, {
        ...event,
        resource: { type: 'license', id: status.licenseId },
        outcome: 'allow',
        details: { plan: status.plan, seats: status.seats, features: status.features, expiresAt: status.expiresAt?.toISOString() ?? null, trust: status.trust },
      });
      return status;
    });
  } catch (error) {
    if (error instanceof ProblemError) await appendAuditEvent(db, { ...event, outcome: 'deny', reason: error.message });
    throw error;
  }
}
