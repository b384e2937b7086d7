/** The retention routes' logic: the policy, legal holds, and a run now. */
import { and, count, desc, eq } from 'drizzle-orm';
import { jobs, passports } from '@/db/schema/runtime';
import type { getRetentionEndpoint, legalHoldEndpoint, runRetentionEndpoint, updateRetentionEndpoint } from '@/lib/api/endpoints/retention';
import type { ApiContext } from '@/lib/http/with-api';
import type { RuntimeDb } from '@/db/runtime';
import { getBlobStore } from '@/lib/storage';
import { deletePendingBlobs } from './blobs';
import { getRetentionPolicy, setLegalHold, setRetentionPolicy } from './policy';
import { runRetention } from './purge';
import { passportScope } from '@/lib/passport/store';

/** The policy, its last run and the retention job, as the settings page and the API show them. */
export async function policyView(db: RuntimeDb, workspaceId: string) {
  const policy = await getRetentionPolicy(db, workspaceId);
  const [held] = await db.select({ n: count() }).from(passports).where(and(eq(passports.workspaceId, workspaceId), eq(passports.legalHold, true)));
  const [job] = await db.select().from(jobs).where(eq(jobs.name, 'retention'));
  return {
    passportsDays: policy.passportsDays,
    evidenceDays: policy.evidenceDays,
    auditDays: policy.auditDays,
    deploymentsDays: policy.deploymentsDays,
    version: policy.version,
    updatedBy: policy.updatedBy,
    updatedAt: policy.updatedAt?.toISOString() ?? null,
    lastRunAt: policy.lastRunAt?.toISOString() ?? null,
    // A run recorded before deployment history counted removed none.
    lastRunResult: policy.lastRunResult ? { ...policy.lastRunResult, deployments: policy.lastRunResult.deployments ?? 0 } : null,
    heldPassports: held?.n ?? 0,
    job: job ? { lastFinishedAt: job.lastFinishedAt?.toISOString() ?? null, lastStatus: job.lastStatus, nextRunAt: job.runAfter.toISOString() } : null,
  };
}

export function handleGetRetention(ctx: ApiContext<typeof getRetentionEndpoint>) {
  return policyView(ctx.db, ctx.workspace!.id);
}

export async function handleUpdateRetention(ctx: ApiContext<typeof updateRetentionEndpoint>) {
  const { expectedVersion, ...policy } = ctx.body;
  await setRetentionPolicy(ctx.db, ctx.workspace!.id, policy, ctx.audit, { expectedVersion });
  return policyView(ctx.db, ctx.workspace!.id);
}

export async function handleRunRetention(ctx: ApiContext<typeof runRetentionEndpoint>) {
  const workspace = ctx.workspace!;
  const run = await runRetention(ctx.db, workspace, { now: new Date(), actor: ctx.audit.actor });
  const sweep = await deletePendingBlobs(ctx.db, getBlobStore(), { workspaceId: workspace.id });
  ctx.auditResource({ type: 'retention-policy', id: workspace.id }, { ran: run !== null });
  const empty = { passports: 0, decisions: 0, releases: 0, evidence: 0, blobsQueued: 0, auditEvents: 0, deployments: 0, checkpoint: null };
  const { workspaceId: _workspaceId, ...counts } = run ?? { workspaceId: workspace.id, ...empty };
  return { ...counts, blobsDeleted: sweep.deleted };
}

export async function handleLegalHold(ctx: ApiContext<typeof legalHoldEndpoint>) {
  ctx.authorizeResource(await passportScope(ctx.db, ctx.workspace!.id, ctx.params.id));
  const row = await setLegalHold(ctx.db, ctx.workspace!.id, ctx.params.id, { hold: ctx.body.hold, reason: ctx.body.reason }, ctx.audit);
  return { id: row.id, legalHold: row.legalHold, reason: row.reason, by: row.by, at: row.at?.toISOString() ?? null };
}

/** The passports under legal hold, newest hold first. */
export async function heldPassports(db: RuntimeDb, workspaceId: string) {
  return db
    .select({ id: passports.id, decision: passports.decision, evaluatedAt: passports.evaluatedAt, reason: passports.legalHoldReason, by: passports.legalHoldBy, at: passports.legalHoldAt })
    .from(passports)
    .where(and(eq(passports.workspaceId, workspaceId), eq(passports.legalHold, true)))
    .orderBy(desc(passports.legalHoldAt));
}
