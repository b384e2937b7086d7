import Link from '@/app/_components/link';
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { Themed } from '@/app/_components/themed';
import { Alert, Badge, buttonClass, Field, inputClass } from '@/app/_components/ui';
import { getRuntimeDb } from '@/db/runtime';
import { currentUser } from '@/lib/auth/guard';
import { localAccountsEnabled } from '@/lib/auth/settings';
import { findUserByEmail } from '@/lib/auth/users';
import { findOpenInvitation } from '@/lib/workspaces/invitations';
import { acceptAction, acceptWithNewAccountAction } from './actions';
import { PASSWORD_HINT } from '@/lib/auth/passwords';

export const metadata = { title: 'Invitation' };

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <Themed>
    <main id="main" className="flex min-h-screen items-center justify-center bg-slate-50 px-4 py-12 dark:bg-slate-950">
      <div className="w-full max-w-md space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">{children}</div>
    </main>
    </Themed>
  );
}

export default async function Invitation({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const db = await getRuntimeDb();
  const invitation = await findOpenInvitation(db, token);
  if (!invitation) {
    return (
      <Frame>
        <h1 className="text-xl font-semibold">This invitation is no longer valid</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">It was used already, withdrawn, or it expired. Ask the person who invited you for a new one.</p>
        <Link href="/console" className={buttonClass('secondary')}>
          Go to your workspaces
        </Link>
      </Frame>
    );
  }
  const signedIn = await currentUser();
  const accountExists = signedIn ? true : Boolean(await findUserByEmail(db, invitation.email));
  const returnHere = `/login?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`;

  return (
    <Frame>
      <div>
        <p className="text-sm font-semibold uppercase tracking-widest text-brand-600 dark:text-brand-100">Release Passport</p>
        <h1 className="mt-2 text-xl font-semibold">Join {invitation.workspace.name}</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          {invitation.invitedBy ? `${invitation.invitedBy} invited` : 'You are invited:'} <strong>{invitation.email}</strong> as <Badge>{invitation.role}</Badge>
        </p>
      </div>
      {signedIn ? (
        signedIn.user.email === invitation.email ? (
          <ActionForm action={acceptAction.bind(null, token)}>
            <SubmitButton className="w-full" pendingLabel="Joining…">
              Accept and open {invitation.workspace.name}
            </SubmitButton>
          </ActionForm>
        ) : (
          <Alert tone="warning" title="This invitation is for another email">
            You are signed in as {signedIn.user.email}. Sign out and sign in as {invitation.email}, or ask for an invitation to your address.
          </Alert>
        )
      ) : accountExists || !localAccountsEnabled() ? (
        <Link href={returnHere} className={buttonClass('primary', 'w-full')}>
          Sign in to accept
        </Link>
      ) : (
        <>
          <ActionForm action={acceptWithNewAccountAction.bind(null, token)}>
            <Field id="invite-name" label="Your name">
              <input id="invite-name" name="name" autoComplete="name" maxLength={200} className={inputClass} />
            </Field>
            <Field id="invite-password" label="Choose a password" hint={PASSWORD_HINT} name="password">
              <input id="invite-password" name="password" type="password" autoComplete="new-password" minLength={12} required aria-describedby="invite-password-hint invite-password-error" className={inputClass} />
            </Field>
            <Field id="invite-confirm" label="Password, again" name="confirmPassword">
              <input id="invite-confirm" name="confirmPassword" type="password" autoComplete="new-password" minLength={12} required aria-describedby="invite-confirm-error" className={inputClass} />
            </Field>
            <SubmitButton className="w-full" pendingLabel="Creating your account…">
              Create account and join
            </SubmitButton>
          </ActionForm>
          <p className="text-center text-sm text-slate-600 dark:text-slate-400">
            Your organization signs you in?{' '}
            <Link href={returnHere} className="font-medium text-brand-600 underline dark:text-brand-100">
              Sign in first
            </Link>
          </p>
        </>
      )}
    </Frame>
  );
}
