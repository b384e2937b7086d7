/**
 * Approvals of a release (the console records them; the approvals rule counts them). An
 * approval is of the release (service, environment, source, image, chart), so it carries over to
 * a re-evaluation of the same release; the role is the approver's role when they approved.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { approvals, releases, type Role } from '@/db/schema/runtime';
import { ProblemError } from '@/lib/http/problem';
import type { ApprovalInput } from './inputs';

export interface RecordApprovalInput {
  releaseId: string;
  approverId: string;
  role: Role;
  passportId?: string | null;
  note?: string | null;
}

/** Records (or refreshes) one person's approval of a release. */
export async function recordApproval(db: RuntimeDb, workspaceId: string, input: RecordApprovalInput): Promise<{ id: string; created: boolean }> {
  const [release] = await db.select({ id: releases.id }).from(releases).where(and(eq(releases.workspaceId, workspaceId), eq(releases.id, input.releaseId)));
  if (!release) throw new ProblemError('not-found', 'There is no such release in this workspace.');
  const [created] = await db
    .insert(approvals)
    .values({ workspaceId, releaseId: input.releaseId, approverId: input.approverId, role: input.role, passportId: input.passportId ?? null, note: input.note ?? null })
    .onConflictDoNothing()
    .returning({ id: approvals.id });
  if (created) return { id: created.id, created: true };
  const [existing] = await db
    .select({ id: approvals.id })
    .from(approvals)
    .where(and(eq(approvals.workspaceId, workspaceId), eq(approvals.releaseId, input.releaseId), eq(approvals.approverId, input.approverId)));
  return { id: existing!.id, created: false };
}

export async function withdrawApproval(db: RuntimeDb, workspaceId: string, releaseId: string, approverId: string): Promise<boolean> {
  const removed = await db
    .delete(approvals)
    .where(and(eq(approvals.workspaceId, workspaceId), eq(approvals.releaseId, releaseId), eq(approvals.approverId, approverId)))
    .returning({ id: approvals.id });
  return removed.length > 0;
}

/** The approvals of a release as the gate judges them. */
export async function approvalsOf(db: RuntimeDb, workspaceId: string, releaseId: string): Promise<ApprovalInput[]> {
  const rows = await db
    .select({ approver: approvals.approverId, role: approvals.role, at: approvals.createdAt })
    .from(approvals)
    .where(and(eq(approvals.workspaceId, workspaceId), eq(approvals.releaseId, releaseId)))
    .orderBy(asc(approvals.createdAt));
  return rows.map((row) => ({ approver: row.approver, role: row.role, at: row.at.toISOString() }));
}

/** How many distinct people approved, counted by role. */
export async function countApprovals(db: RuntimeDb, workspaceId: string, releaseId: string): Promise<Record<Role, number>> {
  const counts: Record<Role, number> = { admin: 0, maintainer: 0, developer: 0, viewer: 0 };
  for (const approval of await approvalsOf(db, workspaceId, releaseId)) counts[approval.role]++;
  return counts;
}
