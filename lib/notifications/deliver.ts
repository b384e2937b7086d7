/**
 * Delivering notifications (the worker's part): a due delivery is claimed with
 * SELECT ... FOR UPDATE SKIP LOCKED and held for a lease, so several workers share the outbox and
 * a dead worker's delivery is taken up again; then one POST (5 s timeout, no redirects, only to
 * addresses the connectors' address guard allows, through the egress proxy when one is set), and
 * its outcome:
 *
 * - 2xx: delivered;
 * - 410 Gone: the receiver says it is gone for good: the delivery fails and the endpoint is disabled;
 * - other 4xx except 408 and 429, a redirect, a refused address, an unusable secret: failed (retrying
 *   would get the same answer; "Retry now" tries once more);
 * - 408, 429, 5xx, no answer: retried after 30 s, 2 min, 10 min, 1 h and 6 h (±20 % jitter), then failed.
 *
 * Status code, attempts, the last error (our words: never the secret, never the response body)
 * and the duration are recorded on the delivery.
 */
import 'server-only';
import { and, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { notificationDeliveries, notificationEndpoints } from '@/db/schema/runtime';
import { ConnectorAddressRefused, guardedFetch } from '@/lib/connectors/address-guard';
import { proxyFailure } from '@/lib/http/egress-proxy';
import { logger } from '@/lib/http/logger';
import { resolveSecret, SecretError, type SecretActor } from '@/lib/secrets';
import { slackMessage, type NotificationPayload } from './events';
import { signedHeaders, signingKey } from './signature';

export const DELIVERY_TIMEOUT_MS = 5_000;
/** The waits before the 2nd, 3rd... attempt; after the last, a delivery has failed. */
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3_600, 21_600] as const;
const LEASE_SECONDS = 60;

/** The wait before the next attempt after `attempts` attempts, with ±20 % jitter; null when none is left. */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_SECONDS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Claims the delivery due longest; null when none is due. */
export async function claimDueDelivery(db: RuntimeDb): Promise<{ workspaceId: string; id: string } | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ workspaceId: notificationDeliveries.workspaceId, id: notificationDeliveries.id })
      .from(notificationDeliveries)
      .where(
        and(
          eq(notificationDeliveries.status, 'pending'),
          lte(notificationDeliveries.nextAttemptAt, sql`now()`),
          or(isNull(notificationDeliveries.lockedUntil), lt(notificationDeliveries.lockedUntil, sql`now()`)),
        ),
      )
      .orderBy(notificationDeliveries.nextAttemptAt)
      .limit(1)
      .for('update', { skipLocked: true });
    if (!due) return null;
    await tx
      .update(notificationDeliveries)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where(and(eq(notificationDeliveries.workspaceId, due.workspaceId), eq(notificationDeliveries.id, due.id)));
    return due;
  });
}

type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string }
  | { kind: 'gone'; status: number; error: string };

class Permanent extends Error {}

export interface DeliveryResult {
  id: string;
  status: 'delivered' | 'pending' | 'failed';
  statusCode: number | null;
  attempts: number;
  error: string | null;
}

/** One attempt of a claimed delivery; records its outcome. */
export async function attemptDelivery(db: RuntimeDb, claimed: { workspaceId: string; id: string }, actor: SecretActor): Promise<DeliveryResult | null> {
  const [row] = await db
    .select({ delivery: notificationDeliveries, endpoint: notificationEndpoints })
    .from(notificationDeliveries)
    .innerJoin(notificationEndpoints, and(eq(notificationEndpoints.workspaceId, claimed.workspaceId), eq(notificationEndpoints.id, notificationDeliveries.endpointId)))
    .where(and(eq(notificationDeliveries.workspaceId, claimed.workspaceId), eq(notificationDeliveries.id, claimed.id)));
  if (!row || row.delivery.status !== 'pending') return null;
  const { delivery, endpoint } = row;
  const started = performance.now();
  let outcome: Outcome;
  if (!endpoint.enabled) {
    outcome = { kind: 'failed', status: null, error: `the endpoint is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}` };
  } else {
    try {
      outcome = await send(endpoint, delivery.id, delivery.payload as NotificationPayload, actor);
    } catch (error) {
      outcome = error instanceof Permanent ? { kind: 'failed', status: null, error: error.message } : { kind: 'retry', status: null, error: (error as Error).message };
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const attempts = delivery.attempts + 1;
  const delay = outcome.kind === 'retry' ? retryDelaySeconds(attempts) : null;
  const status = outcome.kind === 'delivered' ? 'delivered' : delay !== null ? 'pending' : 'failed';
  const error = outcome.kind === 'delivered' ? null : outcome.kind === 'retry' && delay === null ? `${outcome.error} (gave up after ${attempts} attempts)` : outcome.error;
  await db.transaction(async (tx) => {
    await tx
      .update(notificationDeliveries)
      .set({
        status,
        attempts,
        lockedUntil: null,
        lastAttemptAt: sql`now()`,
        lastStatusCode: outcome.status,
        lastError: error?.slice(0, 500) ?? null,
        lastDurationMs: durationMs,
        ...(status === 'delivered' ? { deliveredAt: sql`now()` } : {}),
        ...(delay !== null ? { nextAttemptAt: sql`now() + make_interval(secs => ${delay})` } : {}),
      })
      .where(and(eq(notificationDeliveries.workspaceId, delivery.workspaceId), eq(notificationDeliveries.id, delivery.id)));
    if (outcome.kind === 'gone') {
      await tx
        .update(notificationEndpoints)
        .set({ enabled: false, disabledReason: `the receiver answered 410 Gone (delivery ${delivery.id}); enable it again once it is back`, updatedAt: sql`now()` })
        .where(and(eq(notificationEndpoints.workspaceId, endpoint.workspaceId), eq(notificationEndpoints.id, endpoint.id)));
    }
  });
  const result: DeliveryResult = { id: delivery.id, status, statusCode: outcome.status, attempts, error };
  (status === 'delivered' ? logger.info : logger.warn).call(logger, { delivery: delivery.id, endpoint: endpoint.id, event: delivery.event, status, statusCode: outcome.status, attempts, ms: durationMs, error }, 'notification delivery');
  return result;
}

async function send(endpoint: typeof notificationEndpoints.$inferSelect, id: string, payload: NotificationPayload, actor: SecretActor): Promise<Outcome> {
  let secret: string;
  try {
    secret = (await resolveSecret(endpoint.secretRef, { workspace: { id: endpoint.workspaceId }, flow: { purpose: 'notification', environment: null }, actor })).reveal();
  } catch (error) {
    // The message names the reference and why, never a value. Not set yet: worth retrying.
    if (error instanceof SecretError && error.code !== 'not-set') throw new Permanent(error.message);
    throw error;
  }
  let url: URL;
  let body: string;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'release-passport-notifications' };
  if (endpoint.kind === 'webhook') {
    const key = signingKey(secret);
    if (!key) throw new Permanent(`${endpoint.secretRef} does not hold a Standard Webhooks secret (whsec_ and base64)`);
    url = new URL(endpoint.url!);
    body = JSON.stringify(payload);
    Object.assign(headers, signedHeaders(key, `msg_${id}`, new Date(), body));
  } else {
    try {
      url = new URL(secret.trim());
    } catch {
      throw new Permanent(`${endpoint.secretRef} does not hold a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Permanent(`${endpoint.secretRef} does not hold an http(s) URL`);
    body = JSON.stringify(slackMessage(payload));
  }
  // Where it went, without the path (a Slack URL's path is its secret).
  const where = endpoint.kind === 'slack' ? url.origin : `${url.origin}${url.pathname}`;
  let response;
  try {
    response = await guardedFetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const refused = error instanceof ConnectorAddressRefused ? error : cause instanceof ConnectorAddressRefused ? cause : null;
    if (refused) throw new Permanent(`${where}: ${refused.message.replace('connectors do not connect there', 'notifications are not sent there')}`);
    if ((error as Error).name === 'TimeoutError') return { kind: 'retry', status: null, error: `${where}: no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` };
    return { kind: 'retry', status: null, error: `${where}: ${proxyFailure(error) ?? `cannot connect (${cause?.code ?? (error as Error).name})`}` };
  }
  await response.body?.cancel().catch(() => {});
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) return { kind: 'gone', status, error: `${where} answered 410 Gone: the endpoint is disabled` };
  if (status >= 300 && status < 400) return { kind: 'failed', status, error: `${where} answered a redirect (${status}); notifications do not follow redirects` };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', status, error: `${where} answered ${status}` };
  return { kind: 'failed', status, error: `${where} answered ${status}${status === 401 || status === 403 ? ' (check the signing secret the receiver expects)' : ''}` };
}

/** Delivers every due delivery, `concurrency` at a time; returns how many attempts were made. */
export async function deliverDue(db: RuntimeDb, options: { concurrency?: number; actor: SecretActor; stopping?: () => boolean }): Promise<number> {
  let attempted = 0;
  const lane = async () => {
    for (;;) {
      if (options.stopping?.()) return;
      const due = await claimDueDelivery(db);
      if (!due) return;
      try {
        if (await attemptDelivery(db, due, options.actor)) attempted++;
      } catch (error) {
        logger.error({ delivery: due.id, err: error }, 'notification delivery failed to run');
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, lane));
  return attempted;
}
