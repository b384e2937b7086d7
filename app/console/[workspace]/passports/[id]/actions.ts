'use server';
/** Comments and approvals on a passport. Each re-checks membership and permission on the server, and is audited. */
import { revalidatePath } from 'next/cache';
import { consoleAction } from '@/lib/console/actions';
import { approveRelease, withdrawReleaseApproval } from '@/lib/console/approvals';
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
    const { created } = await approveRelease(member.db, caller, passportId, note);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(
      created
        ? 'Approved. The next gate evaluation of this release counts your approval: re-run the pipeline step that calls rp gate.'
        : 'You had already approved this release.',
    );
  });
});

export const withdrawApprovalAction = stateAction('withdrawApprovalAction', [actionParam.workspace, actionParam.id], async (slug, passportId) => {
  return consoleAction(slug, pathOf(slug, passportId), async (member, caller) => {
    const { withdrawn } = await withdrawReleaseApproval(member.db, caller, passportId);
    revalidatePath(pathOf(slug, passportId));
    return succeeded(withdrawn ? 'Your approval was withdrawn.' : 'You had not approved this release.');
  });
});
