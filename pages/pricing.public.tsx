import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { LICENSE_GRACE_DAYS, PLANS, type Plan } from '@/lib/billing/plans';
import { PRODUCTION_FEATURE } from '@/lib/license/claims';
import { PageIntro } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

interface Props {
  plans: Array<Pick<Plan, 'id' | 'name' | 'summary' | 'monthlyUsd' | 'includes'> & { soldByCheckout: boolean }>;
  /** Each feature's row: its label and one value per plan, in the order of `plans`. */
  rows: Array<{ label: string; values: string[] }>;
  graceDays: number;
}

// The plan table is read on the server: its module brings the license schemas (zod) along.
export const getServerSideProps: GetServerSideProps<Props> = async () => ({
  props: {
    plans: PLANS.map((plan) => ({ id: plan.id, name: plan.name, summary: plan.summary, monthlyUsd: plan.monthlyUsd, includes: plan.includes, soldByCheckout: plan.lookupKey !== null })),
    rows: FEATURE_ROWS.map(([label, value]) => ({ label, values: PLANS.map((plan) => value(plan.id)) })),
    graceDays: LICENSE_GRACE_DAYS,
  },
});

const FEATURE_ROWS: Array<[string, (planId: string) => string]> = [
  ['Shadow and advisory modes, every environment', () => 'yes'],
  ['Enforce mode on non-production environments', () => 'yes'],
  ['Enforce mode on production environments (production entitlement)', (id) => (PLANS.find((plan) => plan.id === id)!.features.includes(PRODUCTION_FEATURE) ? 'yes' : '—')],
  ['Console members', (id) => String(PLANS.find((plan) => plan.id === id)!.seats ?? 'unlimited while evaluating')],
  ['Runtime packages: container image, Kubernetes manifests', (id) => (PLANS.find((plan) => plan.id === id)!.features.includes('packages') ? 'yes' : 'trial installer')],
  ['Air-gapped bundle', (id) => (PLANS.find((plan) => plan.id === id)!.features.includes('air-gapped-bundle') ? 'yes' : '—')],
  ['Support', (id) => ({ evaluation: 'docs', team: 'next business day', business: '4-hour first response' })[id] ?? '—'],
];

export default function Pricing({ plans, rows, graceDays }: Props) {
  return (
    <SitePage title="Pricing" description="Evaluate for free; Team and Business add production entitlement: enforce mode on production environments.">
      <main id="main" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <PageIntro eyebrow="Pricing" title="Pay when the gate guards production">
          Everything runs unlicensed while you evaluate. A subscription adds production entitlement: policies may enforce on
          production environments, and a deny stops the release.
        </PageIntro>

        <div className="mt-12 grid gap-6 lg:grid-cols-3">
          {plans.map((plan) => {
            const featured = plan.id === 'team';
            return (
              <section
                key={plan.id}
                aria-labelledby={`plan-${plan.id}`}
                className={`flex flex-col rounded-2xl border p-7 ${featured ? 'border-brand-600 ring-1 ring-brand-600' : 'border-slate-200 dark:border-slate-800'}`}
              >
                <h2 id={`plan-${plan.id}`} className="text-lg font-semibold text-slate-900 dark:text-white">
                  {plan.name}
                </h2>
                <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{plan.summary}</p>
                <p className="mt-6 flex items-baseline gap-1">
                  <span className="text-4xl font-semibold tracking-tight text-slate-900 dark:text-white">{plan.monthlyUsd === null ? 'Free' : `$${plan.monthlyUsd.toLocaleString('en-US')}`}</span>
                  {plan.monthlyUsd !== null && <span className="text-sm text-slate-600 dark:text-slate-400">per month</span>}
                </p>
                <ul className="mt-6 flex-1 space-y-2.5 text-sm text-slate-700 dark:text-slate-300">
                  {plan.includes.map((line) => (
                    <li key={line} className="flex gap-2">
                      <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 h-4 w-4 flex-none fill-brand-600 dark:fill-brand-100">
                        <path d="M8 13.6 4.4 10l-1.4 1.4L8 16.4l9-9L15.6 6z" />
                      </svg>
                      {line}
                    </li>
                  ))}
                </ul>
                {plan.soldByCheckout ? (
                  <Link
                    href={`/portal/checkout?plan=${plan.id}`}
                    className={`mt-8 rounded-md px-4 py-2.5 text-center text-sm font-semibold ${featured ? 'bg-brand-600 text-white hover:bg-brand-700' : 'border border-slate-300 text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900'}`}
                  >
                    Subscribe to {plan.name}
                  </Link>
                ) : (
                  <Link href="/download" className="mt-8 rounded-md border border-slate-300 px-4 py-2.5 text-center text-sm font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900">
                    Download the trial installer
                  </Link>
                )}
              </section>
            );
          })}
        </div>

        <section className="mt-20" aria-labelledby="compare">
          <h2 id="compare" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">
            What each plan entitles
          </h2>
          <div className="relative mt-6 overflow-x-auto" tabIndex={0} role="region" aria-labelledby="compare">
            <table className="w-full min-w-[40rem] text-left text-sm">
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  <th scope="col" className="py-3 pr-4 font-semibold text-slate-900 dark:text-white">
                    Feature
                  </th>
                  {plans.map((plan) => (
                    <th key={plan.id} scope="col" className="px-4 py-3 font-semibold text-slate-900 dark:text-white">
                      {plan.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map(({ label, values }) => (
                  <tr key={label} className="border-b border-slate-200 dark:border-slate-800">
                    <th scope="row" className="py-3 pr-4 font-normal text-slate-700 dark:text-slate-300">
                      {label}
                    </th>
                    {values.map((value, index) => (
                      <td key={plans[index]!.id} className="px-4 py-3 text-slate-900 dark:text-white">
                        {value}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section className="mt-20 grid gap-10 md:grid-cols-2" aria-labelledby="faq">
          <h2 id="faq" className="sr-only">
            Questions
          </h2>
          {[
            ['What is production entitlement?', 'It lets a policy in enforce mode block releases to environments marked as production. Without it, those policies still evaluate, record passports and warn, but do not block.'],
            ['Does the runtime call home?', 'No. Your license is a file signed with our Ed25519 key; the runtime verifies it offline with the public key it ships. Air-gapped installations work the same way.'],
            ['What happens when a payment fails?', `Your entitlement is not extended while Stripe retries. The installed license keeps working until its expiry, the paid period plus ${graceDays} days.`],
            ['How do I cancel or change plans?', 'In the portal, open billing management (Stripe’s billing portal): invoices, payment method, plan changes and cancellation. A cancelled plan runs to the end of the paid period.'],
          ].map(([question, answer]) => (
            <div key={question}>
              <h3 className="font-semibold text-slate-900 dark:text-white">{question}</h3>
              <p className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-300">{answer}</p>
            </div>
          ))}
        </section>
      </main>
    </SitePage>
  );
}
