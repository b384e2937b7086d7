import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { PageIntro } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

// Rendered per request like every page here: the inline site script carries the request's CSP nonce.
export const getServerSideProps: GetServerSideProps = async () => ({ props: {} });

/** The controls table (docs/security-model.md), each with where its enforcement and proof are documented. */
const CONTROLS = [
  { control: 'Public route split', appliesTo: 'Website, docs, pricing, download, changelog, login entry', expected: 'Public content only. No customer runtime state or private evidence.', anchor: 'public-route-split' },
  { control: 'Commercial portal', appliesTo: '/portal on releasepassport.com', expected: 'Subscription, checkout, license, package/download access, and billing handoff only.', anchor: 'commercial-portal' },
  { control: 'Protected customer runtime', appliesTo: '/console, /settings, /account, report exports, passport detail on customer domain', expected: 'Requires customer session and workspace membership.', anchor: 'protected-customer-runtime' },
  { control: 'Token-gated mutation', appliesTo: 'Gate evaluation and evidence ingestion', expected: 'Bearer tokens are scoped and fail closed when missing or invalid.', anchor: 'token-gated-mutation' },
  { control: 'Secret-backed config', appliesTo: 'OIDC, payment provider, registry, connector tokens, database, storage', expected: 'UI shows status only; values stay in env/SOPS/secret manager.', anchor: 'secret-backed-configuration' },
  { control: 'Webhook signature', appliesTo: 'Payment provider billing webhook', expected: 'Only signed successful payment events can activate production entitlement.', anchor: 'webhook-signature' },
  { control: 'Sanitized reports', appliesTo: 'JSON, CSV, Markdown exports', expected: 'No tokens, kubeconfigs, private keys, payment keys, or raw secret values.', anchor: 'sanitized-reports' },
  { control: 'Scoped connectors', appliesTo: 'Orchestration, metrics, logs, CI/CD/GitOps, incidents/errors', expected: 'Read only configured namespaces, projects, apps, queries, jobs, services, and release scopes.', anchor: 'scoped-connectors' },
  { control: 'Owner separation', appliesTo: 'Billing/license/package entitlement', expected: 'Owner app is not installed in customer self-hosted package.', anchor: 'owner-separation' },
] as const;

const PUBLIC = ['Website', 'Pricing', 'Docs', 'Changelog', 'Status', 'Trial installer', 'Commercial portal', 'Public OpenAPI reference'];
const PROTECTED = ['Customer console', 'Settings', 'API tokens', 'Report exports', 'Evidence records', 'Connector config', 'Policies', 'Runtime audit trails'];
const RULES = [
  'Never commit plaintext secrets, kubeconfigs, registry passwords, or OIDC client secrets.',
  'Console settings show secret-backed status only, never values.',
  'Pipelines start in shadow mode before advisory or enforce.',
  'The owner’s billing surface is separate from the customer runtime.',
];

export default function Security() {
  return (
    <SitePage title="Security" description="Public website, protected runtime, no plaintext secrets: the security controls of Release Passport and how each is enforced.">
      <main id="main" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <PageIntro eyebrow="Security" title="Public website, protected runtime, no plaintext secrets.">
          Product pages, docs, pricing, downloads and the commercial portal are public-facing. The customer console, settings,
          report exports, evidence, gate mutations, production artifacts and customer runtime data stay in the protected
          runtime you host.
        </PageIntro>

        <div className="mt-12 grid gap-6 md:grid-cols-2">
          <section aria-labelledby="public" className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
            <h2 id="public" className="font-semibold text-slate-900 dark:text-white">Public (this site)</h2>
            <ul className="mt-3 flex flex-wrap gap-2 text-sm">
              {PUBLIC.map((item) => (
                <li key={item} className="rounded-md bg-slate-100 px-2.5 py-1 text-slate-800 dark:bg-slate-800 dark:text-slate-200">{item}</li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="protected" className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
            <h2 id="protected" className="font-semibold text-slate-900 dark:text-white">Protected (your runtime)</h2>
            <ul className="mt-3 flex flex-wrap gap-2 text-sm">
              {PROTECTED.map((item) => (
                <li key={item} className="rounded-md bg-brand-50 px-2.5 py-1 text-brand-900 dark:bg-slate-800 dark:text-slate-200">{item}</li>
              ))}
            </ul>
          </section>
        </div>

        <section className="mt-16" aria-labelledby="controls">
          <h2 id="controls" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Security controls</h2>
          <p className="mt-2 text-slate-600 dark:text-slate-300">Each control is enforced in the product and proven by an automated test; follow the link for how.</p>
          <div className="relative mt-6 overflow-x-auto" tabIndex={0} role="region" aria-labelledby="controls">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  {['Control', 'Applies to', 'Expected behavior', 'How it is enforced'].map((heading) => (
                    <th key={heading} scope="col" className="py-3 pr-4 font-semibold text-slate-900 dark:text-white">{heading}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {CONTROLS.map((row) => (
                  <tr key={row.control} className="border-b border-slate-200 align-top dark:border-slate-800">
                    <th scope="row" className="py-3 pr-4 font-medium text-slate-900 dark:text-white">{row.control}</th>
                    <td className="py-3 pr-4 text-slate-700 dark:text-slate-300">{row.appliesTo}</td>
                    <td className="py-3 pr-4 text-slate-700 dark:text-slate-300">{row.expected}</td>
                    <td className="py-3 pr-4">
                      <Link href={`/docs/security#${row.anchor}`} className="font-medium text-brand-700 underline underline-offset-2 dark:text-brand-100">
                        Enforcement<span className="sr-only"> of {row.control}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section className="mt-16 max-w-3xl" aria-labelledby="rules">
          <h2 id="rules" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Secret rules</h2>
          <ul className="mt-4 list-disc space-y-2 pl-6 text-slate-700 dark:text-slate-300">
            {RULES.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
          </ul>
          <p className="mt-6 text-sm text-slate-600 dark:text-slate-400">
            The full security guide, with audit, tenant isolation, network exposure and artifact verification, is in the{' '}
            <Link href="/docs/security" className="font-medium text-brand-700 underline underline-offset-2 dark:text-brand-100">documentation</Link>. See also{' '}
            <Link href="/trust" className="font-medium text-brand-700 underline underline-offset-2 dark:text-brand-100">Trust</Link>.
          </p>
        </section>
      </main>
    </SitePage>
  );
}
