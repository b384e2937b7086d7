import Link from '@/app/_components/link';
import { DecisionBadge, Digest, Fact, ModeBadge, RuleStatusBadge } from '@/app/_components/status';
import { Card, Table, Td, Time } from '@/app/_components/ui';
import type { ComparedSide, EvidenceRef, PassportComparison } from '@/lib/console/passport-compare';
import type { SarifFinding } from '@/lib/evidence/parsers/sarif';
import { plural } from '@/lib/text/plural';

/** One passport's release and decision, the column heads of the comparison. */
export function SideSummary({ label, side, base }: { label: string; side: ComparedSide; base: string }) {
  return (
    <Card
      title={
        <span className="flex flex-wrap items-center gap-2">
          {label}: {side.service} → {side.environment} <DecisionBadge decision={side.decision} blocking={side.blocking} /> <ModeBadge mode={side.mode} />
        </span>
      }
    >
      <dl className="grid gap-3 text-sm sm:grid-cols-2">
        <Fact label="Passport">
          <Link className="text-brand-700 hover:underline dark:text-brand-100" href={`${base}/passports/${side.id}`}>
            <Digest value={side.id} />
            <span className="sr-only"> (open the {label.toLowerCase()} passport)</span>
          </Link>
        </Fact>
        <Fact label="Judged">
          <Time value={side.evaluatedAt} />
        </Fact>
        <Fact label="Image">
          <Digest value={side.imageDigest} />
        </Fact>
        <Fact label="Source">
          <Digest value={side.sourceSha} length={10} />
        </Fact>
        <Fact label="Policy">
          {side.policy.name} v{side.policy.version}
        </Fact>
      </dl>
    </Card>
  );
}

function EvidenceList({ title, items, base }: { title: string; items: EvidenceRef[]; base: string }) {
  return (
    <div>
      <h3 className="text-sm font-medium">{title}</h3>
      {items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
      ) : (
        <ul className="mt-1 space-y-1 text-sm">
          {items.map((item) => (
            <li key={`${item.kind}-${item.sha256}`}>
              <span className="font-medium">{item.kind}</span>{' '}
              <Link className="text-brand-700 hover:underline dark:text-brand-100" href={`${base}/evidence/${item.sha256}`}>
                <Digest value={`sha256:${item.sha256}`} />
                <span className="sr-only"> ({title.toLowerCase()}: open the {item.kind} evidence)</span>
              </Link>{' '}
              <span className="text-xs text-slate-500 dark:text-slate-400">
                collected <Time value={item.collectedAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function EvidenceChanges({ evidence, base }: { evidence: PassportComparison['evidence']; base: string }) {
  return (
    <Card title="Evidence" description={`${plural(evidence.unchanged, 'piece')} of evidence judged by both.`}>
      <div className="grid gap-4 sm:grid-cols-2">
        <EvidenceList title="Only in the later passport" items={evidence.added} base={base} />
        <EvidenceList title="Only in the earlier passport" items={evidence.removed} base={base} />
      </div>
    </Card>
  );
}

export function RuleChanges({ rules, unchanged }: { rules: PassportComparison['rules']; unchanged: number }) {
  return (
    <Card title="Rules" description={`${plural(unchanged, 'rule')} gave the same result both times.`}>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No rule's result changed.</p>
      ) : (
        <Table caption="Rules whose result changed" head={['Rule', 'Earlier', 'Later']}>
          {rules.map((rule) => (
            <tr key={rule.ruleId}>
              <Td className="font-medium">
                {rule.ruleId}
                <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">{rule.type}</span>
              </Td>
              {[rule.before, rule.after].map((result, index) => (
                <Td key={index} className="min-w-48">
                  {result ? (
                    <>
                      <RuleStatusBadge status={result.status} /> <span className="text-sm">{result.message}</span>
                    </>
                  ) : (
                    <span className="text-sm text-slate-500 dark:text-slate-400">not in that policy version</span>
                  )}
                </Td>
              ))}
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function FindingList({ title, findings }: { title: string; findings: SarifFinding[] }) {
  return (
    <div>
      <h3 className="text-sm font-medium">{title}</h3>
      {findings.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
      ) : (
        <ul className="mt-1 space-y-1 text-sm">
          {findings.map((finding, index) => (
            <li key={`${finding.ruleId}-${finding.file ?? ''}-${finding.line ?? ''}-${index}`}>
              <span className="font-medium">{finding.severity}</span> <code className="font-mono text-xs">{finding.ruleId}</code>
              {finding.file && (
                <span className="text-slate-600 dark:text-slate-400">
                  {' '}
                  in {finding.file}
                  {finding.line ? `:${finding.line}` : ''}
                </span>
              )}
              {finding.message && <span className="block text-xs text-slate-600 dark:text-slate-400">{finding.message}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function FindingChanges({ findings }: { findings: PassportComparison['findings'] }) {
  return (
    <Card title="Findings" description="From the SARIF logs each passport judged (the most severe of each log).">
      <div className="grid gap-4 sm:grid-cols-2">
        <FindingList title="New in the later passport" findings={findings.added} />
        <FindingList title="Gone since the earlier passport" findings={findings.removed} />
      </div>
    </Card>
  );
}
