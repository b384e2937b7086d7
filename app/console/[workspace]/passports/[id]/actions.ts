'use server';
/** Comments and approvals on a passport. Each re-checks membership and permission on the server, and is audited. */
import { revalidatePath } from 'next/cache';
import { consoleAction } from '@/lib/console/actions';
import { approveAndJudgeAgain, reevaluateFromConsole, withdrawReleaseApproval } from '@/lib/console/approvals';
import { addComment } from '@/lib/console/comments';
import { succeeded } from '@/lib/http/action-state';
import { actionParam, stateAction } from '@/lib/http/server-action';

const pathOf = (slug: string, passportId: string) => `/console/${slug}/passports/${passportId}`;

export const commentAction = stateAction('commentAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, passportId, _state, formData) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const { redacted } = await addComment(member.db, caller, passportId, String(formData.get('body') ?? ''));
    revalidatePath(pathOf(slug, passportId));
    return succeeded(redacted ? `Comment added. ${redacted} secret-looking value${redacted === 1 ? ' was' : 's were'} replaced before it was stored.` : 'Comment added.');
  });
});

export const approveAction = stateAction('approveAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, passportId, _state, formData) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const note = String(formData.get('note') ?? '');
    // The approval closes the loop at once: the release is judged again with it (a pipeline waiting
    // with `rp gate --wait-for-approval` sees the new decision), when the approver may evaluate.
    const { created, again, notJudged } = await approveAndJudgeAgain(member.db, caller, passportId, note);
    revalidatePath(pathOf(slug, passportId));
    if (!created) return succeeded('You had already approved this release.');
    if (again) return succeeded(`Approved, and the release was judged again with your approval: ${describe(again)}. The new passport is linked at the top of this page.`);
    if (notJudged) return succeeded(`Approved. The release could not be judged again now (${notJudged}); the next pipeline run counts your approval.`);
    return succeeded('Approved. The next gate evaluation of this release counts your approval: re-run the pipeline step that calls rp gate.');
  });
});

export const withdrawApprovalAction = stateAction('withdrawApprovalAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const { withdrawn } = await withdrawReleaseApproval(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(withdrawn ? 'Your approval was withdrawn.' : 'You had not approved this release.');
  });
});

export const reevaluateAction = stateAction('reevaluateAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const again = await reevaluateFromConsole(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(`Judged again: ${describe(again)}. The new passport is linked at the top of this page.`);
  });
});

function describe(outcome: { decision: string; blocking: boolean }): string {
  return outcome.decision === 'deny' ? (outcome.blocking ? 'blocked' : 'denied, not blocked') : outcome.decision === 'warn' ? 'allowed with warnings' : 'allowed';
}
