/**
 * Approving a release from its passport. An approval is of the release (lib/gate/approvals: the
 * data access the required-approvals rule reads), recorded with the approver's role at that
 * moment and audited in the same transaction. The passport itself never changes (it is signed):
 * the release is judged again (a new passport) when the approver may evaluate, else at the next
 * gate evaluation. Also the overview's queue of releases awaiting approval.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { reevaluateRelease } from '@/lib/gate/reevaluate';
import { approvals, users, type Role } from '@/db/schema/runtime';
import { recordApproval, withdrawApproval } from '@/lib/gate/approvals';
import { appendAuditEvent } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';
import { redactText } from '@/lib/evidence/sanitize/patterns';
import { can, type MemberActor } from '@/lib/access/can';
import { roleAtLeast } from '@/lib/domain/primitives';
import { authorizeConsole, type ConsoleCaller } from './authorize';
import type { PairSummary } from './overview';
import { passportScope } from '@/lib/passport/store';

export interface ApprovalView {
  approverId: string;
  email: string;
  name: string;
  role: Role;
  note: string | null;
  passportId: string | null;
  at: Date;
}

export async function listReleaseApprovals(db: RuntimeDb, workspaceId: string, releaseId: string): Promise<ApprovalView[]> {
  return db
    .select({ approverId: approvals.approverId, email: users.email, name: users.name, role: approvals.role, note: approvals.note, passportId: approvals.passportId, at: approvals.createdAt })
    .from(approvals)
    .innerJoin(users, eq(users.id, approvals.approverId))
    .where(and(eq(approvals.workspaceId, workspaceId), eq(approvals.releaseId, releaseId)))
    .orderBy(asc(approvals.createdAt));
}

export async function approveRelease(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<{ created: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'approval.write', { action: 'approval.create', resource: { type: 'release', id: scope.releaseId }, ...scope });
  const trimmed = note?.trim() || null;
  if (trimmed && trimmed.length > 1000) {
    throw new ProblemError('validation-failed', 'An approval note is at most 1000 characters.', { errors: [{ path: 'note', message: 'At most 1000 characters.' }] });
  }
  const safeNote = trimmed ? redactText(trimmed).text : null;
  return db.transaction(async (tx) => {
    const result = await recordApproval(tx, caller.workspace.id, { releaseId: scope.releaseId, approverId: caller.actor.userId, role: caller.actor.role, passportId, note: safeNote });
    if (result.created) {
      await appendAuditEvent(tx, {
        ...caller.audit,
        workspaceId: caller.workspace.id,
        action: 'approval.create',
        resource: { type: 'release', id: scope.releaseId },
        outcome: 'allow',
        details: { passportId, service: scope.service, environment: scope.environment, role: caller.actor.role, note: safeNote },
      });
    }
    return { created: result.created };
  });
}

export async function withdrawReleaseApproval(db: RuntimeDb, caller: ConsoleCaller, passportId: string): Promise<{ withdrawn: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'approval.write', { action: 'approval.withdraw', resource: { type: 'release', id: scope.releaseId }, ...scope });
  return db.transaction(async (tx) => {
    const withdrawn = await withdrawApproval(tx, caller.workspace.id, scope.releaseId, caller.actor.userId);
    if (withdrawn) {
      await appendAuditEvent(tx, {
        ...caller.audit,
        workspaceId: caller.workspace.id,
        action: 'approval.withdraw',
        resource: { type: 'release', id: scope.releaseId },
        outcome: 'allow',
        details: { passportId, service: scope.service, environment: scope.environment },
      });
    }
    return { withdrawn };
  });
}

/**
 * Judges the release of a passport again from the console (lib/gate/reevaluate.ts): the person who
 * asks needs gate.evaluate for its service and environment, and is the passport's requester.
 */
export async function reevaluateFromConsole(db: RuntimeDb, caller: ConsoleCaller, passportId: string): Promise<{ passportId: string; decision: string; blocking: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'gate.evaluate', { action: 'gate.evaluate', resource: { type: 'release', id: scope.releaseId }, ...scope });
  const outcome = await reevaluateRelease(db, caller.workspace, passportId, {
    actorLabel: caller.actor.email,
    audit: caller.audit,
    requestedBy: { type: 'user', label: caller.actor.email },
  });
  return { passportId: outcome.passport.id, decision: outcome.decision, blocking: outcome.blocking };
}

export interface ApprovedAndJudged {
  created: boolean;
  /** The new judgement, when the approver may evaluate and it could be made. */
  again: { passportId: string; decision: string; blocking: boolean } | null;
  /** Why the release could not be judged again now (the approval stands; the next run counts it). */
  notJudged: string | null;
}

/**
 * What the console's Approve does: record the approval, then judge the release again with it when
 * the approver may evaluate. A refusal of that judgement (its evidence was since deleted, say) does
 * not undo the approval: it is said, and the next pipeline run counts the approval.
 */
export async function approveAndJudgeAgain(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<ApprovedAndJudged> {
  const { created } = await approveRelease(db, caller, passportId, note);
  if (!created || !can(caller.actor, 'gate.evaluate', { workspaceId: caller.workspace.id })) return { created, again: null, notJudged: null };
  try {
    return { created, again: await reevaluateFromConsole(db, caller, passportId), notJudged: null };
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status >= 500) throw error;
    return { created, again: null, notJudged: error.message };
  }
}

export interface AwaitingApproval {
  pair: PairSummary;
  /** The viewer may approve it (their role is enough for a rule still short) and has not. */
  awaitingYou: boolean;
  approvedByYou: boolean;
}

/**
 * The releases whose latest passport waits for approvals (an approvals rule failed), for the
 * overview's queue; "awaiting you" when the viewer may approve (approval.write, and a role at least
 * what a short rule asks for) and has not.
 */
export async function awaitingApproval(db: RuntimeDb, workspaceId: string, pairs: PairSummary[], viewer: MemberActor): Promise<AwaitingApproval[]> {
  const waiting = pairs.filter((pair) => pair.approvalsNeeded.length > 0);
  const mayApprove = can(viewer, 'approval.write', { workspaceId });
  return Promise.all(
    waiting.map(async (pair) => {
      const { releaseId } = await passportScope(db, workspaceId, pair.passportId);
      const approvedByYou = (await listReleaseApprovals(db, workspaceId, releaseId)).some((approval) => approval.approverId === viewer.userId);
      const qualifies = pair.approvalsNeeded.some((need) => roleAtLeast(viewer.role, need.role));
      return { pair, approvedByYou, awaitingYou: mayApprove && qualifies && !approvedByYou };
    }),
  );
}
