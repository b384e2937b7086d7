import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { pageServices } from '@/lib/portal/page-services';
import { portalReturnPath, runtimeLoginUrl } from '@/lib/portal/login';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React"): the portal's sign-in
// is a plain form post to app/(site)/login/portal/route.public.ts.
export const config = { unstable_runtimeJS: false };

const ERRORS: Record<string, string> = {
  'portal-account': 'This account cannot be used for the portal: an account with this email exists under another sign-in. Sign in the way you did before, or contact support.',
  'portal-identity': 'Your identity provider did not say who you are. Try again.',
  'portal-unavailable': 'Portal sign-in is not available at the moment. Check the status page, or try again later.',
  form: 'The sign-in form was not sent as this page sends it. Reload the page and try again.',
  AccessDenied: 'Sign-in was refused.',
  Configuration: 'Portal sign-in is not configured correctly. Try again later.',
};

interface Props {
  runtime: string | null;
  handoff: { host: string; href: string } | null;
  callbackUrl: string;
  error: string | null;
  portalAvailable: boolean;
}

const one = (value: string | string[] | undefined): string | null => (typeof value === 'string' ? value : null);

export const getServerSideProps: GetServerSideProps<Props> = async ({ query }) => {
  const runtime = one(query.runtime);
  const url = runtime ? runtimeLoginUrl(runtime) : null;
  return {
    props: {
      runtime,
      handoff: url ? { host: url.host, href: url.href } : null,
      callbackUrl: portalReturnPath(one(query.callbackUrl) ?? undefined),
      error: one(query.error),
      portalAvailable: await pageServices().portalSignInAvailable(),
    },
  };
};

export default function Login({ runtime, handoff, callbackUrl, error, portalAvailable }: Props) {
  return (
    <SitePage title="Sign in" description="Sign in to your own Release Passport runtime, or to the customer portal for your subscription, license and downloads.">
      <main id="main" className="mx-auto max-w-5xl px-4 py-16 sm:px-6">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900 dark:text-white">Sign in</h1>
        {error && (
          <p role="alert" className="mt-6 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
            {ERRORS[error] ?? 'Sign-in did not complete. Try again.'}
          </p>
        )}
        <div className="mt-8 grid gap-8 md:grid-cols-2">
          <section aria-labelledby="runtime" className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
            <h2 id="runtime" className="text-lg font-semibold text-slate-900 dark:text-white">Your Release Passport</h2>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
              The console runs on your own domain: your releases, evidence and passports never pass through this site. Enter its
              address to go to its sign-in page.
            </p>
            <form method="get" action="/login" className="mt-5 space-y-3">
              <label htmlFor="runtime-address" className="block text-sm font-medium text-slate-900 dark:text-white">
                Runtime address
              </label>
              <input
                id="runtime-address"
                name="runtime"
                type="text"
                inputMode="url"
                autoComplete="url"
                placeholder="releases.example.com"
                defaultValue={runtime ?? ''}
                aria-invalid={runtime && !handoff ? true : undefined}
                aria-describedby={runtime && !handoff ? 'runtime-error' : undefined}
                className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-white"
              />
              {runtime && !handoff && (
                <p id="runtime-error" className="text-sm text-red-700 dark:text-red-300">
                  That is not a runtime address. Use its https address, for example releases.example.com.
                </p>
              )}
              <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:text-white dark:hover:bg-slate-900">
                Find my sign-in page
              </button>
            </form>
            {handoff && (
              <div className="mt-5 rounded-md bg-slate-100 p-4 text-sm dark:bg-slate-800">
                <p className="text-slate-700 dark:text-slate-200">You are leaving this site for your own installation at</p>
                <p className="mt-1 font-mono font-semibold break-all text-slate-900 dark:text-white">{handoff.host}</p>
                <a href={handoff.href} rel="noopener noreferrer" className="mt-3 inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
                  Continue to {handoff.host}
                </a>
              </div>
            )}
          </section>
          <section aria-labelledby="portal" className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
            <h2 id="portal" className="text-lg font-semibold text-slate-900 dark:text-white">Customer portal</h2>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
              For buyers: your subscription, license, package downloads and billing.
            </p>
            {portalAvailable ? (
              <form method="post" action="/login/portal" className="mt-5">
                <input type="hidden" name="callbackUrl" value={callbackUrl} />
                <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
                  Sign in to the portal
                </button>
              </form>
            ) : (
              <p className="mt-5 text-sm text-slate-600 dark:text-slate-300">Portal sign-in is not available at the moment. Check the <Link href="/status" className="underline">status page</Link>.</p>
            )}
          </section>
        </div>
      </main>
    </SitePage>
  );
}
