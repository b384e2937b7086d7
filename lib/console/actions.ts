/**
 * The console actions' membership step, inside the server-action frame (lib/http/server-action):
 * the session and the membership are re-checked against the database (lib/auth/guard, whatever
 * the page showed or the middleware let through), and the data-access function re-checks the
 * permission with can() and audits. A ProblemError it raises becomes the form's message in the frame.
 */
import { requireMember, type MemberContext } from '@/lib/auth/guard';
import type { ActionState } from '@/lib/http/action-state';
import type { ConsoleCaller } from './authorize';

export function callerOf(member: MemberContext): ConsoleCaller {
  return { actor: member.actor, audit: member.audit, workspace: member.workspace };
}

export async function consoleAction<S extends ActionState>(slug: string, path: string, run: (member: MemberContext, caller: ConsoleCaller) => Promise<S | ActionState>): Promise<S | ActionState> {
  const member = await requireMember(slug, null, path);
  return run(member, callerOf(member));
}
