/**
 * Stripe for the public target only. Billing code is imported only from `*.public.ts(x)` route
 * files; the owner-separation test proves none of it reaches the runtime build.
 */
import Stripe from 'stripe';
import { ProblemError } from '@/lib/http/problem';
import { readOwnerSecret } from './secret-settings';
import { settings } from '@/lib/config/settings';
import { nodeProxyAgent } from '@/lib/http/egress-proxy';

let cached: { key: string; base: string | undefined; proxy: unknown; client: Stripe } | null = null;

export async function stripeClient(): Promise<Stripe> {
  const apiKey = await readOwnerSecret('stripe.secretKey');
  if (!apiKey) throw new ProblemError('not-ready', 'Payments are not configured on this site (STRIPE_SECRET_KEY is not set).');
  const { portal, egressProxy } = settings();
  const baseUrl = portal.stripeApiBase ?? undefined;
  if (cached?.key === apiKey && cached.base === baseUrl && cached.proxy === egressProxy) return cached.client;
  // STRIPE_API_BASE points the SDK at a local stand-in in tests (http://127.0.0.1:PORT).
  const base = baseUrl ? new URL(baseUrl) : null;
  const agent = nodeProxyAgent(base ?? new URL('https://api.stripe.com'), egressProxy);
  const client = new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(agent && { httpAgent: agent }),
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol.replace(':', '') as 'http' | 'https',
    }),
  });
  cached = { key: apiKey, base: baseUrl, proxy: egressProxy, client };
  return client;
}
