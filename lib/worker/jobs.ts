/**
 * The worker's recurring jobs, coordinated through Postgres (the `jobs` table): a due job is
 * claimed with SELECT ... FOR UPDATE SKIP LOCKED and held by a lease its worker extends while it
 * runs, so however many workers (replicas, or the server's embedded one) share a database, a job
 * runs in one of them at a time; a job whose worker died is taken over when its lease runs out.
 * Every time comparison uses the database's clock, never a worker's.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { connectors, jobs } from '@/db/schema/runtime';

export type JobResult = Record<string, unknown>;

export interface JobContext {
  db: RuntimeDb;
  workerId: string;
  /** Extends the lease; false when the job is no longer this worker's (stop at once). */
  heartbeat(): Promise<boolean>;
  /** Aborts when the lease is lost (another worker took the job over): stop at the next safe point. */
  signal: AbortSignal;
}

export interface JobDefinition {
  name: string;
  intervalSeconds: number;
  leaseSeconds: number;
  run(context: JobContext): Promise<JobResult>;
}

/** Makes sure every job has its row; a changed interval or lease takes effect at once. */
export async function ensureJobs(db: RuntimeDb, definitions: readonly JobDefinition[]): Promise<void> {
  for (const job of definitions) {
    await db
      .insert(jobs)
      .values({ name: job.name, intervalSeconds: job.intervalSeconds, leaseSeconds: job.leaseSeconds })
      .onConflictDoUpdate({ target: jobs.name, set: { intervalSeconds: job.intervalSeconds, leaseSeconds: job.leaseSeconds } });
  }
}

/** Claims one due job of `names` for `workerId`; null when none is due or all are taken. */
export async function claimJob(db: RuntimeDb, workerId: string, names: readonly string[]): Promise<string | null> {
  if (names.length === 0) return null;
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ name: jobs.name })
      .from(jobs)
      .where(and(inArray(jobs.name, [...names]), lte(jobs.runAfter, sql`now()`), or(isNull(jobs.lockedUntil), lt(jobs.lockedUntil, sql`now()`))))
      .orderBy(asc(jobs.runAfter))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!due) return null;
    await tx
      .update(jobs)
      .set({
        lockedBy: workerId,
        lockedUntil: sql`now() + make_interval(secs => ${jobs.leaseSeconds})`,
        lastStartedAt: sql`now()`,
        lastWorker: workerId,
        runs: sql`${jobs.runs} + 1`,
      })
      .where(eq(jobs.name, due.name));
    return due.name;
  });
}

export async function extendLease(db: RuntimeDb, name: string, workerId: string): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${jobs.leaseSeconds})` })
    .where(and(eq(jobs.name, name), eq(jobs.lockedBy, workerId)))
    .returning({ name: jobs.name });
  return rows.length > 0;
}

/** Releases the job and schedules its next run, `interval` after this one finished. */
export async function finishJob(db: RuntimeDb, name: string, workerId: string, outcome: { ok: true; result: JobResult } | { ok: false; error: string }): Promise<void> {
  await db
    .update(jobs)
    .set({
      lockedBy: null,
      lockedUntil: null,
      lastFinishedAt: sql`now()`,
      lastStatus: outcome.ok ? 'ok' : 'error',
      lastResult: outcome.ok ? outcome.result : null,
      lastError: outcome.ok ? null : outcome.error.slice(0, 500),
      // A failed run is retried sooner (a minute, or the interval if shorter).
      runAfter: outcome.ok ? sql`now() + make_interval(secs => ${jobs.intervalSeconds})` : sql`now() + make_interval(secs => least(60, ${jobs.intervalSeconds}))`,
    })
    .where(and(eq(jobs.name, name), eq(jobs.lockedBy, workerId)));
}

/** Asks for a job to run at the next pass (the console's "run now"). */
export async function scheduleNow(db: RuntimeDb, name: string): Promise<void> {
  await db.update(jobs).set({ runAfter: sql`now()` }).where(eq(jobs.name, name));
}

export async function jobStatuses(db: RuntimeDb): Promise<Array<typeof jobs.$inferSelect>> {
  return db.select().from(jobs).orderBy(asc(jobs.name));
}

const CONNECTOR_LEASE_SECONDS = 600;

/**
 * Claims the connector due longest for polling: its next poll is pushed a lease ahead, so no other
 * worker takes it meanwhile; the poll's outcome then sets the real next time.
 */
export async function claimDueConnector(db: RuntimeDb): Promise<{ workspaceId: string; id: string } | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ workspaceId: connectors.workspaceId, id: connectors.id })
      .from(connectors)
      .where(and(eq(connectors.enabled, true), lte(connectors.nextPollAt, sql`now()`)))
      .orderBy(asc(connectors.nextPollAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!due) return null;
    await tx
      .update(connectors)
      .set({ nextPollAt: sql`now() + make_interval(secs => ${CONNECTOR_LEASE_SECONDS})` })
      .where(and(eq(connectors.workspaceId, due.workspaceId), eq(connectors.id, due.id)));
    return due;
  });
}
