import { redirect } from 'next/navigation';
import { signInMethods } from '@/lib/auth/config';
import { currentUser } from '@/lib/auth/guard';
import { safeLocalPath } from '@/lib/auth/refresh';
import { Themed } from '@/app/_components/themed';
import { Alert, buttonClass } from '@/app/_components/ui';
import { signInWithOidc, signInWithPassword, signInWithProxy } from './actions';
import { PasswordForm } from './login-forms';

export const metadata = { title: 'Sign in' };

const ERRORS: Record<string, string> = {
  AccessDenied: 'Your identity provider signed you in, but that account cannot be used here (no verified email, or it is disabled). Ask your administrator.',
  ProxySignin: 'Your organization’s sign-in proxy did not vouch for this request. Sign in another way, or ask your administrator.',
  // lib/auth/oidc-refusal.ts OIDC_REFUSED: the identity provider's answer failed a check, audited with the check's name.
  OidcRefused:
    'Your identity provider’s answer could not be checked (an expired or repeated sign-in, another audience or issuer, or a signature this server cannot verify). Start the sign-in again; if it keeps failing, ask your administrator to check the OIDC settings: the failed check is in the audit log.',
  Configuration: 'The sign-in could not be completed: sign-in is not configured correctly on this server. Try again later; your administrator will find the details in the server log.',
  OAuthCallbackError: 'The identity provider did not complete the sign-in. Try again.',
  CredentialsSignin: 'That did not work. Check what you entered and try again.',
};

export default async function Login({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeLocalPath(typeof params.callbackUrl === 'string' ? params.callbackUrl : null);
  if (await currentUser()) redirect(callbackUrl);
  const methods = signInMethods();
  const error = typeof params.error === 'string' ? (ERRORS[params.error] ?? ERRORS.OAuthCallbackError) : null;
  const external = methods.oidc || methods.proxy;

  return (
    <Themed>
    <main id="main" className="flex min-h-screen items-center justify-center bg-slate-50 px-4 py-12 dark:bg-slate-950">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <p className="text-sm font-semibold uppercase tracking-widest text-brand-600 dark:text-brand-100">Release Passport</p>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight">Sign in</h1>
        </div>
        <div className="space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          {error && <Alert tone="error">{error}</Alert>}
          {methods.oidc && (
            <form action={signInWithOidc}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <button type="submit" className={buttonClass('primary', 'w-full')}>
                Sign in with {methods.oidc.name}
              </button>
            </form>
          )}
          {methods.proxy && (
            <form action={signInWithProxy}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <button type="submit" className={buttonClass(methods.oidc ? 'secondary' : 'primary', 'w-full')}>
                Continue with your organization’s sign-in
              </button>
            </form>
          )}
          {external && methods.local && (
            <div className="flex items-center gap-3 text-xs text-slate-500 dark:text-slate-400" aria-hidden="true">
              <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
              or with a local account
              <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
            </div>
          )}
          {methods.local && <PasswordForm action={signInWithPassword} callbackUrl={callbackUrl} />}
          {!methods.local && !external && <Alert tone="warning">No sign-in method is enabled on this server. See RP_OIDC_ISSUER, RP_AUTH_PROXY_ADDRESSES and RP_LOCAL_ACCOUNTS in the README.</Alert>}
        </div>
        <p className="mt-6 text-center text-xs text-slate-500 dark:text-slate-400">Sessions end after 8 hours. An administrator can sign you out everywhere.</p>
      </div>
    </main>
    </Themed>
  );
}
