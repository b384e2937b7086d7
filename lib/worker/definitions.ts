/**
 * The background work of the runtime (docs/architecture.md): retention, and the freshness of
 * connector readings (with the expiry of gate idempotency keys). Connector polling is not one job but many small claims (worker.ts), so
 * several workers share it.
 */
import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { connectorReadings, connectors, retentionPolicies, workspaces } from '@/db/schema/runtime';
import { deleteExpiredIdempotencyKeys } from '@/lib/gate/idempotency';
import { deletePendingBlobs } from '@/lib/retention/blobs';
import { runRetention } from '@/lib/retention/purge';
import { getBlobStore } from '@/lib/storage';
import type { JobDefinition } from './jobs';
import { settings } from '@/lib/config/settings';

/**
 * How long a claimed job is held without a renewal (RP_WORKER_LEASE_SECONDS, default 30): the
 * running worker renews it every third of that, so a worker that dies (kill -9, a lost node) has
 * its job taken over within one lease, not after the job's whole expected run time.
 */
export function workerLeaseSeconds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return settings(env).worker.leaseSeconds;
}

/** The longest any connector rule accepts a reading (lib/connectors/rules.ts maxAgeSeconds). */
const MAX_READING_AGE_SECONDS = 7 * 86_400;

export const retentionJob: JobDefinition = {
  name: 'retention',
  get intervalSeconds() {
    return settings().worker.retentionIntervalSeconds;
  },
  get leaseSeconds() {
    return workerLeaseSeconds();
  },
  async run({ db, workerId, heartbeat }) {
    const policies = await db
      .select({ id: workspaces.id, slug: workspaces.slug })
      .from(retentionPolicies)
      .innerJoin(workspaces, eq(workspaces.id, retentionPolicies.workspaceId))
      .orderBy(workspaces.slug);
    const totals = { workspaces: 0, passports: 0, decisions: 0, releases: 0, evidence: 0, auditEvents: 0, deployments: 0, blobsDeleted: 0, blobsFailed: 0 };
    for (const workspace of policies) {
      // Each workspace's purge is one transaction under its own advisory lock, so a job taken
      // over mid-way repeats nothing: the next holder starts at a workspace with nothing done.
      if (!(await heartbeat())) break;
      const run = await runRetention(db, workspace, { now: new Date(), actor: { type: 'system', label: `retention (${workerId})` } });
      if (!run) continue;
      totals.workspaces++;
      totals.passports += run.passports;
      totals.decisions += run.decisions;
      totals.releases += run.releases;
      totals.evidence += run.evidence;
      totals.auditEvents += run.auditEvents;
      totals.deployments += run.deployments;
    }
    const sweep = await deletePendingBlobs(db, getBlobStore());
    totals.blobsDeleted = sweep.deleted;
    totals.blobsFailed = sweep.failed;
    return totals;
  },
};

export const freshnessJob: JobDefinition = {
  name: 'freshness',
  get intervalSeconds() {
    return settings().worker.freshnessIntervalSeconds;
  },
  get leaseSeconds() {
    return workerLeaseSeconds();
  },
  async run({ db }) {
    // Readings older than any rule accepts are not kept as a fallback.
    const expired = await db
      .delete(connectorReadings)
      .where(lt(connectorReadings.observedAt, sql`now() - make_interval(secs => ${MAX_READING_AGE_SECONDS})`))
      .returning({ target: connectorReadings.target });
    // A connector with no success for three poll intervals says so in its status, even when no
    // poll failed (disabled targets, a worker that was down).
    const stale = await db
      .update(connectors)
      .set({ lastError: sql`'stale: no successful reading since ' || coalesce(to_char(${connectors.lastSuccessAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'it was configured')`, lastErrorAt: sql`now()` })
      .where(
        and(
          eq(connectors.enabled, true),
          // CI connectors are read at gate time, for a release's commit, not polled.
          ne(connectors.type, 'github-actions'),
          or(
            isNull(connectors.lastSuccessAt),
            lt(connectors.lastSuccessAt, sql`now() - make_interval(secs => 3 * coalesce((${connectors.config}->>'pollIntervalSeconds')::int, 300))`),
          ),
          lt(connectors.createdAt, sql`now() - make_interval(secs => 3 * coalesce((${connectors.config}->>'pollIntervalSeconds')::int, 300))`),
          or(isNull(connectors.lastErrorAt), lt(connectors.lastErrorAt, sql`coalesce(${connectors.lastSuccessAt}, ${connectors.createdAt})`)),
        ),
      )
      .returning({ id: connectors.id });
    // Gate idempotency keys are kept 24 hours (lib/gate/idempotency.ts).
    const expiredKeys = await deleteExpiredIdempotencyKeys(db);
    return { expiredReadings: expired.length, staleConnectors: stale.length, expiredIdempotencyKeys: expiredKeys };
  },
};

export const JOBS: readonly JobDefinition[] = [retentionJob, freshnessJob];
