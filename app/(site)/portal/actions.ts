'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getOwnerDb } from '@/db/owner';
import { portalSignOut } from '@/lib/auth/portal';
import { bindLicenseToInstallation } from '@/lib/billing/entitlements';
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

const installationIdSchema = z.uuid('an installation id is the UUID shown in your runtime under Settings → License');

/** Binds the buyer's current license to one runtime installation (a new license naming it). */
export const bindLicenseAction = formAction('bindLicenseAction', [actionParam.form], async (formData) => {
  const customer = await requireBuyer('/portal');
  const parsed = installationIdSchema.safeParse(String(formData.get('installation') ?? '').trim().toLowerCase());
  if (!parsed.success) redirect(`/portal?error=${encodeURIComponent(`The license was not bound: ${parsed.error.issues[0]!.message}.`)}#license`);
  const db = await getOwnerDb();
  const bound = await db.transaction((tx) => bindLicenseToInstallation(tx, customer, parsed.data, new Date()));
  if (!bound) redirect(`/portal?error=${encodeURIComponent('You hold no current license to bind.')}#license`);
  redirect('/portal?bound=1#license');
});

export const signOutOfPortal = formAction('signOutOfPortal', [], async () => {
  await portalSignOut({ redirectTo: '/' });
});
