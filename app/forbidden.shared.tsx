import Link from '@/app/_components/link';

/** 403 for a member whose role lacks the permission a page needs (non-members get 404 instead). */
export default function Forbidden() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-xl flex-col items-center justify-center gap-4 px-6 text-center">
      <p className="text-sm font-semibold text-brand-600">403</p>
      <h1 className="text-3xl font-semibold tracking-tight">Your role does not allow this</h1>
      <p className="text-slate-600 dark:text-slate-400">Ask an admin of this workspace for a role that includes it.</p>
      <Link href="/console" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Back to your workspaces
      </Link>
    </main>
  );
}
