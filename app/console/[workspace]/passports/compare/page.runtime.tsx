import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { notFound } from 'next/navigation';
import { buttonClass, inputClass, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { comparePassports } from '@/lib/console/passport-compare';
import { EvidenceChanges, FindingChanges, RuleChanges, SideSummary } from './sections';

export const metadata: Metadata = { title: 'Compare passports' };

/** Two passports side by side: `?a=<earlier id>&b=<later id>` (any two of the workspace). */
export default async function ComparePassportsPage({ params, searchParams }: { params: Promise<{ workspace: string }>; searchParams: Promise<{ a?: string | string[]; b?: string | string[] }> }) {
  const { workspace: slug } = await params;
  const query = await searchParams;
  const a = typeof query.a === 'string' ? query.a.trim().toLowerCase() : '';
  const b = typeof query.b === 'string' ? query.b.trim().toLowerCase() : '';
  const { db, workspace } = await requireMember(slug, 'passport.read', `/console/${slug}/passports/compare?a=${a}&b=${b}`);
  const base = `/console/${workspace.slug}`;
  const comparison = a && b ? await comparePassports(db, workspace.id, a, b) : null;
  if (a && b && !comparison) notFound();

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <Link className="hover:underline" href={`${base}/passports`}>
          Passports
        </Link>{' '}
        / <span aria-current="page">Compare</span>
      </nav>
      <PageHeader title="Compare passports" description="What changed between two decisions: the release, the policy version, the evidence, each rule's result and the findings." />
      <form method="get" className="mb-6 grid items-end gap-3 sm:grid-cols-[1fr_1fr_auto]">
        <div>
          <label htmlFor="compare-a" className="block text-sm font-medium">
            Earlier passport id
          </label>
          <input id="compare-a" name="a" defaultValue={a} required pattern="[0-9a-fA-F]{64}" className={`mt-1 font-mono ${inputClass}`} />
        </div>
        <div>
          <label htmlFor="compare-b" className="block text-sm font-medium">
            Later passport id
          </label>
          <input id="compare-b" name="b" defaultValue={b} required pattern="[0-9a-fA-F]{64}" className={`mt-1 font-mono ${inputClass}`} />
        </div>
        <button type="submit" className={buttonClass('secondary')}>
          Compare
        </button>
      </form>
      {comparison && (
        <div className="space-y-6">
          <div className="grid gap-6 lg:grid-cols-2">
            <SideSummary label="Earlier" side={comparison.before} base={base} />
            <SideSummary label="Later" side={comparison.after} base={base} />
          </div>
          <RuleChanges rules={comparison.rules} unchanged={comparison.rulesUnchanged} />
          <EvidenceChanges evidence={comparison.evidence} base={base} />
          <FindingChanges findings={comparison.findings} />
        </div>
      )}
    </>
  );
}
