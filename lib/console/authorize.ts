/**
 * The console's mutations re-check permission here, on the server, whatever the page showed:
 * can(actor, verb, resource) for the member's role, a refusal recorded in the audit log and
 * raised as a problem the action turns into a message. Data-access functions of lib/console call
 * it first, so no caller can skip it.
 */
import type { RuntimeDb } from '@/db/runtime';
import { authorize, type MemberActor } from '@/lib/access/can';
import type { Verb } from '@/lib/access/verbs';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';

/** A signed-in member acting in their workspace, and how their actions are audited. */
export interface ConsoleCaller {
  actor: MemberActor;
  audit: AuditContext;
  workspace: { id: string; slug: string };
}

export async function authorizeConsole(
  db: RuntimeDb,
  caller: ConsoleCaller,
  verb: Verb,
  attempt: { action: string; resource: { type: string; id?: string | null }; service?: string | null; environment?: string | null },
): Promise<void> {
  const decision = authorize(caller.actor, verb, { workspaceId: caller.workspace.id, service: attempt.service, environment: attempt.environment });
  if (decision.allowed) return;
  await appendAuditEvent(db, {
    ...caller.audit,
    workspaceId: caller.workspace.id,
    action: attempt.action,
    resource: attempt.resource,
    outcome: 'deny',
    reason: decision.reason,
  });
  throw new ProblemError('forbidden', `You are not allowed to do this: ${decision.reason}.`);
}
