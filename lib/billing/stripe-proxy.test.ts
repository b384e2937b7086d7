/**
 * The public site's Stripe calls behind the egress proxy: Stripe's SDK (on Node's http agents)
 * goes through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY exempts the API's host, against the local
 * Stripe stand-in and a real forward proxy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StripeStandIn } from '@/e2e/public/support/stripe-stand-in';
import { startTestProxy, type TestProxy } from '@/lib/testing/connect-proxy';
import { stripeClient } from './stripe';

const standIn = new StripeStandIn({ webhookSecret: 'whsec_test_0123456789abcdef' });
let proxy: TestProxy;

beforeAll(async () => {
  vi.stubEnv('STRIPE_API_BASE', await standIn.start());
  vi.stubEnv('STRIPE_SECRET_KEY', 'sk_test_stand_in');
  proxy = await startTestProxy();
});

afterEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) vi.stubEnv(name, '');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy.close();
  await standIn.stop();
});

describe("the public site's Stripe calls", () => {
  it('go through the egress proxy, and directly when NO_PROXY names the API host or no proxy is set', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const prices = await (await stripeClient()).prices.list({ lookup_keys: ['rp_team_monthly'] });
    expect(prices.data.map((price) => price.lookup_key)).toEqual(['rp_team_monthly']);
    expect(proxy.forwarded).toContainEqual(expect.stringMatching(new RegExp(`^GET ${standIn.url}/v1/prices\\?`)));

    const seen = proxy.forwarded.length;
    vi.stubEnv('NO_PROXY', '127.0.0.1');
    await (await stripeClient()).prices.list();
    vi.stubEnv('HTTP_PROXY', '');
    vi.stubEnv('NO_PROXY', '');
    await (await stripeClient()).prices.list();
    expect(proxy.forwarded).toHaveLength(seen);
  });
});
