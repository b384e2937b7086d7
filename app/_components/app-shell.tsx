/**
 * The signed-in app's frame: header with the workspace switcher, the workspace navigation and the
 * account menu. Console and settings pages render inside it; later work adds its navigation
 * entries to WORKSPACE_NAV.
 */
import Link from '@/app/_components/link';
import type { ReactNode } from 'react';
import type { Verb } from '@/lib/access/verbs';
import type { MembershipRef, WorkspaceRef } from '@/lib/workspaces/store';
import { signOutAction } from '@/app/account/actions';
import { DisclosureMenu } from './disclosure-menu';
import { NavLink } from './nav-link';
import { Themed } from './themed';
import { ThemeToggle } from './theme-toggle';
import { Badge } from './ui';

/** The workspace's sections: shown to members whose role grants `verb` (all members when null). */
export const WORKSPACE_NAV: Array<{ label: string; href: (slug: string) => string; verb: Verb | null; exact?: boolean }> = [
  { label: 'Overview', href: (slug) => `/console/${slug}`, verb: null, exact: true },
  { label: 'Passports', href: (slug) => `/console/${slug}/passports`, verb: 'passport.read' },
  { label: 'Services', href: (slug) => `/console/${slug}/services`, verb: 'passport.read' },
  { label: 'Environments', href: (slug) => `/console/${slug}/environments`, verb: 'passport.read' },
  { label: 'Policies', href: (slug) => `/console/${slug}/policies`, verb: 'policy.read' },
  { label: 'Audit log', href: (slug) => `/console/${slug}/audit`, verb: 'audit.read' },
  { label: 'Reports', href: (slug) => `/console/${slug}/reports`, verb: 'report.export' },
  { label: 'Settings', href: (slug) => `/settings/${slug}`, verb: null },
];

export interface ShellUser {
  email: string;
  name: string;
}

const menuPanel =
  'absolute z-20 mt-2 min-w-56 rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900';
const menuItem = 'block px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 focus-visible:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800';

export function WorkspaceSwitcher({ current, memberships }: { current: WorkspaceRef | null; memberships: MembershipRef[] }) {
  return (
    <DisclosureMenu
      summaryClassName="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium hover:bg-slate-100 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden"
      summary={
        <>
          <span className="sr-only">Workspace: </span>
          {/* A long name is cut short (the menu shows it whole), so it never pushes the header's links. */}
          <span className="max-w-48 truncate" title={current?.name}>
            {current ? current.name : 'Workspaces'}
          </span>
          <span aria-hidden="true" className="text-slate-400">▾</span>
        </>
      }
    >
      <div className={menuPanel}>
        <p className="px-3 pb-1 pt-2 text-xs font-medium text-slate-500 dark:text-slate-400">Your workspaces</p>
        <ul>
          {memberships.map((m) => (
            <li key={m.workspace.id}>
              <Link href={`/console/${m.workspace.slug}`} className={menuItem} aria-current={current?.id === m.workspace.id ? 'true' : undefined}>
                <span className="flex items-center justify-between gap-3">
                  <span>{m.workspace.name}</span>
                  <span className="text-xs text-slate-500 dark:text-slate-400">{m.role}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <div className="mt-1 border-t border-slate-200 pt-1 dark:border-slate-700">
          <Link href="/console" className={menuItem}>
            All workspaces
          </Link>
        </div>
      </div>
    </DisclosureMenu>
  );
}

export function AccountMenu({ user }: { user: ShellUser }) {
  const initials = (user.name || user.email).slice(0, 1).toUpperCase();
  return (
    <DisclosureMenu
      summaryClassName="flex cursor-pointer list-none items-center gap-2 rounded-full p-0.5 hover:bg-slate-100 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden"
      summary={
        <>
          <span className="sr-only">Account menu for {user.email}</span>
          <span aria-hidden="true" className="flex h-8 w-8 items-center justify-center rounded-full bg-brand-600 text-sm font-semibold text-white">
            {initials}
          </span>
        </>
      }
    >
      <div className={`${menuPanel} right-0`}>
        <div className="border-b border-slate-200 px-3 py-2 dark:border-slate-700">
          {user.name && <p className="text-sm font-medium">{user.name}</p>}
          <p className="truncate text-xs text-slate-500 dark:text-slate-400">{user.email}</p>
        </div>
        <Link href="/account" className={menuItem}>
          Your account and sessions
        </Link>
        <ThemeToggle />
        <form action={signOutAction} className="border-t border-slate-200 dark:border-slate-700">
          <button type="submit" className={`${menuItem} w-full text-left`}>
            Sign out
          </button>
        </form>
      </div>
    </DisclosureMenu>
  );
}

function WorkspaceNavLinks({ slug, can }: { slug: string; can?: (verb: Verb) => boolean }) {
  return WORKSPACE_NAV.filter((item) => item.verb === null || can?.(item.verb)).map((item) => (
    <NavLink key={item.label} href={item.href(slug)} exact={item.exact}>
      {item.label}
    </NavLink>
  ));
}

export function AppShell({
  user,
  workspace,
  role,
  memberships,
  can,
  children,
}: {
  user: ShellUser;
  workspace: WorkspaceRef | null;
  role?: string;
  memberships: MembershipRef[];
  can?: (verb: Verb) => boolean;
  children: ReactNode;
}) {
  return (
    <Themed>
    <div className="min-h-screen bg-slate-50 dark:bg-slate-950">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        {/* Wider than the page's content: in one row the header needs about 1,360 px with the longest role and workspace name. */}
        <div className="mx-auto flex h-14 max-w-[96rem] items-center gap-3 px-4 sm:px-6">
          <Link href="/console" className="mr-1 flex items-center gap-2 font-semibold tracking-tight">
            <span aria-hidden="true" className="flex h-7 w-7 items-center justify-center rounded-md bg-brand-600 text-xs font-bold text-white">
              RP
            </span>
            {/* Named for screen readers at every width; shown from the small breakpoint up. */}
            <span className="sr-only whitespace-nowrap sm:not-sr-only">Release Passport</span>
          </Link>
          <span aria-hidden="true" className="text-slate-300 dark:text-slate-700">/</span>
          <WorkspaceSwitcher current={workspace} memberships={memberships} />
          {role && (
            <Badge>
              <span className="sr-only">Your role here: </span>
              {role}
            </Badge>
          )}
          {workspace && (
            // From 1440 px (see the header's width above); below it the links take a row of their own.
            <nav aria-label="Workspace" className="ml-4 hidden items-center gap-1 min-[1440px]:flex">
              <WorkspaceNavLinks slug={workspace.slug} can={can} />
            </nav>
          )}
          <div className="ml-auto">
            <AccountMenu user={user} />
          </div>
        </div>
        {workspace && (
          <nav aria-label="Workspace (small screens)" className="mx-auto flex max-w-[96rem] gap-1 overflow-x-auto border-t border-slate-200 px-4 py-2 min-[1440px]:hidden sm:px-6 dark:border-slate-800">
            <WorkspaceNavLinks slug={workspace.slug} can={can} />
          </nav>
        )}
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
    </Themed>
  );
}
