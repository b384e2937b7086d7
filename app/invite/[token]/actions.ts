'use server';
/** Accepting an invitation, signed in or by creating the invited account. */
import { redirect } from 'next/navigation';
import { signIn, unstable_update } from '@/lib/auth/config';
import { currentUser } from '@/lib/auth/guard';
import { localAccountsEnabled } from '@/lib/auth/settings';
import { createSignInLink } from '@/lib/auth/sign-in-links';
import { createUser, findUserByEmail, UserInputError } from '@/lib/auth/users';
import { clientAddress } from '@/lib/http/client-address';
import { failed } from '@/lib/http/action-state';
import { acceptInvitation, findOpenInvitation } from '@/lib/workspaces/invitations';
import { MembershipError } from '@/lib/workspaces/members';
import { getRuntimeDb } from '@/db/runtime';
import { headers } from 'next/headers';
import { actionParam, stateAction } from '@/lib/http/server-action';

export const acceptAction = stateAction('acceptAction', [actionParam.secret, actionParam.state], async (secret, _state) => {
  const signedIn = await currentUser();
  if (!signedIn) redirect(`/login?callbackUrl=${encodeURIComponent(`/invite/${secret}`)}`);
  let slug: string;
  try {
    slug = (await acceptInvitation(signedIn.db, secret, signedIn.user, signedIn.audit)).workspace.slug;
  } catch (error) {
    if (error instanceof MembershipError) return failed(error.message);
    throw error;
  }
  await unstable_update({}); // the new workspace joins the session's claims
  redirect(`/console/${slug}`);
});

export const acceptWithNewAccountAction = stateAction('acceptWithNewAccountAction', [actionParam.secret, actionParam.state, actionParam.form], async (secret, _state, formData) => {
  if (!localAccountsEnabled()) return failed('Local accounts are turned off here: sign in through your organization, then accept.');
  const db = await getRuntimeDb();
  const invitation = await findOpenInvitation(db, secret);
  if (!invitation) return failed('This invitation is no longer valid.');
  if (await findUserByEmail(db, invitation.email)) return failed(`An account for ${invitation.email} exists already: sign in to accept.`);
  const password = String(formData.get('password') ?? '');
  if (password !== String(formData.get('confirmPassword') ?? '')) return failed('The two passwords differ.', { confirmPassword: 'does not match' });
  const ip = clientAddress(await headers());
  let link: string;
  try {
    link = await db.transaction(async (tx) => {
      const user = await createUser(tx, { email: invitation.email, name: String(formData.get('name') ?? ''), password }, { actor: { type: 'anonymous', label: invitation.email }, ip });
      await acceptInvitation(tx, secret, user, { actor: { type: 'user', id: user.id, label: user.email }, ip });
      return (await createSignInLink(tx, user.id, 60_000)).secret;
    });
  } catch (error) {
    if (error instanceof UserInputError) return failed(error.message, { [error.field]: error.message });
    if (error instanceof MembershipError) return failed(error.message);
    throw error;
  }
  // Signed in through a short-lived one-time link made just for this.
  await signIn('link', { token: link, redirect: false });
  redirect(`/console/${invitation.workspace.slug}`);
});
