import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { LICENSE_GRACE_DAYS, paidPlans } from '@/lib/billing/plans';
import { portalAccount } from '@/lib/portal/account';
import { isPortalAdmin, requireBuyer } from '@/lib/portal/session';
import { Badge, ButtonLink, Card, formatBytes, formatDate } from '@/app/(site)/_components/ui';
import { billingPortalAction, bindLicenseAction, signOutOfPortal } from './actions';

export const metadata: Metadata = { title: 'Portal', robots: { index: false } };

const FEATURE_LABEL: Record<string, string> = {
  'production-enforce': 'Production entitlement (enforce on production)',
  packages: 'Runtime packages',
  'air-gapped-bundle': 'Air-gapped bundle',
  'priority-support': 'Priority support',
};

interface Props {
  searchParams: Promise<{ checkout?: string; error?: string; bound?: string }>;
}

export default async function Portal(props: Props) {
  const customer = await requireBuyer('/portal');
  const { checkout, error, bound } = await props.searchParams;
  const account = await portalAccount(customer);
  const status = account.subscription?.status;
  return (
    <main id="main" className="mx-auto max-w-5xl px-4 py-12 sm:px-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-3xl font-semibold tracking-tight text-slate-900 dark:text-white">Customer portal</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Signed in as {customer.email}</p>
        </div>
        <div className="flex gap-2">
          {isPortalAdmin(customer) && <ButtonLink href="/portal/admin" variant="secondary">Site administration</ButtonLink>}
          <form action={signOutOfPortal}>
            <button type="submit" className="rounded-md border border-slate-300 px-4 py-2.5 text-sm font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900">Sign out</button>
          </form>
        </div>
      </div>

      {error && <p role="alert" className="mt-6 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">{error}</p>}
      {checkout === 'success' && !account.production && (
        <p role="status" className="mt-6 rounded-md border border-brand-500 bg-brand-50 p-4 text-sm text-slate-900 dark:bg-slate-900 dark:text-slate-100">
          Thank you. Your license appears here as soon as Stripe confirms the payment, usually within seconds.{' '}
          <Link href="/portal" className="font-semibold underline">Refresh</Link>
        </p>
      )}

      <div className="mt-8 grid gap-6 md:grid-cols-2">
        <Card title="Subscription">
          {account.subscription ? (
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
              <dt>Plan</dt>
              <dd className="font-medium text-slate-900 dark:text-white">{account.subscription.planDetails?.name ?? account.subscription.plan}</dd>
              <dt>Status</dt>
              <dd>
                <Badge tone={status === 'active' ? 'good' : status === 'past_due' ? 'warn' : 'bad'}>{status?.replace('_', ' ')}</Badge>
                {account.subscription.cancelAtPeriodEnd && <span className="ml-2">ends at the period end</span>}
              </dd>
              <dt>Paid through</dt>
              <dd>{formatDate(account.subscription.currentPeriodEnd)}</dd>
            </dl>
          ) : (
            <p>You have no subscription. Choose a plan to get production entitlement.</p>
          )}
          <div className="mt-5 flex flex-wrap gap-2">
            {customer.stripeCustomerId && (
              <form action={billingPortalAction}>
                <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900">
                  Manage billing
                </button>
              </form>
            )}
            {(!account.subscription || ['canceled', 'unpaid', 'incomplete_expired'].includes(status ?? '')) &&
              paidPlans().map((plan) => (
                <ButtonLink key={plan.id} href={`/portal/checkout?plan=${plan.id}`}>
                  Subscribe to {plan.name}
                </ButtonLink>
              ))}
          </div>
        </Card>

        <Card title="Entitlement">
          {account.features.length ? (
            <ul className="space-y-2">
              {account.features.map((row) => (
                <li key={row.feature} className="flex justify-between gap-3">
                  <span>{FEATURE_LABEL[row.feature] ?? row.feature}</span>
                  <span className="text-slate-500 dark:text-slate-400">until {formatDate(row.activeUntil)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p>No active entitlement. Your runtime works unlicensed: everything but enforce mode on production environments.</p>
          )}
        </Card>
      </div>

      <section aria-labelledby="license" className="mt-6 rounded-xl border border-slate-200 p-6 dark:border-slate-800">
        <h2 id="license" className="text-base font-semibold text-slate-900 dark:text-white">License</h2>
        {account.license ? (
          <>
            <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm text-slate-700 sm:grid-cols-[auto_1fr] dark:text-slate-300">
              <dt>License</dt>
              <dd className="font-mono text-xs">{account.license.id} {account.license.current ? <Badge tone="good">current</Badge> : <Badge tone="bad">expired or ended</Badge>}</dd>
              <dt>Plan and seats</dt>
              <dd>{account.license.plan}, {account.license.seats} members</dd>
              <dt>Features</dt>
              <dd>{account.license.features.map((feature) => FEATURE_LABEL[feature] ?? feature).join(', ')}</dd>
              <dt>Expires</dt>
              <dd>{formatDate(account.license.expiresAt)} (the paid period plus {LICENSE_GRACE_DAYS} days)</dd>
              <dt>For</dt>
              <dd>{account.license.installation === 'portable' ? 'Any installation (portable)' : <>installation <span className="font-mono text-xs">{account.license.installation}</span> only</>}</dd>
            </dl>
            {bound && <p role="status" className="mt-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">The license below is bound to that installation. Install it there.</p>}
            <label htmlFor="license-token" className="mt-5 block text-sm font-medium text-slate-900 dark:text-white">License key</label>
            <textarea id="license-token" readOnly rows={4} value={account.license.token} className="mt-1 block w-full rounded-md border border-slate-300 bg-slate-50 p-3 font-mono text-xs break-all text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100" />
            <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
              <a href="/portal/license" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700" download>Download license file</a>
              <span className="text-slate-600 dark:text-slate-400">Install it in your runtime under Settings → License. <Link href="/docs/licensing" className="underline">How licenses work</Link></span>
            </div>
            {account.license.current && (
              <form action={bindLicenseAction} className="mt-5 flex flex-wrap items-end gap-3 text-sm">
                <label className="flex min-w-72 flex-1 flex-col gap-1">
                  <span className="font-medium text-slate-900 dark:text-white">Bind to an installation</span>
                  <span className="text-slate-600 dark:text-slate-400">The id under Settings → License in your runtime. The license then works there only.</span>
                  <input name="installation" required placeholder="00000000-0000-0000-0000-000000000000" className="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900" />
                </label>
                <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900">Bind license</button>
              </form>
            )}
          </>
        ) : (
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">A license is issued when a payment is confirmed.</p>
        )}
      </section>

      <section aria-labelledby="downloads" className="mt-6 rounded-xl border border-slate-200 p-6 dark:border-slate-800">
        <h2 id="downloads" className="text-base font-semibold text-slate-900 dark:text-white">Downloads{account.release ? ` · version ${account.release.version}` : ''}</h2>
        {account.downloads.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">No release is published yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-200 text-sm dark:divide-slate-800">
            {account.downloads.map(({ artifact, href, expiresAt }) => (
              <li key={artifact.file} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div>
                  <p className="font-medium text-slate-900 dark:text-white">{artifact.title}</p>
                  <p className="font-mono text-xs text-slate-500 dark:text-slate-400">{artifact.file} · {formatBytes(artifact.size)} · sha256 {artifact.sha256.slice(0, 16)}…</p>
                </div>
                {href ? (
                  <span className="flex items-center gap-3">
                    <a href={href} className="rounded-md border border-slate-300 px-3 py-1.5 font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900" download>
                      Download<span className="sr-only"> {artifact.title}</span>
                    </a>
                    {expiresAt && <span className="text-xs text-slate-500 dark:text-slate-400">link valid 15 minutes</span>}
                  </span>
                ) : (
                  <Badge tone="neutral">{artifact.entitlement === 'air-gapped-bundle' ? 'Business plan' : 'needs a subscription'}</Badge>
                )}
              </li>
            ))}
          </ul>
        )}
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">Verify every package with its checksum and signature: see the <Link href="/download" className="underline">download page</Link>.</p>
      </section>
    </main>
  );
}
