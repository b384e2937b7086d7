/**
 * The Stripe webhook (docs/security-model.md "Webhook signature"). The raw body's signature is verified with
 * the endpoint secret and a timestamp tolerance by Stripe's own SDK code. Only a signed event for
 * a successful payment (checkout completed and paid, invoice paid) activates or extends
 * entitlement; Stripe's lifecycle events (subscription unpaid, cancelled, deleted) end it; any
 * other event is recorded and changes nothing. Each event is applied once, by its id, in one
 * transaction with its record: a failure leaves nothing behind and Stripe retries.
 */
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { getOwnerDb, type OwnerDb } from '@/db/owner';
import { customers, subscriptions, webhookEvents } from '@/db/schema/owner';
import { ProblemError } from '@/lib/http/problem';
import type { OwnerTx } from './db';
import { endEntitlements, grantPaidPeriod, issueLicenseForPeriod, type Customer } from './entitlements';
import { paidPlanByLookupKey, type PaidPlan } from './plans';
import { readOwnerSecret } from './secret-settings';
import { stripeClient } from './stripe';

/** Events signed longer ago than this are refused as replays (Stripe's own default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Subscription statuses in which Stripe has given up collecting: entitlement ends at once. */
const ENDED_STATUSES = new Set(['unpaid', 'canceled', 'incomplete_expired']);
/** Subscriptions no payment event may (re)activate: Stripe's current status decides, not the event's arrival. */
const NOT_PAYING_STATUSES = new Set(['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused']);

export type WebhookOutcome =
  | 'activated'
  | 'extended'
  | 'ended'
  | 'recorded'
  | 'ignored-unpaid'
  | 'ignored-unknown-type'
  | 'ignored-unknown-customer'
  | 'ignored-unknown-price'
  | 'ignored-not-subscription'
  | 'ignored-not-active'
  | 'ignored-customer-mismatch'
  | 'ignored-unknown-subscription'
  | 'ignored-malformed';

export interface WebhookResult {
  eventId: string;
  type: string;
  outcome: WebhookOutcome;
  duplicate: boolean;
  detail?: string;
}

/** Verifies the signature; throws a 400 problem for anything Stripe did not sign just now. */
export async function verifyStripeEvent(rawBody: string, signature: string | null): Promise<Stripe.Event> {
  const secret = await readOwnerSecret('stripe.webhookSecret');
  if (!secret) throw new ProblemError('not-ready', 'The Stripe webhook secret (STRIPE_WEBHOOK_SECRET) is not configured.');
  if (!signature) throw new ProblemError('bad-request', 'The Stripe-Signature header is missing: only events signed by Stripe are accepted.');
  // Stripe's check bounds the age of a signature, not how far ahead of our clock it claims to be.
  const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
  if (Number.isFinite(signedAt) && signedAt - Date.now() / 1000 > WEBHOOK_TOLERANCE_SECONDS) {
    throw new ProblemError('bad-request', `The event claims to be signed more than ${WEBHOOK_TOLERANCE_SECONDS} seconds in the future; check this server's clock.`);
  }
  try {
    return await Stripe.webhooks.constructEventAsync(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
  } catch {
    throw new ProblemError('bad-request', `The event signature does not verify, or it was signed more than ${WEBHOOK_TOLERANCE_SECONDS} seconds ago.`);
  }
}

/** What a verified event asks for, read (from the event, and Stripe's API) before the transaction. */
type Intent =
  | { kind: 'payment'; stripeCustomerId: string; customerRef: string | null; subscription: Stripe.Subscription; plan: PaidPlan; paidThrough: Date }
  | { kind: 'subscription-state'; subscription: Stripe.Subscription; ended: boolean }
  | { kind: 'payment-failed'; stripeSubscriptionId: string }
  | { kind: 'ignore'; outcome: WebhookOutcome; detail: string };

export async function processStripeEvent(event: Stripe.Event, options: { now?: Date; db?: OwnerDb } = {}): Promise<WebhookResult> {
  const now = options.now ?? new Date();
  const db = options.db ?? (await getOwnerDb());
  const result = (outcome: WebhookOutcome, duplicate: boolean, detail?: string): WebhookResult => ({ eventId: event.id, type: event.type, outcome, duplicate, detail });

  // A duplicate delivery is answered before anything is asked of Stripe.
  const [seen] = await db.select().from(webhookEvents).where(eq(webhookEvents.eventId, event.id));
  if (seen) return result(seen.outcome as WebhookOutcome, true, seen.detail ?? undefined);

  const intent = await intentOf(event);
  return db.transaction(async (tx) => {
    // The record first: a concurrent delivery of the same id waits here, then finds it taken.
    const [claimed] = await tx
      .insert(webhookEvents)
      .values({ eventId: event.id, type: event.type, outcome: 'recorded', stripeCreatedAt: new Date(event.created * 1000), receivedAt: now })
      .onConflictDoNothing()
      .returning();
    if (!claimed) return result('recorded', true);
    const applied = await apply(tx, intent, event.id, now);
    await tx
      .update(webhookEvents)
      .set({ outcome: applied.outcome, detail: applied.detail ?? null, customerId: applied.customerId ?? null })
      .where(eq(webhookEvents.eventId, event.id));
    return result(applied.outcome, false, applied.detail);
  });
}

/**
 * The subscription an invoice bills. Stripe renders an event in the API version of the webhook
 * endpoint, not the SDK's: since 2025-03-31 ("basil") it is `parent.subscription_details`, before
 * that a top-level `subscription`. An endpoint made in the Dashboard on an older account version
 * sends the old shape, and reading only the new one would ignore every renewal.
 */
function invoiceSubscription(invoice: Stripe.Invoice): string | Stripe.Subscription | null {
  const legacy = (invoice as unknown as { subscription?: string | Stripe.Subscription | null }).subscription;
  return invoice.parent?.subscription_details?.subscription ?? legacy ?? null;
}

async function intentOf(event: Stripe.Event): Promise<Intent> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object;
      if (session.mode !== 'subscription' || !session.subscription) return ignore('ignored-not-subscription', 'not a subscription checkout');
      if (session.payment_status !== 'paid') return ignore('ignored-unpaid', `payment_status is ${session.payment_status}`);
      const subscription = await retrieveSubscription(idOf(session.subscription));
      if (!subscription) return ignore('ignored-unknown-subscription', `Stripe knows no subscription ${idOf(session.subscription)}`);
      return paymentIntent(subscription, idOf(session.customer), session.client_reference_id, currentPeriodEnd(subscription));
    }
    case 'invoice.paid': {
      const invoice = event.data.object;
      const subscriptionRef = invoiceSubscription(invoice);
      if (!subscriptionRef) return ignore('ignored-not-subscription', 'the invoice is not for a subscription');
      if (invoice.status !== 'paid') return ignore('ignored-unpaid', `invoice status is ${invoice.status}`);
      const paidThrough = Math.max(0, ...invoice.lines.data.map((line) => line.period.end));
      const subscription = await retrieveSubscription(idOf(subscriptionRef));
      if (!subscription) return ignore('ignored-unknown-subscription', `Stripe knows no subscription ${idOf(subscriptionRef)}`);
      return paymentIntent(subscription, idOf(invoice.customer), null, new Date(paidThrough * 1000));
    }
    case 'invoice.payment_failed': {
      const subscriptionRef = invoiceSubscription(event.data.object);
      if (!subscriptionRef) return ignore('ignored-not-subscription', 'the invoice is not for a subscription');
      return { kind: 'payment-failed', stripeSubscriptionId: idOf(subscriptionRef) };
    }
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      // Events arrive late and out of order (Stripe retries for days): the subscription as Stripe has
      // it now decides, never the snapshot an older event carries.
      const current = await retrieveSubscription(event.data.object.id);
      if (!current) return ignore('ignored-unknown-subscription', `Stripe knows no subscription ${event.data.object.id}`);
      return { kind: 'subscription-state', subscription: current, ended: ENDED_STATUSES.has(current.status) };
    }
    default:
      return ignore('ignored-unknown-type', `${event.type} is not an event this endpoint acts on`);
  }
}

function paymentIntent(subscription: Stripe.Subscription, stripeCustomerId: string | null, customerRef: string | null, paidThrough: Date): Intent {
  if (NOT_PAYING_STATUSES.has(subscription.status)) return ignore('ignored-not-active', `the subscription is ${subscription.status} at Stripe: a payment for it activates nothing`);
  if (stripeCustomerId && idOf(subscription.customer) !== stripeCustomerId) {
    return ignore('ignored-customer-mismatch', `the event names customer ${stripeCustomerId}, the subscription belongs to ${idOf(subscription.customer)}`);
  }
  const lookupKey = subscription.items.data[0]?.price.lookup_key;
  const plan = paidPlanByLookupKey(lookupKey);
  if (!plan) return ignore('ignored-unknown-price', `price lookup key ${lookupKey ?? '(none)'} is not a plan`);
  if (!stripeCustomerId) return ignore('ignored-unknown-customer', 'the event names no customer');
  return { kind: 'payment', stripeCustomerId, customerRef: customerRef ?? subscription.metadata.customerId ?? null, subscription, plan, paidThrough };
}

async function apply(
  tx: OwnerTx,
  intent: Intent,
  eventId: string,
  now: Date,
): Promise<{ outcome: WebhookOutcome; detail?: string; customerId?: string }> {
  switch (intent.kind) {
    case 'ignore':
      return { outcome: intent.outcome, detail: intent.detail };
    case 'payment': {
      const customer = await customerForPayment(tx, intent.stripeCustomerId, intent.customerRef);
      if (!customer) return { outcome: 'ignored-unknown-customer', detail: `no customer for ${intent.stripeCustomerId}` };
      const subscriptionId = await upsertSubscription(tx, customer.id, intent.subscription, intent.plan.id, now, intent.paidThrough);
      const { wasActive } = await grantPaidPeriod(tx, { customerId: customer.id, subscriptionId, plan: intent.plan, paidThrough: intent.paidThrough, eventId, now });
      const license = await issueLicenseForPeriod(tx, { customer, subscriptionId, plan: intent.plan, paidThrough: intent.paidThrough, eventId, now });
      return {
        outcome: wasActive ? 'extended' : 'activated',
        detail: `${intent.plan.id} paid through ${intent.paidThrough.toISOString()}; license ${license.id}`,
        customerId: customer.id,
      };
    }
    case 'payment-failed': {
      // Stripe retries the payment; entitlement is not extended and lapses at the end of the paid period.
      const [row] = await tx
        .update(subscriptions)
        .set({ status: 'past_due', updatedAt: now })
        .where(eq(subscriptions.stripeSubscriptionId, intent.stripeSubscriptionId))
        .returning();
      return { outcome: 'recorded', detail: 'payment failed: entitlement not extended', customerId: row?.customerId };
    }
    case 'subscription-state': {
      const [known] = await tx.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, intent.subscription.id));
      if (!known) return { outcome: 'recorded', detail: 'unknown subscription' };
      const status = intent.subscription.status;
      await tx
        .update(subscriptions)
        .set({
          status,
          cancelAtPeriodEnd: intent.subscription.cancel_at_period_end,
          endedAt: intent.ended ? (intent.subscription.ended_at ? new Date(intent.subscription.ended_at * 1000) : (known.endedAt ?? now)) : null,
          updatedAt: now,
        })
        .where(eq(subscriptions.id, known.id));
      if (!intent.ended) return { outcome: 'recorded', detail: `subscription ${status}`, customerId: known.customerId };
      const count = await endEntitlements(tx, known.customerId, `subscription ${status}`, now);
      return { outcome: 'ended', detail: `subscription ${status}: ${count} ${count === 1 ? 'entitlement' : 'entitlements'} ended`, customerId: known.customerId };
    }
  }
}

/** The customer the payment is for: by the Stripe customer id we created, else by our own reference. */
async function customerForPayment(tx: OwnerTx, stripeCustomerId: string, customerRef: string | null): Promise<Customer | null> {
  const [byStripe] = await tx.select().from(customers).where(eq(customers.stripeCustomerId, stripeCustomerId));
  if (byStripe) return byStripe;
  if (!customerRef || !/^[0-9a-f-]{36}$/.test(customerRef)) return null;
  const [byRef] = await tx.select().from(customers).where(eq(customers.id, customerRef));
  if (!byRef || (byRef.stripeCustomerId && byRef.stripeCustomerId !== stripeCustomerId)) return null;
  const [linked] = await tx.update(customers).set({ stripeCustomerId }).where(eq(customers.id, byRef.id)).returning();
  return linked ?? null;
}

async function upsertSubscription(tx: OwnerTx, customerId: string, subscription: Stripe.Subscription, plan: string, now: Date, paidThrough: Date): Promise<string> {
  const [existing] = await tx.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, subscription.id));
  const periodEnd = existing?.currentPeriodEnd && existing.currentPeriodEnd > paidThrough ? existing.currentPeriodEnd : paidThrough;
  const values = { plan, status: subscription.status, currentPeriodEnd: periodEnd, cancelAtPeriodEnd: subscription.cancel_at_period_end, endedAt: null, updatedAt: now };
  if (existing) {
    await tx.update(subscriptions).set(values).where(eq(subscriptions.id, existing.id));
    return existing.id;
  }
  const [created] = await tx.insert(subscriptions).values({ customerId, stripeSubscriptionId: subscription.id, ...values }).returning();
  return created!.id;
}

/** The subscription as Stripe has it now; null when Stripe does not know it (404). */
async function retrieveSubscription(id: string): Promise<Stripe.Subscription | null> {
  try {
    return await (await stripeClient()).subscriptions.retrieve(id);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

function currentPeriodEnd(subscription: Stripe.Subscription): Date {
  return new Date(Math.max(0, ...subscription.items.data.map((item) => item.current_period_end)) * 1000);
}

function idOf(reference: string | { id: string } | null): string {
  if (!reference) return '';
  return typeof reference === 'string' ? reference : reference.id;
}

function ignore(outcome: WebhookOutcome, detail: string): Intent {
  return { kind: 'ignore', outcome, detail };
}
