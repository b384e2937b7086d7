import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { notFound } from 'next/navigation';
import { Fact } from '@/app/_components/status';
import { Alert, Card, PageHeader, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { evidenceForViewing, VIEWER_MAX_BYTES } from '@/lib/console/evidence-viewer';
import type { RedactionReport } from '@/lib/evidence/sanitize/report';
import { formatBytes } from '@/lib/evidence/kinds';
import { plural } from '@/lib/text/plural';

export const metadata: Metadata = { title: 'Evidence' };

export default async function EvidencePage({ params }: { params: Promise<{ workspace: string; sha256: string }> }) {
  const { workspace: slug, sha256 } = await params;
  const { db, workspace } = await requireMember(slug, 'evidence.read', `/console/${slug}/evidence/${sha256}`);
  const found = await evidenceForViewing(db, workspace.id, sha256);
  if (!found) notFound();
  const { record, text, truncated } = found;
  const redactions = record.redactions as RedactionReport;
  const sanitized = record.sha256 !== record.storedSha256;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <Link className="hover:underline" href={`/console/${workspace.slug}/passports`}>
          Passports
        </Link>{' '}
        / <span aria-current="page">evidence {record.sha256.slice(0, 12)}…</span>
      </nav>
      <PageHeader title={`${record.kind} evidence`} description="The stored copy: what the gate judged, with secrets removed at upload. Values the sanitizer removed are not kept anywhere." />
      <div className="space-y-6">
        <Card title="Record">
          <dl className="grid gap-4 sm:grid-cols-2">
            <Fact label="Identity: digest as CI sent it (what its signatures cover)">
              <code className="break-all font-mono text-xs">sha256:{record.sha256}</code>
            </Fact>
            <Fact label="Digest as stored">
              <code className="break-all font-mono text-xs">sha256:{record.storedSha256}</code>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{sanitized ? 'differs: secrets were removed before storage' : 'the same: nothing was removed'}</span>
            </Fact>
            <Fact label="Media type and size">
              {record.mediaType}, {formatBytes(record.size)}
            </Fact>
            <Fact label="Collected">
              <Time value={record.collectedAt} />
              {record.source ? ` from ${record.source}` : ''}
              {record.createdBy ? `, uploaded by ${record.createdBy}` : ''}
            </Fact>
          </dl>
        </Card>

        <Card title="Removed at upload" description="Kinds and locations of what the sanitizer replaced, never the values.">
          {redactions.count === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">Nothing: no secret was found in this file.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {redactions.items.map((item) => (
                <li key={`${item.kind}-${item.location}`}>
                  <span className="font-medium">{item.kind}</span> at <code className="break-all font-mono text-xs">{item.location}</code>
                </li>
              ))}
              {redactions.truncated && <li className="text-slate-600 dark:text-slate-400">…and more: {plural(redactions.count, 'secret')} in all.</li>}
            </ul>
          )}
        </Card>

        <Card title="Content (sanitized)">
          {text === null ? (
            <Alert tone="error" title="The stored file is missing">
              The record exists but its file is not in the blob store (removed by retention, or the store was changed). The passport still names its digest.
            </Alert>
          ) : (
            <>
              {truncated && <p className="mb-2 text-sm text-amber-800 dark:text-amber-300">The first {formatBytes(VIEWER_MAX_BYTES)} of {formatBytes(record.size)} are shown.</p>}
              <pre tabIndex={0} aria-label="Evidence content" className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-900 dark:bg-slate-900 dark:text-slate-100">
                {text}
              </pre>
            </>
          )}
        </Card>

        <Card title="Summary the gate judged">
          <pre tabIndex={0} aria-label="Evidence summary" className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-900 dark:bg-slate-900 dark:text-slate-100">
            {JSON.stringify(record.summary, null, 2)}
          </pre>
        </Card>
      </div>
    </>
  );
}
