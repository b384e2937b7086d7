/** The webhook's HTTP side: size limit, verification, processing, and answers Stripe understands. */
import { z } from 'zod';
import { clientAddress } from '@/lib/http/client-address';
import { problem, problemResponse, ProblemError, problemFromError } from '@/lib/http/problem';
import { REQUEST_ID_HEADER, resolveRequestId } from '@/lib/http/request-id';
import { rateLimiter, rateLimitHeaders, type RateLimiter } from '@/lib/ratelimit';
import { logger } from '@/lib/http/logger';
import { processStripeEvent, verifyStripeEvent } from './webhook';

/** What every event this endpoint reads carries; Stripe's types promise it, a signed body may not. */
const stripeEventShape = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int().positive(),
  data: z.object({ object: z.object({ id: z.string().optional() }).loose() }).loose(),
});

/**
 * Requests per client address (RP_RATE_LIMIT_WEBHOOK, default 300/60s), counted before the
 * signature is checked so a flood of forged events costs little. Stripe retries a 429 later.
 */
function webhookLimiter(): RateLimiter {
  return rateLimiter('webhook');
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
    const shape = stripeEventShape.safeParse(event);
    if (!shape.success) {
      // Signed, so from Stripe (or whoever holds the secret), yet not an event: no retry would fix it.
      // Acknowledged (a 4xx or 5xx makes Stripe redeliver it for days), changes nothing, logged.
      const detail = `malformed event: ${shape.error.issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`).join('; ')}`;
      logger.warn({ requestId, marker: WEBHOOK_MARKER, detail }, 'signed Stripe event ignored');
      return Response.json({ received: true, outcome: 'ignored-malformed', detail }, { headers: { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId } });
    }
    const result = await processStripeEvent(event);
    // 200 for duplicates and ignored events too: Stripe stops redelivering what was handled.
    return Response.json({ received: true, ...result }, { headers: { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId } });
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(problemFromError(error), { requestId, headers: error.headers });
    // Nothing was committed (one transaction): a 500 makes Stripe deliver the event again later.
    logger.error({ requestId, marker: WEBHOOK_MARKER, err: error }, 'Stripe event not processed');
    return problemResponse(problem('internal', 'The event could not be processed; nothing was changed. Stripe will deliver it again.'), { requestId });
  }
}
