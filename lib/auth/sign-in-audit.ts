/**
 * Sign-ins in the installation's audit chain: every success, and every refusal up to the
 * failed-authentication limit per client address.
 */
import { getRuntimeDb } from '@/db/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { logger } from '@/lib/http/logger';
import { rateLimiter } from '@/lib/ratelimit';

export async function auditSignIn(input: { outcome: 'allow' | 'deny'; method: string; email: string | null; userId?: string | null; reason?: string; ip: string | null; details?: Record<string, unknown> }) {
  if (input.outcome === 'deny' && !(await withinFailureAuditBudget(input.ip))) {
    logger.warn({ ip: input.ip, method: input.method, reason: input.reason }, 'sign-in failures from this address over the limit: not audited one by one');
    return;
  }
  const db = await getRuntimeDb();
  await appendAuditEvent(db, {
    workspaceId: null,
    actor: input.userId ? { type: 'user', id: input.userId, label: input.email } : { type: 'anonymous', label: input.email },
    action: 'auth.sign_in',
    resource: input.userId ? { type: 'user', id: input.userId } : null,
    outcome: input.outcome,
    reason: input.reason ?? null,
    ip: input.ip,
    details: { method: input.method, ...input.details },
  }).catch((error: unknown) => logger.error({ err: error }, 'sign-in audit event could not be written'));
}

/**
 * Refused sign-ins are audited one by one up to the failed-authentication limit per client address
 * (RP_RATE_LIMIT_AUTH_FAILURES, as the API's 401s), so a flood cannot flood the audit log.
 */
async function withinFailureAuditBudget(ip: string | null): Promise<boolean> {
  const limit = await rateLimiter('authFailures').limit(`sign-in:${ip ?? 'unknown'}`);
  return limit.success;
}

