/**
 * A retention run for one workspace, in one transaction serialized per workspace (two workers
 * racing run it one after the other, and the second finds nothing left to remove):
 *
 *   passports older than the policy's days, unless under legal hold, with their decisions, and
 *     the releases left with neither (approvals and comments go with them);
 *   evidence older than the policy's days, unless a passport under legal hold judged it; the
 *     stored files are queued in the same transaction and deleted once it has committed;
 *   audit events older than the policy's days: a prefix of the workspace's chain, replaced by a
 *     checkpoint signed with the workspace's key, through the audit log's retention switch;
 *   deployment periods that ended (replaced or gone) longer ago than the policy's days; a period
 *     still open (what runs now) is never removed, however long ago it started.
 *
 * What was removed is itself an audit event. Nothing is removed without a policy.
 */
import type crypto from 'node:crypto';
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, lte, not, notExists, or, sql } from 'drizzle-orm';
import { rowsOf } from '@/db/rows';
import type { RuntimeDb } from '@/db/runtime';
import { auditCheckpoints, auditEvents, deployments, evidence, gateDecisions, passports, pendingBlobDeletions, releases, retentionPolicies } from '@/db/schema/runtime';
import type { AuditActor } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { withAuditRetentionPurge } from '@/lib/audit/retention';
import { activeSigningKey } from '@/lib/passport/signing-keys';
import { signCheckpoint } from './checkpoint';
import type { RetentionCounts } from './policy';

const DAY_MS = 86_400_000;

export interface RetentionRun extends RetentionCounts {
  workspaceId: string;
  /** The checkpoint written when audit events were cut. */
  checkpoint: { id: string; uptoSeq: number } | null;
}

export async function runRetention(db: RuntimeDb, workspace: { id: string; slug?: string }, options: { now: Date; actor: AuditActor }): Promise<RetentionRun | null> {
  const [policy] = await db.select().from(retentionPolicies).where(eq(retentionPolicies.workspaceId, workspace.id));
  if (!policy || (policy.passportsDays === null && policy.evidenceDays === null && policy.auditDays === null && policy.deploymentsDays === null)) return null;
  // The key is loaded (or made) before the transaction: making one is a transaction of its own.
  const signingKey = policy.auditDays !== null ? await activeSigningKey(db, workspace) : null;
  const cutoff = (days: number | null) => (days === null ? null : new Date(options.now.getTime() - days * DAY_MS));

  return db.transaction(async (tx) => {
    // A purge of years of history outlasts the request path's limits (db/faults.ts): its own, here.
    await tx.execute(sql`set local statement_timeout = '15min'`);
    await tx.execute(sql`set local lock_timeout = '5min'`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'rp.retention:' + workspace.id}, 0))`);
    const run: RetentionRun = { workspaceId: workspace.id, passports: 0, decisions: 0, releases: 0, evidence: 0, blobsQueued: 0, auditEvents: 0, deployments: 0, checkpoint: null };

    const passportCutoff = cutoff(policy.passportsDays);
    if (passportCutoff) await purgePassports(tx, workspace.id, passportCutoff, run);
    const evidenceCutoff = cutoff(policy.evidenceDays);
    if (evidenceCutoff) await purgeEvidence(tx, workspace.id, evidenceCutoff, run);
    const auditCutoff = cutoff(policy.auditDays);
    if (auditCutoff && signingKey) await purgeAudit(tx, workspace.id, auditCutoff, signingKey, options, run);
    const deploymentsCutoff = cutoff(policy.deploymentsDays);
    if (deploymentsCutoff) await purgeDeployments(tx, workspace.id, deploymentsCutoff, run);

    const counts: RetentionCounts = {
      passports: run.passports,
      decisions: run.decisions,
      releases: run.releases,
      evidence: run.evidence,
      blobsQueued: run.blobsQueued,
      auditEvents: run.auditEvents,
      deployments: run.deployments,
    };
    if (Object.values(counts).some((count) => count > 0)) {
      await appendAuditEvent(tx, {
        actor: options.actor,
        workspaceId: workspace.id,
        action: 'retention.purge',
        resource: { type: 'retention-policy', id: workspace.id },
        outcome: 'allow',
        details: {
          removed: counts,
          policy: { passportsDays: policy.passportsDays, evidenceDays: policy.evidenceDays, auditDays: policy.auditDays, deploymentsDays: policy.deploymentsDays },
          cutoffs: {
            passports: passportCutoff?.toISOString() ?? null,
            evidence: evidenceCutoff?.toISOString() ?? null,
            audit: auditCutoff?.toISOString() ?? null,
            deployments: deploymentsCutoff?.toISOString() ?? null,
          },
          checkpoint: run.checkpoint,
        },
      });
    }
    await tx.update(retentionPolicies).set({ lastRunAt: options.now, lastRunResult: counts }).where(eq(retentionPolicies.workspaceId, workspace.id));
    return run;
  });
}

async function purgePassports(tx: RuntimeDb, workspaceId: string, before: Date, run: RetentionRun): Promise<void> {
  const removed = await tx
    .delete(passports)
    .where(and(eq(passports.workspaceId, workspaceId), lt(passports.createdAt, before), eq(passports.legalHold, false)))
    .returning({ id: passports.id });
  run.passports = removed.length;
  // Decisions of removed passports, and old decisions that never got one.
  const removedIds = removed.map((row) => row.id);
  const decisions = await tx
    .delete(gateDecisions)
    .where(
      and(
        eq(gateDecisions.workspaceId, workspaceId),
        or(
          removedIds.length ? inArray(gateDecisions.passportId, removedIds) : sql`false`,
          and(isNull(gateDecisions.passportId), lt(gateDecisions.createdAt, before)),
        ),
      ),
    )
    .returning({ id: gateDecisions.id });
  run.decisions = decisions.length;
  // Releases left with no passport and no decision (their approvals go with them).
  const orphaned = await tx
    .delete(releases)
    .where(
      and(
        eq(releases.workspaceId, workspaceId),
        lt(releases.createdAt, before),
        notExists(tx.select({ one: sql`1` }).from(passports).where(eq(passports.releaseId, releases.id))),
        notExists(tx.select({ one: sql`1` }).from(gateDecisions).where(eq(gateDecisions.releaseId, releases.id))),
      ),
    )
    .returning({ id: releases.id });
  run.releases = orphaned.length;
}

async function purgeEvidence(tx: RuntimeDb, workspaceId: string, before: Date, run: RetentionRun): Promise<void> {
  // Evidence a passport under legal hold judged is kept with it.
  const held = await tx.execute<{ sha256: string }>(sql`
    select distinct item->>'sha256' as sha256
    from ${gateDecisions} d
    join ${passports} p on p.id = d.passport_id and p.workspace_id = d.workspace_id
    cross join lateral jsonb_array_elements(coalesce(d.inputs->'evidence', '[]'::jsonb)) item
    where d.workspace_id = ${workspaceId} and p.legal_hold`);
  const heldDigests = rowsOf<{ sha256: string }>(held).map((row) => row.sha256);
  const removed = await tx
    .delete(evidence)
    .where(
      and(
        eq(evidence.workspaceId, workspaceId),
        sql`greatest(${evidence.createdAt}, ${evidence.collectedAt}) < ${before.toISOString()}::timestamptz`,
        heldDigests.length ? not(inArray(evidence.sha256, heldDigests)) : sql`true`,
      ),
    )
    .returning({ storageKey: evidence.storageKey });
  run.evidence = removed.length;
  const keys = [...new Set(removed.map((row) => row.storageKey))];
  if (keys.length === 0) return;
  // A file stays while another row (another kind of the same bytes) still points at it.
  const stillUsed = new Set(
    (await tx.select({ storageKey: evidence.storageKey }).from(evidence).where(and(eq(evidence.workspaceId, workspaceId), inArray(evidence.storageKey, keys)))).map(
      (row) => row.storageKey,
    ),
  );
  const queued = keys.filter((key) => !stillUsed.has(key));
  if (queued.length) {
    await tx
      .insert(pendingBlobDeletions)
      .values(queued.map((storageKey) => ({ storageKey, workspaceId })))
      .onConflictDoNothing();
  }
  run.blobsQueued = queued.length;
}

async function purgeDeployments(tx: RuntimeDb, workspaceId: string, before: Date, run: RetentionRun): Promise<void> {
  // Only periods that ended: an open one (gone_at null) is what runs now, whatever its age.
  const removed = await tx
    .delete(deployments)
    .where(and(eq(deployments.workspaceId, workspaceId), isNotNull(deployments.goneAt), lt(deployments.goneAt, before)))
    .returning({ id: deployments.id });
  run.deployments = removed.length;
}

async function purgeAudit(
  tx: RuntimeDb,
  workspaceId: string,
  before: Date,
  key: { keyId: string; privateKey: crypto.KeyObject },
  options: { now: Date },
  run: RetentionRun,
): Promise<void> {
  const chain = workspaceId;
  // Only a prefix of the chain is ever cut: up to the event before the first one still in the window.
  const [firstKept] = await tx
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .where(and(eq(auditEvents.chain, chain), gte(auditEvents.at, before)))
    .orderBy(asc(auditEvents.seq))
    .limit(1);
  const [last] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(and(eq(auditEvents.chain, chain), firstKept ? lt(auditEvents.seq, firstKept.seq) : sql`true`))
    .orderBy(sql`${auditEvents.seq} desc`)
    .limit(1);
  if (!last) return;
  const [{ count } = { count: 0 }] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(eq(auditEvents.chain, chain), lte(auditEvents.seq, last.seq)));
  const fields = { chain, workspaceId, uptoSeq: last.seq, uptoHash: last.hash, purgedCount: count, createdAt: options.now };
  const signed = signCheckpoint(fields, key);
  await withAuditRetentionPurge(tx, async (purge) => {
    const [checkpoint] = await purge.insert(auditCheckpoints).values({ ...fields, ...signed }).returning({ id: auditCheckpoints.id });
    await purge.delete(auditEvents).where(and(eq(auditEvents.chain, chain), lte(auditEvents.seq, last.seq)));
    run.checkpoint = { id: checkpoint!.id, uptoSeq: last.seq };
    await appendAuditEvent(purge, {
      actor: { type: 'system', label: 'retention' },
      workspaceId,
      action: 'audit.purge',
      resource: { type: 'audit-checkpoint', id: checkpoint!.id },
      outcome: 'allow',
      details: { uptoSeq: last.seq, uptoHash: last.hash, purged: count, before: before.toISOString(), keyId: signed.keyId },
    });
  });
  run.auditEvents = count;
}
