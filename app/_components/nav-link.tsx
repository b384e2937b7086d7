'use client';
import Link, { useLinkStatus } from '@/app/_components/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { cx } from './styles';

/** A navigation link that marks the current page for sighted and screen-reader users alike. */
export function NavLink({ href, exact = false, children }: { href: string; exact?: boolean; children: ReactNode }) {
  // Null only under the Pages Router (the public site's pages/ makes the types say so); never here.
  const pathname = usePathname() ?? '';
  // A section link is current on its own page and every page below it.
  const active = exact ? pathname === href : pathname === href || pathname.startsWith(href + '/');
  return (
    <Link
      href={href}
      aria-current={active ? 'page' : undefined}
      className={cx(
        'whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium',
        active ? 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-white' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white',
      )}
    >
      {children}
      <PendingMark />
    </Link>
  );
}

/**
 * Console pages render on the server when a link is followed (no prefetch, no skeleton: see
 * app/_components/link.tsx): a dot pulses beside the link followed until its page arrives.
 */
function PendingMark() {
  const { pending } = useLinkStatus();
  return <span aria-hidden="true" className={cx('ml-1.5 size-1.5 rounded-full bg-current align-middle', pending ? 'inline-block animate-pulse' : 'hidden')} />;
}
