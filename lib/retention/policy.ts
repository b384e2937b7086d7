/**
 * A workspace's retention policy and legal holds (docs/security-model.md: "passports, evidence, and reports
 * follow customer-owned retention policy instead of broad indefinite collection"). Changes are
 * audited in the same transaction.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { passports, retentionPolicies } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';
import { retentionPolicySchema, type RetentionPolicyInput } from './schema';

export { retentionPolicySchema, type RetentionPolicyInput } from './schema';

export interface RetentionPolicy extends Required<RetentionPolicyInput> {
  /** Bumped by every change (0: never set); a change from an older version is refused. */
  version: number;
  updatedBy: string | null;
  updatedAt: Date | null;
  lastRunAt: Date | null;
  lastRunResult: RetentionCounts | null;
}

export interface RetentionCounts {
  passports: number;
  decisions: number;
  releases: number;
  evidence: number;
  blobsQueued: number;
  auditEvents: number;
  /** Deployment periods that had ended before the window (runs recorded before deployments counted: absent). */
  deployments: number;
}

const KEEP_ALL: RetentionPolicy = { passportsDays: null, evidenceDays: null, auditDays: null, deploymentsDays: null, version: 0, updatedBy: null, updatedAt: null, lastRunAt: null, lastRunResult: null };

export async function getRetentionPolicy(db: RuntimeDb, workspaceId: string): Promise<RetentionPolicy> {
  const [row] = await db.select().from(retentionPolicies).where(eq(retentionPolicies.workspaceId, workspaceId));
  if (!row) return KEEP_ALL;
  return {
    passportsDays: row.passportsDays,
    evidenceDays: row.evidenceDays,
    auditDays: row.auditDays,
    deploymentsDays: row.deploymentsDays,
    version: row.version,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
    lastRunAt: row.lastRunAt,
    lastRunResult: (row.lastRunResult as RetentionCounts | null) ?? null,
  };
}

/**
 * Sets the policy. With `expectedVersion` (the version the change was made from; 0 for "never
 * set"), a policy changed by someone else meanwhile is refused with 409 and the current version.
 */
export async function setRetentionPolicy(db: RuntimeDb, workspaceId: string, input: unknown, audit: AuditContext, options: { expectedVersion?: number | null } = {}): Promise<RetentionPolicy> {
  const parsed = retentionPolicySchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new ProblemError('validation-failed', `The retention policy is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, { errors });
  }
  // Deployments left out (a client older than that window) keep their current window.
  const { deploymentsDays, ...always } = parsed.data;
  const values = deploymentsDays === undefined ? always : { ...always, deploymentsDays };
  const by = audit.actor.label ?? audit.actor.type;
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(retentionPolicies).where(eq(retentionPolicies.workspaceId, workspaceId)).for('update');
    const current = before?.version ?? 0;
    if (options.expectedVersion != null && options.expectedVersion !== current) {
      const who = before?.updatedBy ? ` by ${before.updatedBy}` : '';
      throw new ProblemError(
        'conflict',
        `The retention policy changed while you were editing: you started from version ${options.expectedVersion}, it is now at version ${current}${who}${before ? ` (${before.updatedAt.toISOString()})` : ''}. Nothing was saved; reload, then make your change again.`,
        { errors: [{ path: 'version', message: `Changed meanwhile: the current version is ${current}${who}.` }], extensions: { currentVersion: current, expectedVersion: options.expectedVersion } },
      );
    }
    await tx
      .insert(retentionPolicies)
      .values({ workspaceId, ...values, updatedBy: by })
      .onConflictDoUpdate({ target: retentionPolicies.workspaceId, set: { ...values, updatedBy: by, updatedAt: sql`now()`, version: sql`${retentionPolicies.version} + 1` } });
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'retention.policy.update',
      resource: { type: 'retention-policy', id: workspaceId },
      outcome: 'allow',
      details: {
        before: before ? { passportsDays: before.passportsDays, evidenceDays: before.evidenceDays, auditDays: before.auditDays, deploymentsDays: before.deploymentsDays } : null,
        after: { ...always, deploymentsDays: deploymentsDays === undefined ? (before?.deploymentsDays ?? null) : deploymentsDays },
      },
    });
  });
  return getRetentionPolicy(db, workspaceId);
}

/** Puts a passport under legal hold (retention never removes it, nor its evidence) or releases it. */
export async function setLegalHold(
  db: RuntimeDb,
  workspaceId: string,
  passportId: string,
  input: { hold: boolean; reason?: string | null },
  audit: AuditContext,
): Promise<{ id: string; legalHold: boolean; reason: string | null; by: string | null; at: Date | null }> {
  const reason = input.reason?.trim() || null;
  if (input.hold && !reason) throw new ProblemError('validation-failed', 'Say why the passport is held (a case or ticket reference).', { errors: [{ path: 'reason', message: 'required' }] });
  const by = audit.actor.label ?? audit.actor.type;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(passports)
      .set(input.hold ? { legalHold: true, legalHoldReason: reason, legalHoldBy: by, legalHoldAt: sql`now()` } : { legalHold: false, legalHoldReason: null, legalHoldBy: null, legalHoldAt: null })
      .where(and(eq(passports.workspaceId, workspaceId), eq(passports.id, passportId)))
      .returning({ id: passports.id, legalHold: passports.legalHold, reason: passports.legalHoldReason, by: passports.legalHoldBy, at: passports.legalHoldAt });
    if (!row) throw new ProblemError('not-found', 'No such passport in this workspace.');
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: input.hold ? 'passport.legal_hold.set' : 'passport.legal_hold.release',
      resource: { type: 'passport', id: passportId },
      outcome: 'allow',
      details: { reason },
    });
    return row;
  });
}
