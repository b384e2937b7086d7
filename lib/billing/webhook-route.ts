/** The webhook's HTTP side: size limit, verification, processing, and answers Stripe understands. */
import { clientAddress } from '@/lib/http/client-address';
import { problem, problemResponse, ProblemError, problemFromError } from '@/lib/http/problem';
import { REQUEST_ID_HEADER, resolveRequestId } from '@/lib/http/request-id';
import { createRateLimiter, parseLimit, rateLimitHeaders, type RateLimiter } from '@/lib/ratelimit';
import { processStripeEvent, verifyStripeEvent } from './webhook';

let limiter: { setting: string | undefined; limiter: RateLimiter } | null = null;

/**
 * Requests per client address (RP_RATE_LIMIT_WEBHOOK, default 300/60s), counted before the
 * signature is checked so a flood of forged events costs little. Stripe retries a 429 later.
 */
function webhookLimiter(): RateLimiter {
  const setting = process.env.RP_RATE_LIMIT_WEBHOOK;
  if (!limiter || limiter.setting !== setting) {
    limiter = { setting, limiter: createRateLimiter('stripe-webhook', parseLimit(setting, { tokens: 300, windowMs: 60_000 })) };
  }
  return limiter.limiter;
}

/** Found by e2e/build/owner-separation.test.ts: this string must never be in the runtime build. */
export const WEBHOOK_MARKER = 'release-passport-billing-webhook';

/** Stripe's events are a few kilobytes; anything far larger is not one of them. */
const MAX_EVENT_BYTES = 512 * 1024;

export async function handleStripeWebhook(request: Request): Promise<Response> {
  const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  try {
    const allowed = await webhookLimiter().limit(`address:${clientAddress(request.headers) ?? 'unknown'}`);
    if (!allowed.success) {
      return problemResponse(problem('rate-limited', 'Too many webhook requests from this address; retry later.'), { requestId, headers: rateLimitHeaders(allowed) });
    }
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > MAX_EVENT_BYTES) throw new ProblemError('payload-too-large', `A Stripe event is at most ${MAX_EVENT_BYTES} bytes.`);
    const body = await request.text();
    if (Buffer.byteLength(body) > MAX_EVENT_BYTES) throw new ProblemError('payload-too-large', `A Stripe event is at most ${MAX_EVENT_BYTES} bytes.`);
    const event = await verifyStripeEvent(body, request.headers.get('stripe-signature'));
    const result = await processStripeEvent(event);
    // 200 for duplicates and ignored events too: Stripe stops redelivering what was handled.
    return Response.json({ received: true, ...result }, { headers: { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId } });
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(problemFromError(error), { requestId, headers: error.headers });
    // Nothing was committed (one transaction): a 500 makes Stripe deliver the event again later.
    console.error(JSON.stringify({ level: 'error', msg: `${WEBHOOK_MARKER}: event not processed`, requestId, error: error instanceof Error ? error.message : String(error) }));
    return problemResponse(problem('internal', 'The event could not be processed; nothing was changed. Stripe will deliver it again.'), { requestId });
  }
}
