import Link from '@/app/_components/link';
import type { ReactNode } from 'react';
import { Badge, Card, PageHeader } from '@/app/_components/ui';
import { ROLES } from '@/lib/domain/primitives';
import { requireMember } from '@/lib/auth/guard';
import { listConnectors } from '@/lib/connectors/store';
import { getLicenseStatus } from '@/lib/license/status';
import { getRetentionPolicy } from '@/lib/retention/policy';
import { installationSecretsStatus } from '@/lib/secrets';
import { listApiTokens } from '@/lib/tokens/store';
import { listTrustPolicies } from '@/lib/ci-identity/policies';
import { listMembers } from '@/lib/workspaces/members';
import { plural } from '@/lib/text/plural';

export const metadata = { title: 'Settings' };

function Section({ title, href, status, children }: { title: string; href: string | null; status?: ReactNode; children: ReactNode }) {
  return (
    <Card
      title={href ? <Link className="hover:underline" href={href}>{title}</Link> : title}
      actions={status}
    >
      <div className="space-y-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>
      {href && (
        <Link className="mt-3 inline-block text-sm font-medium text-brand-700 hover:underline dark:text-brand-100" href={href}>
          Open {title.toLowerCase()}
          <span aria-hidden="true"> →</span>
        </Link>
      )}
    </Card>
  );
}

const days = (value: number | null) => (value === null ? 'kept' : `${value} days`);

export default async function SettingsHome({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'settings.read', `/settings/${slug}`);
  const base = `/settings/${workspace.slug}`;
  const now = new Date();
  const [members, tokens, license, retention, connectors, secrets, trustPolicies] = await Promise.all([
    listMembers(db, workspace.id),
    can('token.manage') ? listApiTokens(db, workspace.id) : Promise.resolve(null),
    getLicenseStatus({ db }),
    getRetentionPolicy(db, workspace.id),
    listConnectors(workspace.id, db),
    // Status only (set, and where it comes from), and only for those allowed to see it.
    can('secret.read') ? installationSecretsStatus() : Promise.resolve(null),
    listTrustPolicies(db, workspace.id),
  ]);
  const activeTokens = tokens?.filter((token) => !token.revokedAt && token.expiresAt > now) ?? [];
  const expiringSoon = activeTokens.filter((token) => token.expiresAt.getTime() - now.getTime() < 14 * 86_400_000);
  const failingConnectors = connectors.filter((connector) => connector.enabled && connector.consecutiveFailures > 0);
  const secretProblems = secrets?.filter((secret) => secret.problem) ?? [];

  return (
    <>
      <PageHeader title="Settings" description={`Who works in ${workspace.name}, how CI reaches it, and how this installation is set up.`} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Section title="Members" href={`${base}/members`} status={<Badge>{members.length}</Badge>}>
          <p>
            {ROLES.map((role) => plural(members.filter((member) => member.role === role).length, role)).join(', ')}.
          </p>
          <p className="text-slate-600 dark:text-slate-400">{can('member.manage') ? 'Invite people and change roles.' : 'Admins invite people and change roles.'}</p>
        </Section>

        {tokens && (
          <Section title="API tokens" href={`${base}/tokens`} status={expiringSoon.length ? <Badge tone="amber">{expiringSoon.length} expiring soon</Badge> : <Badge>{activeTokens.length} active</Badge>}>
            <p>Scoped tokens for CI pipelines: shown once, stored as a hash, always expiring.</p>
            {expiringSoon.length > 0 && <p className="text-amber-800 dark:text-amber-300">Expiring within two weeks: {expiringSoon.map((token) => token.name).join(', ')}. Create replacements before CI breaks.</p>}
          </Section>
        )}

        <Section title="CI identities" href={`${base}/ci-identities`} status={<Badge>{plural(trustPolicies.length, 'trust policy', 'trust policies')}</Badge>}>
          <p>Pipelines that sign in with their CI platform&apos;s ID token instead of a stored secret, and what their 15-minute gate tokens may do.</p>
        </Section>

        <Section
          title="Secrets"
          href={`${base}/secrets`}
          status={secrets ? secretProblems.length ? <Badge tone="red">{secretProblems.length} to fix</Badge> : <Badge tone="green">in order</Badge> : undefined}
        >
          <p>Whether each secret is set and where it comes from (environment, file, encrypted store). Values are never shown.</p>
          {secrets ? (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {secrets.map((secret) => (
                <li key={secret.name} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5">
                  <span>
                    {secret.label}
                    <span className="block text-xs text-slate-500 dark:text-slate-400">{secret.detail}</span>
                  </span>
                  {secret.set ? (
                    <Badge tone={secret.problem ? 'amber' : 'green'}>set · {secret.source}</Badge>
                  ) : secret.problem ? (
                    <Badge tone="red">{secret.required ? 'missing' : secret.problem}</Badge>
                  ) : (
                    <Badge>not configured</Badge>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-slate-600 dark:text-slate-400">The installation&apos;s own secrets are shown to maintainers and admins.</p>
          )}
        </Section>

        <Section title="Connectors" href={can('connector.read') ? `${base}/connectors` : null} status={failingConnectors.length ? <Badge tone="red">{failingConnectors.length} failing</Badge> : <Badge>{connectors.length}</Badge>}>
          <p>Scoped, read-only connections to Kubernetes, Prometheus, Loki, GitHub Actions, Argo CD, PagerDuty and Sentry: each reads only what its configuration names.</p>
          {connectors.length === 0 ? (
            <p className="text-slate-600 dark:text-slate-400">None configured: connector rules of a policy report their readings as missing.</p>
          ) : (
            <ul className="space-y-1">
              {connectors.map((connector) => (
                <li key={connector.id}>
                  {connector.name} <span className="text-xs text-slate-500 dark:text-slate-400">({connector.type}{connector.environment ? `, ${connector.environment}` : ''})</span>{' '}
                  {!connector.enabled ? <Badge>off</Badge> : connector.consecutiveFailures > 0 ? <Badge tone="red">{connector.lastError ?? 'failing'}</Badge> : <Badge tone="green">ok</Badge>}
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section title="Retention" href={`${base}/retention`} status={retention.passportsDays === null && retention.evidenceDays === null && retention.auditDays === null && retention.deploymentsDays === null ? <Badge>keep everything</Badge> : <Badge tone="brand">set</Badge>}>
          <p>
            Passports {days(retention.passportsDays)}, evidence {days(retention.evidenceDays)}, audit events {days(retention.auditDays)}, ended deployment periods {days(retention.deploymentsDays)}.
          </p>
          <p className="text-slate-600 dark:text-slate-400">
            {retention.lastRunAt ? `Last run ${retention.lastRunAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.` : 'Retention has not run yet.'} Removed audit events leave a signed checkpoint, so the chain still verifies.
          </p>
        </Section>

        <Section title="License" href={`${base}/license`} status={license.valid ? <Badge tone="green">valid</Badge> : license.installed ? <Badge tone="red">not valid</Badge> : <Badge>none</Badge>}>
          <p>{license.message}</p>
          {license.valid && (
            <p className="text-slate-600 dark:text-slate-400">
              {license.plan} plan for {license.licensee?.name}
              {license.expiresAt ? `, until ${license.expiresAt.toISOString().slice(0, 10)}` : ''}. Production entitlement: {license.production ? 'yes' : 'no'}.
            </p>
          )}
        </Section>

        <Section title="Installation" href={`${base}/installation`}>
          <p>Database, object storage, rate limiter, sign-in (OIDC), secret store and background work: what this runtime uses, whether each answers, and what to set for production.</p>
        </Section>
      </div>
    </>
  );
}
