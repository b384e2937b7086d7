import { handleStripeWebhook } from '@/lib/billing/webhook-route';

export const dynamic = 'force-dynamic';

/** Stripe's webhook endpoint: the raw body is verified and processed in lib/billing. */
export function POST(request: Request) {
  return handleStripeWebhook(request);
}
