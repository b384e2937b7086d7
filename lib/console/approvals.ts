/**
 * Signing off a release from its passport: approving or rejecting it, each with a note (required
 * to reject). A sign-off is of the release (lib/gate/approvals: the data access the approvals rule
 * reads), recorded with the person's role at that moment and audited in the same transaction. One
 * verdict per person: approving withdraws your rejection and rejecting withdraws your approval.
 * The passport itself never changes (it is signed): the release is judged again (a new passport)
 * when the person may evaluate it, else at the next gate evaluation.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { RuntimeDb } from '@/db/runtime';
import { users, type Role } from '@/db/schema/runtime';
import { can } from '@/lib/access/can';
import { appendAuditEvent } from '@/lib/audit/log';
import { rejectionNoteSchema, signOffNoteSchema } from '@/lib/domain/primitives';
import { redactText } from '@/lib/evidence/sanitize/patterns';
import { recordApproval, recordRejection, releaseOrigin, SIGN_OFFS, withdrawSignOff, type SignOffKind } from '@/lib/gate/approvals';
import { reevaluateRelease } from '@/lib/gate/reevaluate';
import { approvalsRequired } from '@/lib/gate/rules/process';
import { ProblemError } from '@/lib/http/problem';
import { enqueueNotifications, signOffNotification } from '@/lib/notifications/events';
import { passportScope } from '@/lib/passport/store';
import { resolvePolicy } from '@/lib/policy/store';
import { authorizeConsole, type ConsoleCaller } from './authorize';

/** An approval or a rejection as the console and the exports show it. */
export interface SignOffView {
  releaseId: string;
  personId: string;
  email: string;
  name: string;
  role: Role;
  /** Optional on an approval, required on a rejection. */
  note: string | null;
  passportId: string | null;
  at: Date;
}

/** The approvals or the rejections of these releases, oldest first, with who gave each. */
export async function listSignOffs(db: RuntimeDb, workspaceId: string, kind: SignOffKind, releaseIds: readonly string[]): Promise<SignOffView[]> {
  if (releaseIds.length === 0) return [];
  const { table, person } = SIGN_OFFS[kind];
  return db
    .select({ releaseId: table.releaseId, personId: person, email: users.email, name: users.name, role: table.role, note: table.note, passportId: table.passportId, at: table.createdAt })
    .from(table)
    .innerJoin(users, eq(users.id, person))
    .where(and(eq(table.workspaceId, workspaceId), inArray(table.releaseId, [...releaseIds])))
    .orderBy(asc(table.createdAt));
}

/** The note as stored: checked (length, and required to reject), trimmed, secrets replaced; null when empty. */
function noteOf(schema: z.ZodType<string>, note: string | null): string | null {
  const parsed = schema.safeParse(note ?? '');
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'not a valid note';
    throw new ProblemError('validation-failed', `The note: ${message}.`, { errors: [{ path: 'note', message: `${message[0]!.toUpperCase()}${message.slice(1)}.` }] });
  }
  return parsed.data ? redactText(parsed.data).text : null;
}

type Scope = Awaited<ReturnType<typeof passportScope>>;

/**
 * When the policy that applies to the release forbids it (an approvals rule's
 * forbidRequesterApproval), the person who asked for the release may not approve it: refused and
 * audited, as the rule would not count it anyway.
 */
async function refuseRequesterApproval(db: RuntimeDb, caller: ConsoleCaller, passportId: string, scope: Scope): Promise<void> {
  const origin = await releaseOrigin(db, caller.workspace.id, scope.releaseId);
  if (origin.requestedBy !== caller.actor.userId) return;
  const policy = await resolvePolicy(db, caller.workspace.id, origin);
  const forbidding = policy?.rules.find((rule) => rule.type === approvalsRequired.type && rule.forbidRequesterApproval === true);
  if (!forbidding) return;
  const reason = `the requester of a release may not approve it (approvals rule ${forbidding.id})`;
  await appendAuditEvent(db, { ...caller.audit, workspaceId: caller.workspace.id, action: 'approval.create', resource: { type: 'release', id: scope.releaseId }, outcome: 'deny', reason, details: { passportId, service: scope.service, environment: scope.environment } });
  throw new ProblemError('forbidden', 'You requested this release; the policy requires someone else to approve it.');
}

/** The sign-off's notification (approval.approved / approval.rejected), enqueued in its transaction. */
async function notifySignOff(tx: RuntimeDb, caller: ConsoleCaller, passportId: string, kind: 'approval' | 'rejection', note: string | null): Promise<void> {
  const by = { name: caller.actor.name || caller.actor.email, email: caller.actor.email, role: caller.actor.role };
  await enqueueNotifications(tx, caller.workspace.id, [await signOffNotification(tx, caller.workspace, passportId, { kind, by, note })]);
}

export async function approveRelease(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<{ created: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'approval.write', { action: 'approval.create', resource: { type: 'release', id: scope.releaseId }, ...scope });
  const safeNote = noteOf(signOffNoteSchema, note);
  await refuseRequesterApproval(db, caller, passportId, scope);
  return db.transaction(async (tx) => {
    const result = await recordApproval(tx, caller.workspace.id, { releaseId: scope.releaseId, approverId: caller.actor.userId, role: caller.actor.role, passportId, note: safeNote });
    if (result.created) {
      const rejectionWithdrawn = await withdrawSignOff(tx, caller.workspace.id, 'rejection', scope.releaseId, caller.actor.userId);
      await appendAuditEvent(tx, {
        ...caller.audit,
        workspaceId: caller.workspace.id,
        action: 'approval.create',
        resource: { type: 'release', id: scope.releaseId },
        outcome: 'allow',
        details: { passportId, service: scope.service, environment: scope.environment, role: caller.actor.role, note: safeNote, ...(rejectionWithdrawn ? { rejectionWithdrawn } : {}) },
      });      await notifySignOff(tx, caller, passportId, 'approval', safeNote);
    }
    return { created: result.created };
  });
}

/** Rejects the release with the reason (required); withdraws the rejecter's approval if they had given one. */
export async function rejectRelease(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<{ created: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'approval.write', { action: 'rejection.create', resource: { type: 'release', id: scope.releaseId }, ...scope });
  const safeNote = noteOf(rejectionNoteSchema, note)!;
  return db.transaction(async (tx) => {
    const { created } = await recordRejection(tx, caller.workspace.id, { releaseId: scope.releaseId, rejecterId: caller.actor.userId, role: caller.actor.role, passportId, note: safeNote });
    if (created) {
      const approvalWithdrawn = await withdrawSignOff(tx, caller.workspace.id, 'approval', scope.releaseId, caller.actor.userId);
      await appendAuditEvent(tx, {
        ...caller.audit,
        workspaceId: caller.workspace.id,
        action: 'rejection.create',
        resource: { type: 'release', id: scope.releaseId },
        outcome: 'allow',
        details: { passportId, service: scope.service, environment: scope.environment, role: caller.actor.role, note: safeNote, ...(approvalWithdrawn ? { approvalWithdrawn } : {}) },
      });      await notifySignOff(tx, caller, passportId, 'rejection', safeNote);
    }
    return { created };
  });
}

/** Withdraws the caller's own approval or rejection of the release. */
async function withdrawOwnSignOff(db: RuntimeDb, caller: ConsoleCaller, passportId: string, kind: SignOffKind): Promise<{ withdrawn: boolean }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  const action = `${kind}.withdraw`;
  await authorizeConsole(db, caller, 'approval.write', { action, resource: { type: 'release', id: scope.releaseId }, ...scope });
  return db.transaction(async (tx) => {
    const withdrawn = await withdrawSignOff(tx, caller.workspace.id, kind, scope.releaseId, caller.actor.userId);
    if (withdrawn) {
      await appendAuditEvent(tx, { ...caller.audit, workspaceId: caller.workspace.id, action, resource: { type: 'release', id: scope.releaseId }, outcome: 'allow', details: { passportId, service: scope.service, environment: scope.environment } });
    }
    return { withdrawn };
  });
}

export const withdrawReleaseApproval = (db: RuntimeDb, caller: ConsoleCaller, passportId: string) => withdrawOwnSignOff(db, caller, passportId, 'approval');
export const withdrawReleaseRejection = (db: RuntimeDb, caller: ConsoleCaller, passportId: string) => withdrawOwnSignOff(db, caller, passportId, 'rejection');

export interface Judgement {
  passportId: string;
  decision: string;
  blocking: boolean;
}

async function judgeAgain(db: RuntimeDb, caller: ConsoleCaller, passportId: string, scope: Scope): Promise<Judgement> {
  await authorizeConsole(db, caller, 'gate.evaluate', { action: 'gate.evaluate', resource: { type: 'release', id: scope.releaseId }, ...scope });
  const outcome = await reevaluateRelease(db, caller.workspace, passportId, {
    actorLabel: caller.actor.email,
    audit: caller.audit,
    requestedBy: { type: 'user', label: caller.actor.email },
  });
  return { passportId: outcome.passport.id, decision: outcome.decision, blocking: outcome.blocking };
}

/**
 * Judges the release of a passport again from the console (lib/gate/reevaluate.ts): the person who
 * asks needs gate.evaluate for its service and environment, and is the new passport's requester.
 */
export async function reevaluateFromConsole(db: RuntimeDb, caller: ConsoleCaller, passportId: string): Promise<Judgement> {
  return judgeAgain(db, caller, passportId, await passportScope(db, caller.workspace.id, passportId));
}

export interface SignedOffAndJudged {
  created: boolean;
  /** The new judgement, when the person may evaluate the release and it could be made. */
  again: Judgement | null;
  /** Why the release could not be judged again now (the sign-off stands; the next run counts it). */
  notJudged: string | null;
}

/**
 * After a new sign-off: judge the release again with it when the person may evaluate this
 * release (checked for its service and environment, as the judgement itself checks). A refusal of
 * that judgement (its evidence was since deleted, say) does not undo the sign-off: it is said,
 * and the next pipeline run counts it.
 */
async function thenJudgeAgain(db: RuntimeDb, caller: ConsoleCaller, passportId: string, created: boolean): Promise<SignedOffAndJudged> {
  if (!created) return { created, again: null, notJudged: null };
  const scope = await passportScope(db, caller.workspace.id, passportId);
  if (!can(caller.actor, 'gate.evaluate', { workspaceId: caller.workspace.id, service: scope.service, environment: scope.environment })) return { created, again: null, notJudged: null };
  try {
    return { created, again: await judgeAgain(db, caller, passportId, scope), notJudged: null };
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status >= 500) throw error;
    return { created, again: null, notJudged: error.message };
  }
}

/** What the console's Approve does: record the approval, then judge the release again with it. */
export async function approveAndJudgeAgain(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<SignedOffAndJudged> {
  const { created } = await approveRelease(db, caller, passportId, note);
  return thenJudgeAgain(db, caller, passportId, created);
}

/** What the console's Reject does: record the rejection, then judge the release again (a waiting pipeline learns of it). */
export async function rejectAndJudgeAgain(db: RuntimeDb, caller: ConsoleCaller, passportId: string, note: string | null): Promise<SignedOffAndJudged> {
  const { created } = await rejectRelease(db, caller, passportId, note);
  return thenJudgeAgain(db, caller, passportId, created);
}
