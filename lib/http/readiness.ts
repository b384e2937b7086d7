import { migrationStatus, type OpenDatabase } from '@/db/client';
import { problem, problemResponse } from './problem';
import { resolveRequestId, REQUEST_ID_HEADER } from './request-id';

/**
 * Readiness: the database answers and has every migration this build ships. Anything else is a
 * 503 problem that says what to do, so a load balancer keeps traffic away until it is fixed.
 */
export async function readinessResponse(
  request: Request,
  open: () => Promise<OpenDatabase<Record<string, unknown>>>,
): Promise<Response> {
  const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  let database: OpenDatabase<Record<string, unknown>>;
  try {
    database = await open();
  } catch (error) {
    return problemResponse(
      problem('not-ready', `The database cannot be reached: ${describe(error)}. Check DATABASE_URL and that the database is running.`),
      { requestId },
    );
  }
  try {
    const status = await migrationStatus(database);
    if (!status.current) {
      return problemResponse(
        problem('not-ready', `The database has ${status.applied} of ${status.expected} migrations. Run "rp migrate" (or restart the server, which migrates at start).`, { migrations: status }),
        { requestId },
      );
    }
    return Response.json(
      { status: 'ready', database: database.driver, migrations: status },
      { headers: { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId } },
    );
  } catch (error) {
    return problemResponse(problem('not-ready', `The database did not answer: ${describe(error)}.`), { requestId });
  }
}

// Connection errors can carry the URL; only the message's first line, minus credentials, is shown.
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/\/\/[^@\s/]+@/g, '//***@').slice(0, 300);
}
