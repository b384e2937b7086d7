/**
 * The part of a server's start that needs its database (migrations, the first admin, the worker).
 * A database that cannot be reached at start (a Postgres still starting, or down, or not yet given
 * our role or database: db/faults.ts says which errors mean that) does not stop the server: it
 * serves, answering 503 database-unavailable and "not ready" while the database is away (each
 * request tries to open it), and does this part of the start as soon as it is back. Failing the
 * start instead left Next serving a plain-text 500 on every request, /api/health included, for
 * the life of the process, even after the database came back. A database that answers but refuses
 * the start stops the process with its reason.
 */
import { databaseUnavailableReason, redactedDatabaseUrl } from '@/db/faults';
import { settings } from '@/lib/config/settings';

export async function startOnceTheDatabaseAnswers(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (error) {
    const reason = databaseUnavailableReason(error);
    if (!reason) return stopBecauseTheStartFailed(error);
    void startWhenDatabaseIsBack(start, reason);
  }
}

/** Longest pause between two tries to reach the database after a start without it. */
const RETRY_CEILING_MS = 10_000;
/** How often an unchanged reason is logged again while the database stays away. */
const REPEAT_LOG_MS = 60_000;

async function startWhenDatabaseIsBack(start: () => Promise<void>, firstReason: string): Promise<void> {
  const { logger } = await import('@/lib/http/logger');
  const where = redactedDatabaseUrl(settings().database.url);
  logger.error(
    { database: where, reason: firstReason },
    `the database cannot be reached at start (${firstReason}): serving anyway, answering 503 database-unavailable and "not ready" (/api/ready) until it is back; trying again every few seconds. Check DATABASE_URL and that the database is running.`,
  );
  const startedAt = Date.now();
  let lastReason = firstReason;
  let loggedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, RETRY_CEILING_MS)).unref());
    try {
      await start();
      logger.info({ database: where, seconds: Math.round((Date.now() - startedAt) / 1000) }, 'the database is available: migrated and serving');
      return;
    } catch (error) {
      const reason = databaseUnavailableReason(error);
      // Reached, but the start failed for another reason: as at a start with the database there.
      if (!reason) return stopBecauseTheStartFailed(error);
      if (reason !== lastReason || Date.now() - loggedAt >= REPEAT_LOG_MS) {
        logger.error({ database: where, reason, attempt }, `the database still cannot be reached (${reason}): answering 503 until it is back`);
        lastReason = reason;
        loggedAt = Date.now();
      }
    }
  }
}

/**
 * The database answered but the start cannot finish (a migration the database refuses, say a role
 * without the right to create tables): serving without it would answer 500 to everything, so the
 * process stops with the reason, and the launcher with it (EX_CONFIG: starting again would fail
 * the same way).
 */
async function stopBecauseTheStartFailed(error: unknown): Promise<never> {
  const { logger } = await import('@/lib/http/logger');
  const message = startFailureMessage(error);
  logger.fatal({ database: redactedDatabaseUrl(settings().database.url), err: error, exitCode: 78 }, `the start could not finish: ${message}`);
  // eslint-disable-next-line no-console -- the operator's terminal
  console.error(`rp-server: the start could not finish: ${message}`);
  process.exit(78);
}

/**
 * The database's own words, not the query builder's wrapper ("Failed query: ..." with the reason
 * in its cause), with the statement it refused and, for a missing privilege, what to grant.
 */
export function startFailureMessage(error: unknown): string {
  let root: unknown = error;
  for (let depth = 0; depth < 5 && root instanceof Error && root.cause instanceof Error; depth++) root = root.cause;
  const reason = root instanceof Error ? root.message : String(root);
  const code = root instanceof Error ? (root as { code?: unknown }).code : undefined;
  const query = error instanceof Error ? (error as { query?: unknown }).query : undefined;
  const statement = typeof query === 'string' && query ? ` in: ${query.split('\n')[0]!.slice(0, 160)}` : '';
  const hint =
    code === '42501'
      ? '. The server migrates its database at start: the role in DATABASE_URL must own the database (or have CREATE on it and on its public schema); see /docs/install'
      : '';
  return `${reason}${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}${statement}${hint}`;
}

