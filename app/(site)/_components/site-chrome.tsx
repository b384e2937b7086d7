import Link from '@/app/_components/link';
import { DisclosureMenu } from '@/app/_components/disclosure-menu';
import { ThemeToggle } from './theme';
import { ScriptedThemeToggle } from './theme-parts';

export const NAV = [
  { href: '/pricing', label: 'Pricing' },
  { href: '/docs', label: 'Docs' },
  { href: '/download', label: 'Download' },
  { href: '/security', label: 'Security' },
  { href: '/trust', label: 'Trust' },
  { href: '/changelog', label: 'Changelog' },
] as const;

function Logo() {
  return (
    <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-slate-900 dark:text-white">
      <svg aria-hidden="true" viewBox="0 0 32 32" className="h-7 w-7">
        <rect width="32" height="32" rx="7" className="fill-brand-600" />
        <path d="M9 8h9.5a5.5 5.5 0 0 1 0 11H13v5H9V8Zm4 4v3h5.3a1.5 1.5 0 0 0 0-3H13Z" fill="white" />
        <path d="m19 21 2.2 2.2L25 19.4" stroke="white" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      Release Passport
    </Link>
  );
}

const MENU_SUMMARY_CLASS = 'inline-flex h-9 cursor-pointer list-none items-center rounded-md border border-slate-300 px-3 text-sm font-medium dark:border-slate-700 [&::-webkit-details-marker]:hidden';

function MenuLinks() {
  return (
    <nav aria-label="Main" className="absolute right-0 mt-2 w-56 rounded-lg border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-800 dark:bg-slate-900">
      <ul className="text-sm">
        {[...NAV, { href: '/login', label: 'Sign in' }].map((item) => (
          <li key={item.href}>
            <Link href={item.href} className="block rounded-md px-3 py-2 hover:bg-slate-100 dark:hover:bg-slate-800">
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The site's header. Its theme switch and small-screen menu come in two versions: React's on the
 * pages that ship React anyway (sign-in, portal), and `scripted` ones on the pages sent without
 * React (pages/, wired up by site-script.ts).
 */
export function SiteHeader({ scripted = false }: { scripted?: boolean }) {
  return (
    <header className="sticky top-0 z-40 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <Logo />
        {/* From 1024 px: at 768 the links, the theme switch and "Sign in" need more than the width (Sign in was cut off). */}
        <nav aria-label="Main" className="hidden lg:block">
          <ul className="flex items-center gap-1 text-sm font-medium">
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} className="rounded-md px-3 py-2 text-slate-700 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="flex items-center gap-2">
          {scripted ? <ScriptedThemeToggle /> : <ThemeToggle />}
          <Link href="/login" className="hidden rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700 sm:inline-block">
            Sign in
          </Link>
          {scripted ? (
            <details data-menu className="relative lg:hidden">
              <summary className={MENU_SUMMARY_CLASS}>Menu</summary>
              <MenuLinks />
            </details>
          ) : (
            <DisclosureMenu summary="Menu" summaryClassName={MENU_SUMMARY_CLASS} className="relative lg:hidden">
              <MenuLinks />
            </DisclosureMenu>
          )}
        </div>
      </div>
    </header>
  );
}

const FOOTER = [
  { title: 'Product', links: [['/', 'Product overview'], ['/pricing', 'Pricing'], ['/download', 'Download'], ['/changelog', 'Changelog']] },
  { title: 'Developers', links: [['/docs', 'Documentation'], ['/docs/quick-start', 'Quick start'], ['/docs/api', 'API reference'], ['/openapi.json', 'OpenAPI document']] },
  { title: 'Security', links: [['/security', 'Security controls'], ['/trust', 'Trust'], ['/docs/security', 'Security guide'], ['/status', 'Status']] },
  { title: 'Account', links: [['/login', 'Sign in'], ['/portal', 'Customer portal']] },
] as const;

export function SiteFooter() {
  return (
    <footer className="mt-24 border-t border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/40">
      <div className="mx-auto grid max-w-6xl gap-8 px-4 py-12 sm:px-6 md:grid-cols-5">
        <div className="md:col-span-1">
          <Logo />
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Self-hosted release readiness by Arconath.</p>
        </div>
        {FOOTER.map((column) => (
          <nav key={column.title} aria-label={column.title}>
            <h2 className="text-sm font-semibold text-slate-900 dark:text-white">{column.title}</h2>
            <ul className="mt-3 space-y-2 text-sm">
              {column.links.map(([href, label]) => (
                <li key={href}>
                  <Link href={href} className="text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white">
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ))}
      </div>
    </footer>
  );
}
