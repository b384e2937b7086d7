/**
 * Sign-ins in the installation's audit chain: every success, and every refusal up to the
 * failed-authentication limit per client address.
 */
import { getRuntimeDb } from '@/db/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { logger } from '@/lib/http/logger';
import { rateLimiter } from '@/lib/ratelimit';

/** Never throws: a sign-in's answer does not depend on its audit event being written. */
export async function auditSignIn(input: { outcome: 'allow' | 'deny'; method: string; email: string | null; userId?: string | null; reason?: string; ip: string | null; details?: Record<string, unknown> }) {
  try {
    if (input.outcome === 'deny' && !(await withinFailureAuditBudget(input))) return;
    await appendAuditEvent(await getRuntimeDb(), {
      workspaceId: null,
      actor: input.userId ? { type: 'user', id: input.userId, label: input.email } : { type: 'anonymous', label: input.email },
      action: 'auth.sign_in',
      resource: input.userId ? { type: 'user', id: input.userId } : null,
      outcome: input.outcome,
      reason: input.reason ?? null,
      ip: input.ip,
      details: { method: input.method, ...input.details },
    });
  } catch (error) {
    logger.error({ err: error }, 'sign-in audit event could not be written');
  }
}

/** Per address, when this process last warned about a flood: until the end of that limit window. */
const warnedUntil = new Map<string, number>();

/**
 * Refused sign-ins are audited one by one up to the failed-authentication limit per client address
 * (RP_RATE_LIMIT_AUTH_FAILURES, as the API's 401s), so a flood cannot flood the audit log; past it,
 * one warning per address and window (not one line per refusal) says that some were not audited.
 */
async function withinFailureAuditBudget(input: { ip: string | null; method: string }): Promise<boolean> {
  const address = input.ip ?? 'unknown';
  let limit;
  try {
    limit = await rateLimiter('authFailures').limit(`sign-in:${address}`);
  } catch (error) {
    // The limiter's store is down: audit rather than lose the refusal.
    logger.error({ err: error }, 'sign-in failure limit could not be checked');
    return true;
  }
  if (limit.success) return true;
  const now = Date.now();
  if ((warnedUntil.get(address) ?? 0) <= now) {
    if (warnedUntil.size >= 10_000) for (const [key, until] of warnedUntil) if (until <= now) warnedUntil.delete(key);
    warnedUntil.set(address, Math.max(limit.reset, now + 1_000));
    logger.warn({ ip: input.ip, method: input.method, limit: limit.limit }, 'sign-in failures from this address over the limit: further ones in this window are not audited');
  }
  return false;
}
