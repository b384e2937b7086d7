/**
 * Starting a Stripe Checkout for a plan, and the handoff to Stripe's billing portal. Nothing here
 * grants anything: entitlement comes only from the signed payment events (webhook.ts).
 */
import { eq } from 'drizzle-orm';
import { getOwnerDb } from '@/db/owner';
import { customers, subscriptions } from '@/db/schema/owner';
import { ProblemError } from '@/lib/http/problem';
import type { Customer } from './entitlements';
import { paidPlans, type PaidPlan } from './plans';
import { stripeClient } from './stripe';

/** Subscription statuses that still hold (or may still hold) the plan: a second checkout would double-bill. */
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due', 'incomplete']);

export function purchasablePlan(planId: string): PaidPlan {
  const plan = paidPlans().find((candidate) => candidate.id === planId);
  if (!plan) throw new ProblemError('not-found', `There is no plan "${planId}" to subscribe to.`);
  return plan;
}

export async function liveSubscription(customerId: string) {
  const db = await getOwnerDb();
  const rows = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customerId));
  return rows.find((row) => LIVE_STATUSES.has(row.status)) ?? null;
}

/** The customer's Stripe customer, created on first checkout and remembered. */
async function ensureStripeCustomer(customer: Customer): Promise<string> {
  if (customer.stripeCustomerId) return customer.stripeCustomerId;
  const created = await (await stripeClient()).customers.create(
    { email: customer.email, name: customer.name || undefined, metadata: { customerId: customer.id } },
    { idempotencyKey: `customer-${customer.id}` },
  );
  const db = await getOwnerDb();
  await db.update(customers).set({ stripeCustomerId: created.id }).where(eq(customers.id, customer.id));
  return created.id;
}

/** Creates a Checkout Session for the plan and returns Stripe's page to send the buyer to. */
export async function startCheckout(customer: Customer, planId: string, origin: string): Promise<string> {
  const plan = purchasablePlan(planId);
  if (await liveSubscription(customer.id)) {
    throw new ProblemError('conflict', 'You already have a subscription. Change plans in billing management instead.');
  }
  const stripe = await stripeClient();
  const stripeCustomer = await ensureStripeCustomer(customer);
  const prices = await stripe.prices.list({ lookup_keys: [plan.lookupKey], active: true, limit: 1 });
  const price = prices.data[0];
  if (!price) throw new ProblemError('not-ready', `The ${plan.name} plan has no active Stripe price with lookup key ${plan.lookupKey}.`);
  const metadata = { customerId: customer.id, plan: plan.id };
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: stripeCustomer,
    client_reference_id: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    metadata,
    subscription_data: { metadata },
    success_url: `${origin}/portal?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${origin}/portal/checkout?plan=${plan.id}&cancelled=1`,
  });
  if (!session.url) throw new ProblemError('internal', 'Stripe did not return a checkout page.');
  return session.url;
}

/** A Stripe billing portal session: invoices, payment method, plan changes, cancellation. */
export async function openBillingPortal(customer: Customer, origin: string): Promise<string> {
  if (!customer.stripeCustomerId) throw new ProblemError('conflict', 'There is no billing account yet: subscribe to a plan first.');
  const session = await (await stripeClient()).billingPortal.sessions.create({ customer: customer.stripeCustomerId, return_url: `${origin}/portal` });
  return session.url;
}
