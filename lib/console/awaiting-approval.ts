/**
 * The overview's queue of releases awaiting approval: those whose latest passport failed an
 * approvals rule, and for each whether the viewer may give the sign-off it waits for.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { approvals, passports, rejections, releases } from '@/db/schema/runtime';
import { can, type MemberActor } from '@/lib/access/can';
import { roleAtLeast } from '@/lib/domain/primitives';
import type { PairSummary } from './overview';

export interface AwaitingApproval {
  pair: PairSummary;
  /** The viewer may approve it (their role is enough for a rule still short, and the rule does not refuse them as its requester) and has not signed off. */
  awaitingYou: boolean;
  approvedByYou: boolean;
  rejectedByYou: boolean;
}

/** The viewer's sign-offs of the releases of these passports, and which of them they asked for: one query. */
async function viewerSignOffs(db: RuntimeDb, workspaceId: string, passportIds: string[], userId: string) {
  if (passportIds.length === 0) return new Map<string, { approved: boolean; rejected: boolean; requested: boolean }>();
  const rows = await db
    .select({ passportId: passports.id, requestedBy: releases.requestedBy, approval: approvals.id, rejection: rejections.id })
    .from(passports)
    .innerJoin(releases, and(eq(releases.workspaceId, workspaceId), eq(releases.id, passports.releaseId)))
    // At most one of each per person and release (unique indexes), so one row per passport.
    .leftJoin(approvals, and(eq(approvals.workspaceId, workspaceId), eq(approvals.releaseId, passports.releaseId), eq(approvals.approverId, userId)))
    .leftJoin(rejections, and(eq(rejections.workspaceId, workspaceId), eq(rejections.releaseId, passports.releaseId), eq(rejections.rejecterId, userId)))
    .where(and(eq(passports.workspaceId, workspaceId), inArray(passports.id, passportIds)));
  return new Map(rows.map((row) => [row.passportId, { approved: row.approval !== null, rejected: row.rejection !== null, requested: row.requestedBy === userId }]));
}

/**
 * "Awaiting you" when the viewer may approve (approval.write, a role at least what a short rule
 * asks for, and not its requester when that rule forbids it) and has neither approved nor rejected.
 */
export async function awaitingApproval(db: RuntimeDb, workspaceId: string, pairs: PairSummary[], viewer: MemberActor): Promise<AwaitingApproval[]> {
  const waiting = pairs.filter((pair) => pair.approvalsNeeded.length > 0);
  const mayApprove = can(viewer, 'approval.write', { workspaceId });
  const signOffs = await viewerSignOffs(db, workspaceId, waiting.map((pair) => pair.passportId), viewer.userId);
  return waiting.map((pair) => {
    const mine = signOffs.get(pair.passportId) ?? { approved: false, rejected: false, requested: false };
    const qualifies = pair.approvalsNeeded.some((need) => roleAtLeast(viewer.role, need.role) && !(need.forbidRequesterApproval && mine.requested));
    return { pair, approvedByYou: mine.approved, rejectedByYou: mine.rejected, awaitingYou: mayApprove && qualifies && !mine.approved && !mine.rejected };
  });
}
