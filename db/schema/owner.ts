/**
 * The vendor's (owner's) tables, used only by the public target (docs/architecture.md):
 * customers, subscriptions, entitlements, issued licenses and processed webhook events.
 * Entitlement changes only through a verified Stripe payment event (lib/billing/webhook.ts),
 * applied together with the event's record in one transaction.
 */
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tz = (name: string) => timestamp(name, { withTimezone: true });

/** A buyer, known by the OIDC identity they sign in to the portal with. */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    name: text('name').notNull().default(''),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    stripeCustomerId: text('stripe_customer_id').unique(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('customers_oidc_identity_idx').on(t.oidcIssuer, t.oidcSubject)],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
    stripeSubscriptionId: text('stripe_subscription_id').unique(),
    plan: text('plan').notNull(),
    /** Stripe's subscription status (active, past_due, unpaid, canceled...). */
    status: text('status').notNull(),
    /** The end of the period paid for. */
    currentPeriodEnd: tz('current_period_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    endedAt: tz('ended_at'),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('subscriptions_customer_idx').on(t.customerId)],
);

/** One row per customer and feature, extended by each paid period, ended by Stripe's lifecycle. */
export const entitlements = pgTable(
  'entitlements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
    subscriptionId: uuid('subscription_id').references(() => subscriptions.id, { onDelete: 'set null' }),
    feature: text('feature').notNull(),
    activeUntil: tz('active_until').notNull(),
    /** The payment event that last activated or extended it. */
    sourceEventId: text('source_event_id'),
    revokedAt: tz('revoked_at'),
    revokedReason: text('revoked_reason'),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('entitlements_customer_idx').on(t.customerId), uniqueIndex('entitlements_customer_feature_idx').on(t.customerId, t.feature)],
);

export const issuedLicenses = pgTable(
  'issued_licenses',
  {
    /** The license id (`jti`). */
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
    subscriptionId: uuid('subscription_id').references(() => subscriptions.id, { onDelete: 'set null' }),
    plan: text('plan').notNull(),
    seats: integer('seats').notNull(),
    features: jsonb('features').$type<string[]>().notNull(),
    expiresAt: tz('expires_at').notNull(),
    /** Thumbprint of the signing key and the issuer it signed for (vendor or test). */
    keyId: text('key_id').notNull().default(''),
    issuer: text('issuer').notNull().default(''),
    sourceEventId: text('source_event_id'),
    token: text('token').notNull(),
    /** The runtime installation the license names, or "portable" (lib/license/claims.ts). */
    installation: text('installation').notNull().default('portable'),
    createdAt: createdAt(),
  },
  (t) => [index('issued_licenses_customer_idx').on(t.customerId, t.createdAt)],
);

/** Every Stripe event id seen, so a duplicate delivery is acknowledged and changes nothing. */
export const webhookEvents = pgTable('webhook_events', {
  eventId: text('event_id').primaryKey(),
  type: text('type').notNull(),
  /** What processing did: activated, extended, ended, recorded, ignored-* (see lib/billing/webhook.ts). */
  outcome: text('outcome').notNull(),
  detail: text('detail'),
  customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
  /** When Stripe created the event. */
  stripeCreatedAt: tz('stripe_created_at'),
  receivedAt: tz('received_at').notNull().defaultNow(),
});
