'use server';
/** Sign-in server actions of the runtime's login pages: each hands over to next-auth. */
import { redirect } from 'next/navigation';
import { signIn } from '@/lib/auth/config';
import { safeLocalPath } from '@/lib/auth/refresh';
import { signInFailureOf } from '@/lib/auth/sign-in-failure';
import { failed, type ActionState } from '@/lib/http/action-state';
import { actionParam, formAction, stateAction } from '@/lib/http/server-action';

const SIGN_IN_FAILURES = {
  'rate-limited': 'Too many attempts. Wait a few minutes, then try again.',
  'wrong-credentials': 'That email and password do not match an account here.',
  refused: 'Sign-in failed. Try again, or ask your administrator.',
} as const;

function signInError(error: unknown): ActionState {
  const failure = signInFailureOf(error);
  if (!failure) throw error;
  return failed(SIGN_IN_FAILURES[failure]);
}

export const signInWithPassword = stateAction('signInWithPassword', [actionParam.state, actionParam.form], async (_state, formData) => {
  const target = safeLocalPath(String(formData.get('callbackUrl') ?? ''));
  try {
    await signIn('local', { email: String(formData.get('email') ?? ''), password: String(formData.get('password') ?? ''), redirect: false });
  } catch (error) {
    return signInError(error);
  }
  redirect(target);
});

export const signInWithLink = stateAction('signInWithLink', [actionParam.state, actionParam.form], async (_state, formData) => {
  try {
    await signIn('link', { token: String(formData.get('token') ?? ''), redirect: false });
  } catch (error) {
    if (signInFailureOf(error) === 'wrong-credentials') return failed(
        'This sign-in link does not work any more: it was used already or has expired. For a new one: an administrator of your workspace makes one from Settings → Members; on the server, run "rp admin sign-in-link <your email>"; or, for the first admin before a password is set, restart the server (each start prints a fresh link).',
      );
    return signInError(error);
  }
  redirect('/account?welcome=1');
});

export const signInWithOidc = formAction('signInWithOidc', [actionParam.form], async (formData) => {
  await signIn('oidc', { redirectTo: safeLocalPath(String(formData.get('callbackUrl') ?? '')) });
});

export const signInWithProxy = formAction('signInWithProxy', [actionParam.form], async (formData) => {
  const target = safeLocalPath(String(formData.get('callbackUrl') ?? ''));
  try {
    await signIn('proxy', { redirect: false });
  } catch (error) {
    if (signInFailureOf(error)) redirect(`/login?error=ProxySignin&callbackUrl=${encodeURIComponent(target)}`);
    throw error;
  }
  redirect(target);
});
