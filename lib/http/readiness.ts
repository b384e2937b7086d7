import { sql } from 'drizzle-orm';
import { migrationStatus, type MigrationStatus, type OpenDatabase } from '@/db/client';
import { withDeadline } from '@/db/faults';
import { compiledStatement, runInOneTransaction } from '@/db/statement';
import { problem, problemResponse } from './problem';
import { resolveRequestId, REQUEST_ID_HEADER } from './request-id';
import { isShuttingDown } from './shutdown-state';
import { maskCredentials } from '@/lib/text/credentials';

/** Longest the probe waits: an orchestrator's probe usually times out at 1-5 s. */
const PROBE_DEADLINE_MS = 2_000;

// A transaction on the path every gate write takes (db/statement.ts runInOneTransaction): a
// connection from the pool, BEGIN, a statement, COMMIT. It also says whether the database takes
// writes at all (a standby after a failover does not).
const readOnlyProbe = compiledStatement<{ read_only: string }>(() => sql`select current_setting('transaction_read_only') as read_only`);

/**
 * Readiness: the server is not shutting down, the database takes a write transaction within
 * 2 s, and it has every migration this build ships. Anything else is a 503 problem that says what
 * to do, so a load balancer keeps traffic away until it is fixed, and sends it back when it is.
 */
export async function readinessResponse(
  request: Request,
  open: () => Promise<OpenDatabase<Record<string, unknown>>>,
): Promise<Response> {
  const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  const notReady = (detail: string, extra: Record<string, unknown> = {}) =>
    problemResponse(problem('not-ready', detail, extra), { requestId, headers: { 'retry-after': '2' } });
  if (isShuttingDown()) return notReady('This server is shutting down: it finishes the requests it has and takes no new ones.');

  let database: OpenDatabase<Record<string, unknown>>;
  try {
    database = await withDeadline(open(), PROBE_DEADLINE_MS, 'the connection');
  } catch (error) {
    return notReady(`The database cannot be reached: ${describe(error)}. Check DATABASE_URL and that the database is running.`);
  }
  try {
    const [rows] = await withDeadline(runInOneTransaction(database.db, [{ statement: readOnlyProbe, values: {} }]), PROBE_DEADLINE_MS, 'a write transaction');
    if ((rows as Array<{ read_only: string }>)[0]?.read_only === 'on') {
      return notReady('The database is read-only (a standby, or in recovery): the gate cannot record decisions. Point DATABASE_URL at the primary.');
    }
    const status = await withDeadline(cachedMigrationStatus(database), PROBE_DEADLINE_MS, 'the migration check');
    if (!status.current) {
      return notReady(
        `The database lacks ${status.missing.length} of this build's ${status.expected} migrations (first missing: ${status.missing[0]}). Run "rp migrate" (or restart the server, which migrates at start); if that does not help, DATABASE_URL may name the other target's database (the runtime and the public site need one each).`,
        { migrations: status },
      );
    }
    return Response.json(
      { status: 'ready', database: database.driver, engine: database.engine, migrations: status },
      { headers: { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId } },
    );
  } catch (error) {
    return notReady(`The database did not answer: ${describe(error)}.`);
  }
}

// Once current, the migrations stay current for the life of this process (a newer build is a new
// process): the check then costs nothing on every probe.
const current = new WeakMap<object, MigrationStatus>();
async function cachedMigrationStatus(database: OpenDatabase<Record<string, unknown>>): Promise<MigrationStatus> {
  const known = current.get(database);
  if (known) return known;
  const status = await migrationStatus(database);
  if (status.current) current.set(database, status);
  return status;
}

// Connection errors can carry the URL; only the message's first line, minus credentials, is shown.
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskCredentials(message.split('\n')[0] ?? '').slice(0, 300);
}
