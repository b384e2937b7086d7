import Link from '@/app/_components/link';
import { plural } from '@/lib/text/plural';
import { buttonClass } from './styles';

/**
 * Keyset pages move forward only ("older"); "newest" goes back to the top. The cursor is opaque
 * and the filters ride along in the query.
 */
export function Pager({ basePath, params, next, shown, label, one }: { basePath: string; params: URLSearchParams; next: string | null; shown: number; label: string; one: string }) {
  const first = new URLSearchParams(params);
  first.delete('cursor');
  const older = new URLSearchParams(params);
  if (next) older.set('cursor', next);
  const onFirstPage = !params.get('cursor');
  return (
    <nav aria-label={`${label} pages`} className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600 dark:text-slate-400">
        {shown === 0 ? 'Nothing on this page.' : `Showing ${plural(shown, one, label)}${onFirstPage ? ', newest first' : ''}.`}
      </p>
      <div className="flex gap-2">
        {!onFirstPage && (
          <Link className={buttonClass('secondary')} href={`${basePath}?${first.toString()}`}>
            Newest
          </Link>
        )}
        {next && (
          <Link className={buttonClass('secondary')} href={`${basePath}?${older.toString()}`} rel="next">
            Older <span aria-hidden="true">→</span>
          </Link>
        )}
      </div>
    </nav>
  );
}
