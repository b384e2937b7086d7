import { Themed } from '@/app/_components/themed';
import { signInWithLink } from '@/app/login/actions';
import { LinkForm } from '@/app/login/login-forms';

export const metadata = { title: 'One-time sign-in' };

export default function SignInLink() {
  return (
    <Themed>
    <main id="main" className="flex min-h-screen items-center justify-center bg-slate-50 px-4 py-12 dark:bg-slate-950">
      <div className="w-full max-w-sm space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <div>
          <p className="text-sm font-semibold uppercase tracking-widest text-brand-600 dark:text-brand-100">Release Passport</p>
          <h1 className="mt-2 text-xl font-semibold tracking-tight">One-time sign-in</h1>
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">This link signs you in once. Afterwards, set a password on your account page or use your organization’s sign-in.</p>
        </div>
        <LinkForm action={signInWithLink} />
      </div>
    </main>
    </Themed>
  );
}
