/**
 * A local HTTP stand-in for the parts of Stripe's API the portal uses, speaking the paths, form
 * encoding and JSON shapes the real `stripe` SDK sends and expects (API version of the installed
 * SDK). It also plays Stripe's hosted pages: a checkout page whose "Pay" completes the session and
 * delivers the signed webhook events Stripe would send, and a billing portal page that can cancel.
 * Signatures are made with the SDK's own generateTestHeaderString, so the webhook verifies them
 * with exactly the code that verifies Stripe's.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

type Json = Record<string, unknown>;

export interface StandInOptions {
  /** Where signed webhook events are delivered (the public site's /api/webhooks/stripe). */
  webhookUrl?: string;
  webhookSecret: string;
  port?: number;
  /** Prices by lookup key, in cents. */
  prices?: Record<string, number>;
}

export interface Delivery {
  event: Stripe.Event;
  status: number;
  body: string;
}

const DAY = 86_400;

function id(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(12).toString('hex')}`;
}

/** Stripe's form encoding (`a[b][0][c]=d`) back into objects and arrays. */
export function parseStripeForm(body: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Json | unknown[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const nextIsIndex = /^\d+$/.test(path[index + 1] ?? '');
      const slot = node as Record<string, unknown>;
      if (last) slot[segment] = value;
      else node = (slot[segment] ??= nextIsIndex ? [] : {}) as Json | unknown[];
    });
  }
  return root;
}

export class StripeStandIn {
  readonly requests: Array<{ method: string; path: string; form: Json }> = [];
  readonly deliveries: Delivery[] = [];
  readonly customers = new Map<string, Json>();
  readonly prices = new Map<string, Json>();
  readonly sessions = new Map<string, Json>();
  readonly subscriptions = new Map<string, Json>();
  readonly portalSessions = new Map<string, Json>();
  private server: http.Server | null = null;
  url = '';

  constructor(private readonly options: StandInOptions) {
    const prices = options.prices ?? { rp_team_monthly: 40_000, rp_business_monthly: 120_000 };
    for (const [lookupKey, amount] of Object.entries(prices)) {
      const price = { id: id('price'), object: 'price', active: true, currency: 'usd', unit_amount: amount, lookup_key: lookupKey, product: id('prod'), recurring: { interval: 'month', interval_count: 1 }, type: 'recurring', livemode: false };
      this.prices.set(price.id, price);
    }
  }

  setWebhookUrl(url: string): void {
    this.options.webhookUrl = url;
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  priceByLookupKey(lookupKey: string): Json | undefined {
    return [...this.prices.values()].find((price) => price.lookup_key === lookupKey);
  }

  /** A subscription as Stripe returns it (items with price and the current period). */
  createSubscription(input: { customer: string; lookupKey: string; status?: string; periodStart?: number; days?: number; metadata?: Record<string, string> }): Json {
    const price = this.priceByLookupKey(input.lookupKey) ?? { id: id('price'), object: 'price', lookup_key: input.lookupKey, unit_amount: 1, currency: 'usd' };
    const start = input.periodStart ?? Math.floor(Date.now() / 1000);
    const end = start + (input.days ?? 30) * DAY;
    const subscriptionId = id('sub');
    const subscription: Json = {
      id: subscriptionId,
      object: 'subscription',
      customer: input.customer,
      status: input.status ?? 'active',
      cancel_at_period_end: false,
      canceled_at: null,
      ended_at: null,
      created: start,
      livemode: false,
      metadata: input.metadata ?? {},
      items: {
        object: 'list',
        has_more: false,
        url: `/v1/subscription_items?subscription=${subscriptionId}`,
        data: [{ id: id('si'), object: 'subscription_item', price, quantity: 1, current_period_start: start, current_period_end: end, subscription: subscriptionId }],
      },
    };
    this.subscriptions.set(subscriptionId, subscription);
    return subscription;
  }

  /** Moves a subscription into its next period (what a renewal does) and returns the new period end. */
  renew(subscriptionId: string, days = 30): number {
    const item = this.itemOf(subscriptionId);
    item.current_period_start = item.current_period_end;
    item.current_period_end = (item.current_period_end as number) + days * DAY;
    return item.current_period_end as number;
  }

  itemOf(subscriptionId: string): Json {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    return ((subscription.items as Json).data as Json[])[0]!;
  }

  /**
   * An invoice for the subscription's current period, as in invoice.paid / invoice.payment_failed.
   * `legacy`: as an endpoint on an API version before 2025-03-31 renders it (a top-level
   * `subscription`, no `parent`).
   */
  invoiceFor(subscriptionId: string, status: 'paid' | 'open', shape: 'current' | 'legacy' = 'current'): Json {
    const subscription = this.subscriptions.get(subscriptionId)!;
    const item = this.itemOf(subscriptionId);
    const price = item.price as Json;
    return {
      id: id('in'),
      object: 'invoice',
      customer: subscription.customer,
      status,
      paid: status === 'paid',
      amount_paid: status === 'paid' ? price.unit_amount : 0,
      currency: 'usd',
      billing_reason: 'subscription_cycle',
      livemode: false,
      ...(shape === 'current'
        ? { parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: subscriptionId, metadata: subscription.metadata } } }
        : { subscription: subscriptionId, subscription_details: { metadata: subscription.metadata } }),
      lines: {
        object: 'list',
        has_more: false,
        data: [{ id: id('il'), object: 'line_item', amount: price.unit_amount, period: { start: item.current_period_start, end: item.current_period_end } }],
      },
    };
  }

  event(type: string, object: Json, created = Math.floor(Date.now() / 1000), apiVersion: string = Stripe.API_VERSION): Stripe.Event {
    return {
      id: id('evt'),
      object: 'event',
      api_version: apiVersion,
      created,
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object },
    } as unknown as Stripe.Event;
  }

  /** The body and the Stripe-Signature header Stripe would send for this event. */
  sign(event: Stripe.Event, options: { timestamp?: number; secret?: string } = {}): { body: string; signature: string } {
    const body = JSON.stringify(event, null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: options.secret ?? this.options.webhookSecret,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    });
    return { body, signature };
  }

  /** Delivers a signed event to the configured webhook URL, as Stripe does. */
  async deliver(event: Stripe.Event): Promise<Delivery> {
    if (!this.options.webhookUrl) throw new Error('no webhook URL configured');
    const { body, signature } = this.sign(event);
    const response = await fetch(this.options.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
    const delivery = { event, status: response.status, body: await response.text() };
    this.deliveries.push(delivery);
    return delivery;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.url);
    const form = request.method === 'GET' ? parseStripeForm(url.search.slice(1)) : parseStripeForm(raw);
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, form });
    const route = `${request.method} ${url.pathname}`;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
      response.end(JSON.stringify(body));
    };
    const html = (body: string) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe stand-in</title></head><body>${body}</body></html>`);
    };
    const redirect = (location: string) => {
      response.writeHead(303, { location });
      response.end();
    };
    const missing = () => json(404, { error: { type: 'invalid_request_error', message: `No such resource: ${url.pathname}` } });
    const authorized = (request.headers.authorization ?? '').startsWith('Bearer sk_');
    if (url.pathname.startsWith('/v1/') && !authorized) {
      return json(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }

    let match: RegExpExecArray | null;
    if (route === 'POST /v1/customers') {
      const customer = { id: id('cus'), object: 'customer', email: form.email ?? null, name: form.name ?? null, metadata: form.metadata ?? {}, livemode: false, created: Math.floor(Date.now() / 1000) };
      this.customers.set(customer.id, customer);
      return json(200, customer);
    }
    if (route === 'GET /v1/prices') {
      const keys = (form.lookup_keys as string[] | undefined) ?? [];
      const data = [...this.prices.values()].filter((price) => keys.length === 0 || keys.includes(price.lookup_key as string));
      return json(200, { object: 'list', data, has_more: false, url: '/v1/prices' });
    }
    if (route === 'POST /v1/checkout/sessions') {
      const sessionId = id('cs_test');
      const lineItems = (form.line_items as Json[] | undefined) ?? [];
      if (!this.customers.has(form.customer as string)) return json(400, { error: { type: 'invalid_request_error', message: 'No such customer' } });
      if (!lineItems[0] || !this.prices.has(lineItems[0].price as string)) return json(400, { error: { type: 'invalid_request_error', message: 'No such price' } });
      const session = {
        id: sessionId,
        object: 'checkout.session',
        mode: form.mode,
        status: 'open',
        payment_status: 'unpaid',
        customer: form.customer,
        client_reference_id: form.client_reference_id ?? null,
        metadata: form.metadata ?? {},
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        subscription: null,
        livemode: false,
        url: `${this.url}/pay/${sessionId}`,
        line_items_requested: lineItems,
        subscription_data: form.subscription_data ?? {},
      };
      this.sessions.set(sessionId, session);
      return json(200, session);
    }
    if ((match = /^GET \/v1\/checkout\/sessions\/([^/]+)$/.exec(route))) {
      const session = this.sessions.get(match[1]!);
      return session ? json(200, session) : missing();
    }
    if ((match = /^GET \/v1\/subscriptions\/([^/]+)$/.exec(route))) {
      const subscription = this.subscriptions.get(match[1]!);
      return subscription ? json(200, subscription) : missing();
    }
    if (route === 'POST /v1/billing_portal/sessions') {
      if (!this.customers.has(form.customer as string)) return json(400, { error: { type: 'invalid_request_error', message: 'No such customer' } });
      const portalId = id('bps');
      const session = { id: portalId, object: 'billing_portal.session', customer: form.customer, return_url: form.return_url, livemode: false, url: `${this.url}/billing/${portalId}` };
      this.portalSessions.set(portalId, session);
      return json(200, session);
    }

    // Stripe's hosted pages, played for the browser.
    if ((match = /^GET \/pay\/([^/]+)$/.exec(route))) {
      const session = this.sessions.get(match[1]!);
      if (!session) return missing();
      const price = this.prices.get(((session.line_items_requested as Json[])[0]!.price as string))!;
      return html(`<main><h1>Pay Release Passport</h1><p>${price.lookup_key} · $${(price.unit_amount as number) / 100} per month</p>
        <form method="post" action="/pay/${session.id}/confirm"><button type="submit">Pay</button></form>
        <a href="${session.cancel_url}">Cancel</a></main>`);
    }
    if ((match = /^POST \/pay\/([^/]+)\/confirm$/.exec(route))) {
      const session = this.sessions.get(match[1]!);
      if (!session) return missing();
      const price = this.prices.get(((session.line_items_requested as Json[])[0]!.price as string))!;
      const subscription = this.createSubscription({
        customer: session.customer as string,
        lookupKey: price.lookup_key as string,
        metadata: ((session.subscription_data as Json).metadata as Record<string, string>) ?? {},
      });
      Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
      await this.deliver(this.event('checkout.session.completed', session));
      await this.deliver(this.event('invoice.paid', this.invoiceFor(subscription.id as string, 'paid')));
      return redirect(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id as string));
    }
    if ((match = /^GET \/billing\/([^/]+)$/.exec(route))) {
      const portal = this.portalSessions.get(match[1]!);
      if (!portal) return missing();
      const owned = [...this.subscriptions.values()].filter((subscription) => subscription.customer === portal.customer && subscription.status !== 'canceled');
      return html(`<main><h1>Billing</h1><ul>${owned.map((subscription) => `<li>${subscription.id} · ${subscription.status}
        <form method="post" action="/billing/${portal.id}/cancel/${subscription.id}"><button type="submit">Cancel subscription</button></form></li>`).join('')}</ul>
        <a href="${portal.return_url}">Return to Release Passport</a></main>`);
    }
    if ((match = /^POST \/billing\/([^/]+)\/cancel\/([^/]+)$/.exec(route))) {
      const portal = this.portalSessions.get(match[1]!);
      const subscription = this.subscriptions.get(match[2]!);
      if (!portal || !subscription || subscription.customer !== portal.customer) return missing();
      Object.assign(subscription, { status: 'canceled', canceled_at: Math.floor(Date.now() / 1000), ended_at: Math.floor(Date.now() / 1000) });
      await this.deliver(this.event('customer.subscription.deleted', subscription));
      return redirect(portal.return_url as string);
    }
    return missing();
  }
}
