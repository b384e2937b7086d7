'use server';
/** Account actions: profile, password, sessions. Each re-checks the session against the database. */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { signOut } from '@/lib/auth/config';
import { requireUser } from '@/lib/auth/guard';
import { verifyPassword } from '@/lib/auth/passwords';
import { revokeAllSessions, revokeSession } from '@/lib/auth/sessions';
import { findUserById, setPassword, updateProfile, UserInputError } from '@/lib/auth/users';
import { failed, succeeded } from '@/lib/http/action-state';
import { actionParam, formAction, stateAction } from '@/lib/http/server-action';
import { listMemberships } from '@/lib/workspaces/store';

export const signOutAction = formAction('signOutAction', [], async () => {
  await signOut({ redirectTo: '/login' });
});

export const updateProfileAction = stateAction('updateProfileAction', [actionParam.state, actionParam.form], async (_state, formData) => {
  const { db, user, audit } = await requireUser('/account');
  const name = String(formData.get('name') ?? '').trim();
  if (name.length > 200) return failed('Use at most 200 characters for your name.', { name: 'too long' });
  await updateProfile(db, user.id, { name }, audit);
  revalidatePath('/account');
  return succeeded('Your profile was saved.');
});

/** Who may set a password: people with one (changing it), and people signed in by a one-time link or locally. */
export const setPasswordAction = stateAction('setPasswordAction', [actionParam.state, actionParam.form], async (_state, formData) => {
  const { db, user, session, audit } = await requireUser('/account');
  const record = await findUserById(db, user.id);
  if (!record) return failed('Your account no longer exists.');
  const next = String(formData.get('newPassword') ?? '');
  const confirm = String(formData.get('confirmPassword') ?? '');
  if (record.passwordHash) {
    const current = String(formData.get('currentPassword') ?? '');
    if (!(await verifyPassword(record.passwordHash, current))) return failed('Your current password is not correct.', { currentPassword: 'not correct' });
  } else if (session.method !== 'link' && session.method !== 'local') {
    return failed('You sign in through your organization: a local password is not needed.');
  }
  if (next !== confirm) return failed('The two new passwords differ.', { confirmPassword: 'does not match' });
  try {
    await setPassword(db, user.id, next, audit);
  } catch (error) {
    if (error instanceof UserInputError) return failed(error.message, { newPassword: error.message });
    throw error;
  }
  revalidatePath('/account');
  if (!record.passwordHash) {
    // A first password (after a one-time link): on into the workspace, straight in when there is one.
    const memberships = await listMemberships(db, user.id);
    redirect(memberships.length === 1 ? `/console/${memberships[0]!.workspace.slug}?passwordSet=1` : '/console?passwordSet=1');
  }
  return succeeded('Your password was saved. Use it with your email to sign in from now on.');
});

export const revokeSessionAction = stateAction('revokeSessionAction', [actionParam.state, actionParam.form], async (_state, formData) => {
  const { db, user, session, audit } = await requireUser('/account');
  const id = String(formData.get('sessionId') ?? '');
  if (id === session.id) await signOut({ redirectTo: '/login' });
  const revoked = await revokeSession(db, user.id, id, audit);
  revalidatePath('/account');
  return revoked ? succeeded('That session was signed out.') : failed('That session had already ended.');
});

export const signOutEverywhereAction = formAction('signOutEverywhereAction', [], async () => {
  const { db, user, audit } = await requireUser('/account');
  await revokeAllSessions(db, user.id, audit);
  await signOut({ redirect: false });
  redirect('/login?signedOut=everywhere');
});
