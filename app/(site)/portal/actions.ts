'use server';

import { redirect } from 'next/navigation';
import { openBillingPortal, startCheckout } from '@/lib/billing/checkout';
import { ProblemError } from '@/lib/http/problem';
import { siteOrigin } from '@/lib/portal/origin';
import { requireBuyer } from '@/lib/portal/session';
import { actionParam, formAction } from '@/lib/http/server-action';

/** Starts a Stripe Checkout for the plan and sends the buyer to Stripe's page. */
export const checkoutAction = formAction('checkoutAction', [actionParam.form], async (formData) => {
  const plan = String(formData.get('plan') ?? '');
  const customer = await requireBuyer(`/portal/checkout?plan=${encodeURIComponent(plan)}`);
  let url: string;
  try {
    url = await startCheckout(customer, plan, await siteOrigin());
  } catch (error) {
    if (error instanceof ProblemError) redirect(`/portal/checkout?plan=${encodeURIComponent(plan)}&error=${encodeURIComponent(error.message)}`);
    throw error;
  }
  redirect(url);
});

/** Hands the buyer to Stripe's billing portal (invoices, payment method, plan, cancellation). */
export const billingPortalAction = formAction('billingPortalAction', [], async () => {
  const customer = await requireBuyer('/portal');
  let url: string;
  try {
    url = await openBillingPortal(customer, await siteOrigin());
  } catch (error) {
    if (error instanceof ProblemError) redirect(`/portal?error=${encodeURIComponent(error.message)}`);
    throw error;
  }
  redirect(url);
});
