import { Fragment } from 'react';
import Link from '@/app/_components/link';
import { Digest, RuleStatusBadge, ValueInWords } from '@/app/_components/status';
import { Card, Table, Td } from '@/app/_components/ui';
import type { PassportView, ReasonView } from '@/lib/console/passport-detail';
import { formatCount, plural } from '@/lib/text/plural';

const SEVERITY_TEXT: Record<string, string> = {
  critical: 'text-red-800 dark:text-red-300',
  high: 'text-red-700 dark:text-red-300',
  medium: 'text-amber-800 dark:text-amber-300',
  low: 'text-slate-700 dark:text-slate-300',
  none: 'text-slate-700 dark:text-slate-300',
};

/** Each rule's result: what was measured against what the policy asks for, the findings and the evidence behind it. */
export function WhyCard({ view }: { view: PassportView }) {
  const evidencePath = (digest: string) => `/console/${view.workspace.slug}/evidence/${digest}`;
  return (
    <Card title="Why: each rule's result" description="What was measured against what the policy asks for, the findings behind it, and the evidence it judged.">
      <Table caption="Rule results" head={['Rule', 'Result', 'Measured', 'Threshold', 'What it means']}>
        {view.reasons.map((reason) => (
          <Fragment key={reason.ruleId}>
            <tr className={reason.effect === 'deny' ? 'bg-red-50/60 dark:bg-red-950/30' : reason.effect === 'warn' ? 'bg-amber-50/60 dark:bg-amber-950/30' : undefined}>
              <Td>
                <span className="font-mono text-xs font-semibold">{reason.ruleId}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">{reason.type}</span>
                {reason.description && <span className="block text-xs text-slate-600 dark:text-slate-400">{reason.description}</span>}
              </Td>
              <Td>
                <span className="flex flex-col items-start gap-1">
                  <RuleStatusBadge status={reason.status} />
                  {reason.effect !== 'none' && <span className="text-xs text-slate-600 dark:text-slate-400">effect: {reason.effect}</span>}
                </span>
              </Td>
              <Td>
                <ValueInWords value={reason.measured} />
              </Td>
              <Td>
                <ValueInWords value={reason.threshold} />
              </Td>
              <Td className="max-w-sm wrap-anywhere">
                {reason.message}
                {reason.evidence.length > 0 && (
                  <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">
                    Evidence:{' '}
                    {reason.evidence.map((digest) =>
                      reason.openable.includes(digest) ? (
                        <Link key={digest} className="mr-1 text-brand-700 hover:underline dark:text-brand-100" href={evidencePath(digest)}>
                          <Digest value={digest} length={8} />
                          <span className="sr-only"> (open the evidence rule {reason.ruleId} judged)</span>
                        </Link>
                      ) : (
                        <Digest key={digest} value={digest} length={8} />
                      ),
                    )}
                  </span>
                )}
              </Td>
            </tr>
            {(reason.findings.findings.length > 0 || reason.licenses.length > 0 || reason.vex) && (
              <tr>
                <td colSpan={5} className="space-y-3 px-3 pb-3">
                  {reason.vex && <Vex reason={reason} evidencePath={evidencePath} />}
                  {reason.findings.findings.length > 0 && <Findings reason={reason} />}
                  {reason.licenses.length > 0 && <Licenses reason={reason} />}
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </Table>
    </Card>
  );
}

/** What the release's VEX statements did to this rule: each suppression with its justification, each statement not applied with why. */
function Vex({ reason, evidencePath }: { reason: ReasonView; evidencePath: (digest: string) => string }) {
  const { suppressed, notApplied, notAppliedTotal, untrusted = [] } = reason.vex!;
  const document = (digest: string) =>
    reason.openable.includes(digest) ? (
      <Link className="text-brand-700 hover:underline dark:text-brand-100" href={evidencePath(digest)}>
        VEX <Digest value={digest} length={8} />
      </Link>
    ) : (
      <span>
        VEX <Digest value={digest} length={8} />
      </span>
    );
  return (
    <section aria-label={`VEX statements applied to ${reason.ruleId}`} className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <p className="text-xs font-medium text-slate-700 dark:text-slate-300">
        VEX: {plural(suppressed.reduce((sum, item) => sum + item.count, 0), 'finding')} not counted, {plural(notAppliedTotal, 'statement')} not applied
      </p>
      {untrusted.length > 0 && (
        <ul aria-label="VEX documents not applied" className="mt-2 space-y-1">
          {untrusted.map((item) => (
            <li key={item.vex} className="break-words text-xs text-amber-800 dark:text-amber-200">
              {document(item.vex)} not applied: {item.reason}
            </li>
          ))}
        </ul>
      )}
      {suppressed.length > 0 && (
        <ul className="mt-2 space-y-2">
          {suppressed.map((item) => (
            <li key={`${item.evidence}-${item.severity}-${item.vulnerability}`} className="break-words">
              <span className={`mr-2 text-xs font-semibold uppercase ${SEVERITY_TEXT[item.severity] ?? ''}`}>{item.severity}</span>
              <span className="font-mono text-xs">{item.vulnerability}</span>
              {item.count > 1 && <span className="ml-1 text-xs">({plural(item.count, 'finding')})</span>}
              <span className="ml-2">
                {(item.statusAsWritten ?? item.status).replace(/_/g, ' ')}
                {item.justification ? `: ${item.justification.replace(/_/g, ' ')}` : ''}
              </span>
              <span className="block text-xs text-slate-600 dark:text-slate-400">
                in <code className="font-mono">{item.product}</code>; stated in {document(item.vex)}
              </span>
              {item.impact && <span className="block whitespace-pre-line text-xs text-slate-600 dark:text-slate-400">{item.impact}</span>}
            </li>
          ))}
        </ul>
      )}
      {notApplied.length > 0 && (
        <details className="mt-2">
          <summary className="cursor-pointer text-xs font-medium">Statements not applied ({notAppliedTotal})</summary>
          <ul className="mt-2 space-y-1">
            {notApplied.map((item, index) => (
              <li key={`${item.vex}-${item.vulnerability}-${index}`} className="break-words text-xs">
                <span className="font-mono">{item.vulnerability}</span> ({item.status.replace(/_/g, ' ')}
                {item.products.length ? ` for ${item.products.join(', ')}` : ''}): {item.reason}; {document(item.vex)}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Findings({ reason }: { reason: ReasonView }) {
  const { findings, total } = reason.findings;
  return (
    <section aria-label={`Findings behind ${reason.ruleId}`} className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <p className="text-xs font-medium text-slate-700 dark:text-slate-300">
        {findings.length < total ? `The ${findings.length} most severe of ${plural(total, 'finding')} behind this result` : `The ${plural(total, 'finding')} behind this result`}
      </p>
      <ul className="mt-2 space-y-2">
        {findings.map((finding, index) => (
          <li key={`${finding.ruleId}-${finding.file ?? ''}-${finding.line ?? ''}-${index}`} className="break-words">
            <span className={`mr-2 text-xs font-semibold uppercase ${SEVERITY_TEXT[finding.severity]}`}>{finding.severity}</span>
            {finding.helpUri ? (
              <a className="font-mono text-xs text-brand-700 underline dark:text-brand-100" href={finding.helpUri} target="_blank" rel="noreferrer noopener">
                {finding.ruleId}
                <span className="sr-only"> (rule help, opens in a new tab)</span>
              </a>
            ) : (
              <span className="font-mono text-xs">{finding.ruleId}</span>
            )}
            {finding.title && <span className="ml-2">{finding.title}</span>}
            {finding.file && (
              <code className="ml-2 font-mono text-xs text-slate-700 dark:text-slate-300">
                {finding.file}
                {finding.line ? `:${finding.line}` : ''}
              </code>
            )}
            {finding.message && finding.message !== finding.title && <span className="block whitespace-pre-line text-xs text-slate-600 dark:text-slate-400">{finding.message}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Licenses({ reason }: { reason: ReasonView }) {
  return (
    <section aria-label={`Components behind ${reason.ruleId}`} className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <p className="text-xs font-medium text-slate-700 dark:text-slate-300">The components under each denied license</p>
      <ul className="mt-2 space-y-1">
        {reason.licenses.map((entry) => (
          <li key={entry.license} className="break-words">
            <span className="font-mono text-xs font-semibold">{entry.license}</span>
            <span className="ml-2 text-xs text-slate-600 dark:text-slate-400">{plural(entry.count, 'component')}</span>
            {entry.components.length > 0 && (
              <span className="block text-xs">
                {entry.components.map((component) => (component.version ? `${component.name} ${component.version}` : component.name)).join(', ')}
                {entry.count > entry.components.length ? ` and ${formatCount(entry.count - entry.components.length)} more` : ''}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
