import type { Metadata } from 'next';
import { Alert, Card, inputClass, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { canInstallLicense } from '@/lib/license/settings';
import { getLicenseStatus } from '@/lib/license/status';
import { seatUsage } from '@/lib/workspaces/seats';
import { installLicenseAction } from './actions';

export const metadata: Metadata = { title: 'License' };

const FEATURE_LABEL: Record<string, string> = {
  'production-enforce': 'Production entitlement: enforce mode on production environments',
  packages: 'Runtime packages',
  'air-gapped-bundle': 'Air-gapped bundle',
  'priority-support': 'Priority support',
};

const date = (value: Date | null) => (value ? new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(value) + ' UTC' : '—');

interface Props {
  params: Promise<{ workspace: string }>;
  searchParams: Promise<{ installed?: string; error?: string }>;
}

export default async function LicenseSettings(props: Props) {
  const { workspace: slug } = await props.params;
  const { installed, error } = await props.searchParams;
  // Re-checked here whatever the middleware and the layout did (CVE-2025-29927).
  const member = await requireMember(slug, 'settings.read', `/settings/${slug}/license`);
  const [status, seats] = await Promise.all([getLicenseStatus({ db: member.db }), seatUsage(member.db)]);
  return (
    <div className="space-y-6">
      <PageHeader title="License" description="The license belongs to this installation and applies to every workspace. It is verified offline, with the vendor's public key, on every check." />
      {installed && <Alert tone="success">The license is installed.</Alert>}
      {error && <Alert tone="error">{error}</Alert>}
      {status.trust === 'test-key' && (
        <Alert tone="warning" title="Verified with a test key">
          This license was verified with RP_LICENSE_TEST_PUBLIC_KEY, not the vendor&apos;s key. Test keys are for tests and staging only.
        </Alert>
      )}
      <Card title={status.installed ? (status.valid ? 'Valid license' : 'The installed license is not valid') : 'No license installed'} description={status.message}>
        {status.installed ? (
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-600 dark:text-slate-400">Production entitlement</dt>
            <dd className="font-medium">{status.production ? 'Yes: policies may enforce on production environments' : 'No: enforce mode on production environments runs as advisory'}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Plan</dt>
            <dd>{status.plan ?? '—'}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Seats</dt>
            <dd>
              {seats.limit === null
                ? `${status.seats ?? '—'} (not enforced while the license is not valid)`
                : `${seats.used} of ${seats.limit} in use${seats.reserved ? `, ${seats.reserved} reserved by pending invitations` : ''}${seats.used + seats.reserved >= seats.limit ? ': none free, new invitations are refused' : ''}`}
            </dd>
            <dt className="text-slate-600 dark:text-slate-400">Features</dt>
            <dd>{status.features.length ? status.features.map((feature) => FEATURE_LABEL[feature] ?? feature).join('; ') : '—'}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Licensed to</dt>
            <dd>{status.licensee ? `${status.licensee.name} (${status.licensee.email})` : '—'}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Expires</dt>
            <dd>{date(status.expiresAt)}</dd>
            <dt className="text-slate-600 dark:text-slate-400">License id</dt>
            <dd className="font-mono text-xs">{status.licenseId ?? '—'}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Installed</dt>
            <dd>{date(status.installedAt)}{status.installedBy ? ` by ${status.installedBy}` : ''}</dd>
            <dt className="text-slate-600 dark:text-slate-400">For</dt>
            <dd>
              {status.licensedInstallation === 'portable'
                ? 'Any installation (a portable license)'
                : status.licensedInstallation === status.installationId
                  ? 'This installation only'
                  : `Another installation (${status.licensedInstallation ?? 'unknown'})`}
            </dd>
          </dl>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-400">Buy a plan on the vendor&apos;s site, then download the license from its customer portal.</p>
        )}
      </Card>
      <Card title="This installation" description="A license bound to an installation works there and nowhere else: give this id to the customer portal when it asks which installation the license is for.">
        <code className="font-mono text-sm">{status.installationId}</code>
      </Card>
      {canInstallLicense(member.role) ? (
        <Card title={status.installed ? 'Replace the license' : 'Install a license'} description="Paste the license from the customer portal, or choose the license file. It is verified before it replaces anything.">
          <form action={installLicenseAction.bind(null, member.workspace.slug)} className="space-y-4">
            <div>
              <label htmlFor="license" className="block text-sm font-medium">License</label>
              <textarea id="license" name="license" rows={5} className={`${inputClass} mt-1 font-mono text-xs`} />
            </div>
            <div>
              <label htmlFor="file" className="block text-sm font-medium">or the license file</label>
              <input id="file" name="file" type="file" accept=".license,.jwt,.txt,text/plain" className="mt-1 block text-sm" />
            </div>
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">Verify and install</button>
          </form>
        </Card>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">Only an administrator of this workspace can install or replace the license.</p>
      )}
    </div>
  );
}
