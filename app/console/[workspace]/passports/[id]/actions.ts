'use server';
/** Comments, approvals and rejections on a passport. Each re-checks membership and permission on the server, and is audited. */
import { revalidatePath } from 'next/cache';
import { consoleAction } from '@/lib/console/actions';
import { approveAndJudgeAgain, reevaluateFromConsole, rejectAndJudgeAgain, withdrawReleaseApproval, withdrawReleaseRejection, type SignedOffAndJudged } from '@/lib/console/approvals';
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
    // The approval closes the loop at once: the release is judged again with it (a pipeline waiting
    // with `rp gate --wait-for-approval` sees the new decision), when the approver may evaluate.
    const outcome = await approveAndJudgeAgain(member.db, caller, passportId, String(formData.get('note') ?? ''));
    revalidatePath(pathOf(slug, passportId));
    return succeeded(outcome.created ? signedOff('Approved', 'approval', outcome) : 'You had already approved this release.');
  });
});

export const rejectAction = stateAction('rejectAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, passportId, _state, formData) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    // Judged again at once too, so a pipeline waiting for approval learns it was rejected.
    const outcome = await rejectAndJudgeAgain(member.db, caller, passportId, String(formData.get('note') ?? ''));
    revalidatePath(pathOf(slug, passportId));
    return succeeded(outcome.created ? signedOff('Rejected', 'rejection', outcome) : 'You had already rejected this release; withdraw your rejection to change its note.');
  });
});

export const withdrawApprovalAction = stateAction('withdrawApprovalAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const { withdrawn } = await withdrawReleaseApproval(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(withdrawn ? 'Your approval was withdrawn.' : 'You had not approved this release.');
  });
});

export const withdrawRejectionAction = stateAction('withdrawRejectionAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const { withdrawn } = await withdrawReleaseRejection(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(withdrawn ? 'Your rejection was withdrawn. Judge the release again (or re-run its pipeline) for a new decision.' : 'You had not rejected this release.');
  });
});

export const reevaluateAction = stateAction('reevaluateAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const again = await reevaluateFromConsole(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(`Judged again: ${describe(again)}. The new passport is linked at the top of this page.`);
  });
});

/** What a new sign-off did: the release judged again with it, or why not, or when it will be. */
function signedOff(done: string, what: 'approval' | 'rejection', { again, notJudged }: SignedOffAndJudged): string {
  if (again) return `${done}, and the release was judged again with your ${what}: ${describe(again)}. The new passport is linked at the top of this page.`;
  if (notJudged) return `${done}. The release could not be judged again now (${notJudged}); the next pipeline run counts your ${what}.`;
  return `${done}. The next gate evaluation of this release counts your ${what}: re-run the pipeline step that calls rp gate.`;
}

function describe(outcome: { decision: string; blocking: boolean }): string {
  return outcome.decision === 'deny' ? (outcome.blocking ? 'blocked' : 'denied, not blocked') : outcome.decision === 'warn' ? 'allowed with warnings' : 'allowed';
}
