'use client';
/**
 * The console's loading and error states, shared by its route segments: a skeleton while a page
 * renders on the server, and an error a person can act on (try again, go back, quote a reference).
 */
import Link from '@/app/_components/link';
import { useParams } from 'next/navigation';
import { buttonClass } from './styles';

export function PageSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="animate-pulse space-y-6">
      <span className="sr-only">{label}</span>
      <div className="h-8 w-64 rounded bg-slate-200 dark:bg-slate-800" />
      <div className="h-4 w-96 max-w-full rounded bg-slate-200 dark:bg-slate-800" />
      <div className="grid gap-4 lg:grid-cols-4">
        {[0, 1, 2, 3].map((index) => (
          <div key={index} className="h-20 rounded-lg bg-slate-200 dark:bg-slate-800" />
        ))}
      </div>
      <div className="h-64 rounded-lg bg-slate-200 dark:bg-slate-800" />
    </div>
  );
}

export function PageError({ error, reset, home }: { error: Error & { digest?: string }; reset: () => void; home: 'console' | 'settings' }) {
  const params = useParams<{ workspace?: string }>();
  const back = params?.workspace ? `/${home}/${params.workspace}` : '/console';
  return (
    <div role="alert" className="mx-auto max-w-xl rounded-lg border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950">
      <h1 className="text-lg font-semibold text-red-900 dark:text-red-100">This page could not be shown</h1>
      <p className="mt-2 text-sm text-red-800 dark:text-red-200">
        Something failed on the server while preparing it; nothing was changed. Try again in a moment. If it keeps failing, the runtime&apos;s logs have the details
        {error.digest ? (
          <>
            {' '}
            under reference <code className="font-mono">{error.digest}</code>
          </>
        ) : null}
        ; the installation status page shows whether the database and storage answer.
      </p>
      <div className="mt-4 flex flex-wrap gap-2">
        <button type="button" onClick={reset} className={buttonClass('primary')}>
          Try again
        </button>
        <Link href={back} className={buttonClass('secondary')}>
          Back to {home === 'settings' ? 'settings' : 'the overview'}
        </Link>
      </div>
    </div>
  );
}
