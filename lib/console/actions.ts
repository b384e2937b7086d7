/**
 * The frame of every console server action: the session and the membership are re-checked
 * against the database (lib/auth/guard, whatever the page showed or the middleware let through),
 * the data-access function re-checks the permission with can() and audits, and a problem it
 * raises becomes the form's message with each field error next to its field.
 */
import { requireMember, type MemberContext } from '@/lib/auth/guard';
import { failed, type ActionState } from '@/lib/http/action-state';
import { ProblemError } from '@/lib/http/problem';
import type { ConsoleCaller } from './authorize';

export function callerOf(member: MemberContext): ConsoleCaller {
  return { actor: member.actor, audit: member.audit, workspace: member.workspace };
}

export async function consoleAction<S extends ActionState>(slug: string, path: string, run: (member: MemberContext, caller: ConsoleCaller) => Promise<S | ActionState>): Promise<S | ActionState> {
  const member = await requireMember(slug, null, path);
  try {
    return await run(member, callerOf(member));
  } catch (error) {
    if (error instanceof ProblemError) {
      const fields = Object.fromEntries((error.errors ?? []).map((item) => [item.path, item.message]));
      return failed(error.message, Object.keys(fields).length ? fields : undefined);
    }
    throw error;
  }
}
