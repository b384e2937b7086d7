'use server';
/** Member management. Each action re-checks the session, the membership and member.manage. */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, succeeded, type ActionState } from '@/lib/http/action-state';
import { createInvitation, revokeInvitation } from '@/lib/workspaces/invitations';
import { changeMemberRole, isRole, MembershipError, removeMember } from '@/lib/workspaces/members';
import { actionParam, stateAction } from '@/lib/http/server-action';
import { accountChangeRefusal, setAccountDisabled } from '@/lib/auth/account-status';
import { issueSignInLink } from '@/lib/auth/sign-in-links';

function page(slug: string) {
  return `/settings/${slug}/members`;
}

function membershipFailure(error: unknown): ActionState {
  if (error instanceof MembershipError) return failed(error.message, error.field ? { [error.field]: error.message } : undefined);
  throw error;
}

export const inviteAction = stateAction('inviteAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, user, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  try {
    const { url, invitation } = await createInvitation(db, workspace.id, { email: String(formData.get('email') ?? ''), role: String(formData.get('role') ?? '') }, user.id, audit);
    revalidatePath(page(slug));
    return succeeded(`Invitation for ${invitation.email} created. Send them this link; it works once, for 7 days.`, { secret: url });
  } catch (error) {
    return membershipFailure(error);
  }
});

export const changeRoleAction = stateAction('changeRoleAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  const role = String(formData.get('role') ?? '');
  if (!isRole(role)) return failed('Choose a role.');
  try {
    await changeMemberRole(db, workspace.id, String(formData.get('userId') ?? ''), role, audit);
  } catch (error) {
    return membershipFailure(error);
  }
  revalidatePath(page(slug));
  return succeeded('Role changed.');
});

export const removeMemberAction = stateAction('removeMemberAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  try {
    await removeMember(db, workspace.id, String(formData.get('userId') ?? ''), audit);
  } catch (error) {
    return membershipFailure(error);
  }
  revalidatePath(page(slug));
  return succeeded('Removed. Their access ended with this change.');
});

export const revokeInvitationAction = stateAction('revokeInvitationAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  const revoked = await revokeInvitation(db, workspace.id, String(formData.get('invitationId') ?? ''), audit);
  revalidatePath(page(slug));
  return revoked ? succeeded('Invitation withdrawn.') : failed('That invitation was already used or withdrawn.');
});

/** Disable or re-enable a member's account (all their sign-ins), when this admin may decide it alone. */
export const setAccountDisabledAction = stateAction('setAccountDisabledAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, user, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  const userId = String(formData.get('userId') ?? '');
  const disabled = formData.get('disabled') === 'true';
  const refusal = /^[0-9a-f-]{36}$/i.test(userId) ? await accountChangeRefusal(db, user.id, userId, workspace.id) : 'This person is not a member of this workspace.';
  if (refusal) return failed(refusal);
  const change = await setAccountDisabled(db, { userId, disabled }, { workspaceId: workspace.id, audit });
  revalidatePath(page(slug));
  if (change === 'unchanged') return failed(disabled ? 'That account was already disabled.' : 'That account was already enabled.');
  return succeeded(disabled ? 'Account disabled: their sessions have ended and they cannot sign in.' : 'Account enabled: they can sign in again.');
});

/**
 * A one-time sign-in link for a member locked out (a lost password, a first sign-in link that did
 * not complete): shown once to the admin, valid an hour, audited. Only for someone this admin may
 * decide for alone, as for disabling an account.
 */
export const signInLinkAction = stateAction('signInLinkAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, user, workspace, audit } = await requireMember(slug, 'member.manage', page(slug));
  const userId = String(formData.get('userId') ?? '');
  const refusal = /^[0-9a-f-]{36}$/i.test(userId) ? await accountChangeRefusal(db, user.id, userId, workspace.id, 'sign-in link') : 'This person is not a member of this workspace.';
  if (refusal) return failed(refusal);
  const link = await issueSignInLink(db, { userId, ttlMs: 3_600_000 }, { workspaceId: workspace.id, audit });
  return succeeded(`One-time sign-in link, valid until ${link.expiresAt.toISOString().slice(11, 16)} UTC. Send it to them: it is not shown again, and it ends their earlier links.`, { secret: link.url });
});
