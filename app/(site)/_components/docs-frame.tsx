import Link from '@/app/_components/link';
import type { DocLink } from '@/lib/site/docs';

/** The navigation is data (lib/site/docs.ts docsSidebar()), read on the server: this module reaches no file. */
export type DocsSidebar = Array<{ section: string; links: DocLink[] }>;

function Sidebar({ sidebar, current }: { sidebar: DocsSidebar; current: string }) {
  return (
    <nav aria-label="Documentation" className="text-sm">
      {sidebar.map(({ section, links }) => (
        <div key={section} className="mb-6">
          <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{section}</h2>
          <ul className="space-y-0.5">
            {links.map((link) => (
              <li key={link.href}>
                <Link
                  href={link.href}
                  aria-current={link.href === current ? 'page' : undefined}
                  className="block rounded-md px-2.5 py-1.5 text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800 aria-[current=page]:bg-brand-50 aria-[current=page]:font-medium aria-[current=page]:text-brand-700 dark:aria-[current=page]:bg-slate-800 dark:aria-[current=page]:text-white"
                >
                  {link.title}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/** The docs layout: sidebar, the page, its table of contents, previous and next. */
export function DocsFrame(props: {
  current: string;
  sidebar: DocsSidebar;
  html?: string;
  children?: React.ReactNode;
  headings: Array<{ id: string; text: string }>;
  previous?: DocLink | null;
  next?: DocLink | null;
}) {
  return (
    <div className="mx-auto grid max-w-6xl gap-10 px-4 py-10 sm:px-6 lg:grid-cols-[14rem_minmax(0,1fr)] xl:grid-cols-[14rem_minmax(0,1fr)_12rem]">
      <aside className="hidden lg:block">
        <div className="sticky top-24">
          <Sidebar sidebar={props.sidebar} current={props.current} />
        </div>
      </aside>
      <main id="main" className="min-w-0">
        <details className="mb-6 rounded-lg border border-slate-200 p-3 lg:hidden dark:border-slate-800">
          <summary className="cursor-pointer text-sm font-medium">Documentation menu</summary>
          <div className="mt-3">
            <Sidebar sidebar={props.sidebar} current={props.current} />
          </div>
        </details>
        {props.html !== undefined ? <article className="prose-doc" dangerouslySetInnerHTML={{ __html: props.html }} /> : <article className="prose-doc">{props.children}</article>}
        {(props.previous || props.next) && (
          <nav aria-label="Previous and next" className="mt-16 flex justify-between gap-4 border-t border-slate-200 pt-6 text-sm dark:border-slate-800">
            {props.previous ? (
              <Link href={props.previous.href} className="font-medium text-brand-700 hover:underline dark:text-brand-100">
                ← {props.previous.title}
              </Link>
            ) : (
              <span />
            )}
            {props.next && (
              <Link href={props.next.href} className="font-medium text-brand-700 hover:underline dark:text-brand-100">
                {props.next.title} →
              </Link>
            )}
          </nav>
        )}
      </main>
      {props.headings.length > 1 && (
        <aside className="hidden xl:block" aria-label="On this page">
          <div className="sticky top-24 text-sm">
            <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">On this page</h2>
            <ul className="space-y-1.5">
              {props.headings.map((heading) => (
                <li key={heading.id}>
                  <a href={`#${heading.id}`} className="text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white">
                    {heading.text}
                    {/* Its name apart from a link elsewhere with the same text (a page in the sidebar). */}
                    <span className="sr-only">, on this page</span>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </aside>
      )}
    </div>
  );
}
