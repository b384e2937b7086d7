import Link from '@/app/_components/link';
import { Ago, Digest, FreshnessBadge, JsonValue } from '@/app/_components/status';
import { Card, Table, Td, Time } from '@/app/_components/ui';
import { formatAge } from '@/lib/console/evidence';
import type { PassportView } from '@/lib/console/passport-detail';
import { formatBytes } from '@/lib/evidence/kinds';
import { plural } from '@/lib/text/plural';

/** What the passport judged: each piece of evidence with its freshness now, the artifacts and connector readings. */
export function EvidenceCard({ view, now }: { view: PassportView; now: Date }) {
  return (
    <Card title="Evidence" description="What was judged, named by the sha256 of the bytes CI sent (what its signatures cover); secrets are removed before storage, and a copy that changed has a digest of its own.">
      {view.evidence.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No evidence was given with this release.</p>
      ) : (
        <Table caption="Evidence" head={['Kind', 'Digest', 'Size', 'Collected', 'Freshness now', 'Summary']}>
          {view.evidence.map((item) => (
            <tr key={`${item.kind}-${item.sha256}`}>
              <Td className="font-medium">{item.kind}</Td>
              <Td>
                <Link className="text-brand-700 hover:underline dark:text-brand-100" href={`/console/${view.workspace.slug}/evidence/${item.sha256}`}>
                  <Digest value={`sha256:${item.sha256}`} />
                  <span className="sr-only"> (open the {item.kind} evidence)</span>
                </Link>
                {item.storedSha256 && (
                  <span className="block text-xs text-slate-500 dark:text-slate-400">
                    stored as <Digest value={`sha256:${item.storedSha256}`} /> after {plural(item.redactions, 'redaction')}
                  </span>
                )}
              </Td>
              <Td className="whitespace-nowrap">{formatBytes(item.size)}</Td>
              <Td className="whitespace-nowrap">
                <Ago value={item.collectedAt} now={now} />
                <span className="block text-xs text-slate-500 dark:text-slate-400">{formatAge(item.atEvaluation.ageHours)} old when judged</span>
              </Td>
              <Td>
                <FreshnessBadge freshness={item.now.freshness} />
                <span className="block text-xs text-slate-500 dark:text-slate-400">
                  limit {formatAge(item.now.maxAgeHours)}
                  {item.now.limitFrom === 'default' ? ' (default)' : ` (rule ${item.now.limitFrom.ruleId})`}
                </span>
              </Td>
              <Td>
                {item.summary}
                {item.redactions > 0 && <span className="block text-xs text-amber-700 dark:text-amber-400">{plural(item.redactions, 'secret')} removed at upload</span>}
                {item.source && <span className="block truncate text-xs text-slate-500 dark:text-slate-400">from {item.source}</span>}
              </Td>
            </tr>
          ))}
        </Table>
      )}
      {view.artifacts.length > 0 && (
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium">Artifacts ({view.artifacts.length})</summary>
          <ul className="mt-2 space-y-1 text-sm">
            {view.artifacts.map((artifact) => (
              <li key={`${artifact.name}-${artifact.sha256}`}>
                {artifact.name} <Digest value={`sha256:${artifact.sha256}`} />
              </li>
            ))}
          </ul>
        </details>
      )}
      {view.connectorReadings.length > 0 && (
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium">Connector readings ({view.connectorReadings.length})</summary>
          <ul className="mt-2 space-y-1 text-sm">
            {view.connectorReadings.map((reading) => (
              <li key={`${reading.connector}-${reading.subject}`}>
                <span className="font-medium">{reading.connector}</span> {reading.subject}: {reading.error ? <span className="text-red-700">{reading.error}</span> : <JsonValue value={reading.value} />} (
                <Time value={reading.observedAt} />)
              </li>
            ))}
          </ul>
        </details>
      )}
    </Card>
  );
}
