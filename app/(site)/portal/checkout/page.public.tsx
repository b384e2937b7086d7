import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { liveSubscription } from '@/lib/billing/checkout';
import { paidPlans } from '@/lib/billing/plans';
import { requireBuyer } from '@/lib/portal/session';
import { checkoutAction } from '@/app/(site)/portal/actions';

export const metadata: Metadata = { title: 'Subscribe', robots: { index: false } };

interface Props {
  searchParams: Promise<{ plan?: string; error?: string; cancelled?: string }>;
}

export default async function Checkout(props: Props) {
  const { plan: planId = '', error, cancelled } = await props.searchParams;
  const customer = await requireBuyer(`/portal/checkout?plan=${encodeURIComponent(planId)}`);
  const plan = paidPlans().find((candidate) => candidate.id === planId);
  const existing = await liveSubscription(customer.id);
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-16 sm:px-6">
      <h1 className="text-3xl font-semibold tracking-tight text-slate-900 dark:text-white">{plan ? `Subscribe to ${plan.name}` : 'Choose a plan'}</h1>
      {error && <p role="alert" className="mt-6 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">{error}</p>}
      {cancelled && <p role="status" className="mt-6 rounded-md bg-slate-100 p-4 text-sm dark:bg-slate-800">Checkout was cancelled; nothing was charged.</p>}
      {!plan ? (
        <p className="mt-6 text-slate-600 dark:text-slate-300">
          There is no such plan. See <Link href="/pricing" className="underline">pricing</Link>.
        </p>
      ) : existing ? (
        <p className="mt-6 text-slate-600 dark:text-slate-300">
          You already have a subscription ({existing.plan}, {existing.status}). Change plans from the <Link href="/portal" className="underline">portal</Link> with Manage billing.
        </p>
      ) : (
        <>
          <dl className="mt-8 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 rounded-xl border border-slate-200 p-6 text-sm dark:border-slate-800">
            <dt className="text-slate-500 dark:text-slate-400">Plan</dt>
            <dd className="font-medium text-slate-900 dark:text-white">{plan.name}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Price</dt>
            <dd className="font-medium text-slate-900 dark:text-white">${plan.monthlyUsd?.toLocaleString('en-US')} per month</dd>
            <dt className="text-slate-500 dark:text-slate-400">Includes</dt>
            <dd>
              <ul className="list-disc pl-4">{plan.includes.map((line) => <li key={line}>{line}</li>)}</ul>
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">Billed to</dt>
            <dd>{customer.email}</dd>
          </dl>
          <form action={checkoutAction} className="mt-6">
            <input type="hidden" name="plan" value={plan.id} />
            <button type="submit" className="w-full rounded-md bg-brand-600 px-4 py-3 text-sm font-semibold text-white hover:bg-brand-700">Continue to payment</button>
          </form>
          <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">Payment is handled by Stripe. Your license is issued as soon as Stripe confirms the payment.</p>
        </>
      )}
    </main>
  );
}
