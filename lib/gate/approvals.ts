/**
 * Sign-offs of a release: approvals and rejections (the console records them; the approvals rule
 * weighs them). Both are of the release (service, environment, source, image, chart), so they
 * carry over to a re-evaluation of the same release; the role is the person's role at the time.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { approvals, rejections, releases, type Role } from '@/db/schema/runtime';
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


export interface RecordRejectionInput {
  releaseId: string;
  rejecterId: string;
  role: Role;
  passportId: string;
  note: string;
}

/** Records one person's rejection of a release (a second one by the same person changes nothing). */
export async function recordRejection(db: RuntimeDb, workspaceId: string, input: RecordRejectionInput): Promise<{ created: boolean }> {
  const [created] = await db
    .insert(rejections)
    .values({ workspaceId, releaseId: input.releaseId, rejecterId: input.rejecterId, role: input.role, passportId: input.passportId, note: input.note })
    .onConflictDoNothing()
    .returning({ id: rejections.id });
  return { created: created !== undefined };
}

/** The two kinds of sign-off: each one's table and the column naming its person. */
export const SIGN_OFFS = {
  approval: { table: approvals, person: approvals.approverId },
  rejection: { table: rejections, person: rejections.rejecterId },
} as const;
export type SignOffKind = keyof typeof SIGN_OFFS;

/** Withdraws one person's approval or rejection of a release. */
export async function withdrawSignOff(db: RuntimeDb, workspaceId: string, kind: SignOffKind, releaseId: string, personId: string): Promise<boolean> {
  const { table, person } = SIGN_OFFS[kind];
  const removed = await db
    .delete(table)
    .where(and(eq(table.workspaceId, workspaceId), eq(table.releaseId, releaseId), eq(person, personId)))
    .returning({ id: table.id });
  return removed.length > 0;
}

/** Who first asked the gate for the release when a person did, and where it goes (for the policy that applies). */
export async function releaseOrigin(db: RuntimeDb, workspaceId: string, releaseId: string): Promise<{ requestedBy: string | null; serviceId: string; environmentId: string }> {
  const [release] = await db
    .select({ requestedBy: releases.requestedBy, serviceId: releases.serviceId, environmentId: releases.environmentId })
    .from(releases)
    .where(and(eq(releases.workspaceId, workspaceId), eq(releases.id, releaseId)));
  if (!release) throw new ProblemError('not-found', 'There is no such release in this workspace.');
  return release;
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
