/**
 * What the API answers while its database is unavailable (db/faults.ts): 503
 * `database-unavailable` with Retry-After, never a 500 and never an allow. An outage is logged once
 * at warn when it starts and once at info when requests succeed again, not as an error per request:
 * an operator restarting Postgres should see two lines, not a thousand stack traces.
 */
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailableReason } from '@/db/faults';
import { logger } from './logger';
import { problem, problemResponse } from './problem';

interface OutageState {
  since: number | null;
  refused: number;
}

// One per process, shared by every bundle of the server that imports this module.
const outage: OutageState = ((globalThis as { __rpDatabaseOutage?: OutageState }).__rpDatabaseOutage ??= { since: null, refused: 0 });

/** The 503 answer when `error` says the database is unavailable; null for any other error. */
export function databaseUnavailableResponse(error: unknown, context: { requestId: string; path: string }): Response | null {
  const reason = databaseUnavailableReason(error);
  if (!reason) return null;
  outage.refused++;
  if (outage.since === null) {
    outage.since = Date.now();
    logger.warn({ requestId: context.requestId, path: context.path, reason }, 'database unavailable: answering 503 until it is back');
  }
  return problemResponse(
    problem(
      'database-unavailable',
      `The database is not available right now (${reason}). Retry in ${DATABASE_RETRY_AFTER_SECONDS} s; nothing was decided on this request.`,
    ),
    { requestId: context.requestId, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } },
  );
}

/** A request was served with the database: ends an outage, if one was going on. */
export function databaseAnswered(): void {
  if (outage.since === null) return;
  logger.info({ outageSeconds: Math.round((Date.now() - outage.since) / 100) / 10, refused: outage.refused }, 'database available again');
  outage.since = null;
  outage.refused = 0;
}

/** Logs a failed best-effort write (an audit event of a refusal) without noise during an outage. */
export function logFailedWrite(error: unknown, message: string, context: Record<string, unknown>): void {
  if (databaseUnavailableReason(error)) logger.debug({ ...context, reason: databaseUnavailableReason(error) }, message);
  else logger.error({ ...context, err: error }, message);
}
