import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { adminOverview } from '@/lib/portal/admin';
import { isPortalAdmin, requireBuyer } from '@/lib/portal/session';
import { Badge } from '@/app/(site)/_components/ui';

export const metadata: Metadata = { title: 'Site administration', robots: { index: false } };

export default async function Admin() {
  const customer = await requireBuyer('/portal/admin');
  // Vendor staff only; anyone else sees no such page.
  if (!isPortalAdmin(customer)) notFound();
  const overview = await adminOverview();
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-12 sm:px-6">
      <h1 className="text-3xl font-semibold tracking-tight text-slate-900 dark:text-white">Site administration</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {overview.counts.customers} customers, {overview.counts.entitled} with an active entitlement. Release: {overview.release.version ?? 'none'}.
      </p>

      <section aria-labelledby="secrets" className="mt-8">
        <h2 id="secrets" className="text-lg font-semibold text-slate-900 dark:text-white">Secrets</h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Whether each secret is set and where it comes from. Values are never shown.</p>
        {/* Scrolls sideways on a phone: focusable and named for the keyboard (WCAG 2.1.1), like the console's tables;
            named apart from its section, which is a region of the heading's name. */}
        <div className="relative mt-4 overflow-x-auto focus-visible:outline-2 focus-visible:outline-brand-600" tabIndex={0} role="region" aria-label="Secrets table">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300 dark:border-slate-700">
                {['Secret', 'Used for', 'Status', 'Where it comes from'].map((heading) => <th key={heading} scope="col" className="py-2 pr-4 font-semibold">{heading}</th>)}
              </tr>
            </thead>
            <tbody>
              {overview.secrets.map((secret) => (
                <tr key={secret.name} className="border-b border-slate-200 align-top dark:border-slate-800">
                  <th scope="row" className="py-2 pr-4 font-medium">{secret.label}<div className="font-mono text-xs font-normal text-slate-500 dark:text-slate-400">{secret.name}</div></th>
                  <td className="py-2 pr-4 text-slate-700 dark:text-slate-300">{secret.description}</td>
                  <td className="py-2 pr-4">{secret.set ? <Badge tone="good">set</Badge> : <Badge tone={secret.required ? 'bad' : 'neutral'}>not set</Badge>}{secret.problem && <div className="mt-1 text-xs text-red-700 dark:text-red-300">{secret.problem}</div>}</td>
                  <td className="py-2 pr-4"><span className="font-mono text-xs">{secret.reference}</span><div className="text-xs text-slate-500 dark:text-slate-400">{secret.detail}</div></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <ul className="mt-4 text-sm text-slate-700 dark:text-slate-300">
          {overview.settings.map((setting) => (
            <li key={setting.name}><span className="font-mono text-xs">{setting.name}</span>: {setting.value ?? <em>unset</em>}</li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="license-signing" className="mt-8">
        <h2 id="license-signing" className="text-lg font-semibold text-slate-900 dark:text-white">License signing</h2>
        {overview.licenseSigning.state === 'vendor' && (
          <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
            <Badge tone="good">vendor key</Badge> Licenses are signed with key <span className="font-mono text-xs">{overview.licenseSigning.kid}</span>, which every shipped runtime trusts.
          </p>
        )}
        {overview.licenseSigning.state === 'test-key' && (
          <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
            <Badge tone="warn">test key</Badge> Key <span className="font-mono text-xs">{overview.licenseSigning.kid}</span> is not among the keys shipped runtimes trust
            (lib/license/trusted-keys.ts), so it signs test licenses, which a runtime accepts only when RP_LICENSE_TEST_PUBLIC_KEY names it. For production, add its public half to
            the trusted keys and ship a release first (see the README, &quot;Packaging and deployment&quot;).
          </p>
        )}
        {overview.licenseSigning.state === 'unavailable' && (
          <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
            <Badge tone="bad">no license can be issued</Badge> {overview.licenseSigning.problem}
          </p>
        )}
      </section>

      {overview.release.problems.length > 0 && (
        <section aria-labelledby="release" className="mt-8">
          <h2 id="release" className="text-lg font-semibold text-slate-900 dark:text-white">Release problems</h2>
          <ul className="mt-2 list-disc pl-6 text-sm text-red-800 dark:text-red-300">{overview.release.problems.map((problem) => <li key={problem}>{problem}</li>)}</ul>
        </section>
      )}

      <section aria-labelledby="events" className="mt-8">
        <h2 id="events" className="text-lg font-semibold text-slate-900 dark:text-white">Recent Stripe events</h2>
        <div className="relative mt-4 overflow-x-auto focus-visible:outline-2 focus-visible:outline-brand-600" tabIndex={0} role="region" aria-label="Recent Stripe events table">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300 dark:border-slate-700">
                {['Received', 'Event', 'Type', 'Outcome', 'Detail'].map((heading) => <th key={heading} scope="col" className="py-2 pr-4 font-semibold">{heading}</th>)}
              </tr>
            </thead>
            <tbody>
              {overview.events.map((event) => (
                <tr key={event.eventId} className="border-b border-slate-200 align-top dark:border-slate-800">
                  <td className="py-2 pr-4 whitespace-nowrap">{event.receivedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                  <td className="py-2 pr-4 font-mono text-xs">{event.eventId}</td>
                  <td className="py-2 pr-4">{event.type}</td>
                  <td className="py-2 pr-4"><Badge tone={event.outcome.startsWith('ignored') ? 'neutral' : event.outcome === 'ended' ? 'warn' : 'good'}>{event.outcome}</Badge></td>
                  <td className="py-2 pr-4 text-slate-600 dark:text-slate-400">{event.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {overview.events.length === 0 && <p className="mt-3 text-sm text-slate-600">No events received yet.</p>}
        </div>
      </section>
    </main>
  );
}
