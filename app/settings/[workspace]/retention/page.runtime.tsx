import { ActionForm, FieldError, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, describedBy, EmptyState, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { heldPassports, policyView } from '@/lib/retention/handlers';
import { holdPassportAction, releaseHoldAction, runRetentionAction, saveRetentionAction } from './actions';
import { plural } from '@/lib/text/plural';

export const metadata = { title: 'Retention' };

const PARTS = [
  { name: 'passportsDays', label: 'Passports', hint: 'With their decisions and, once no passport is left, their releases. Passports under legal hold are kept.', min: 1 },
  { name: 'evidenceDays', label: 'Evidence', hint: 'Evidence records and their stored files. Evidence a held passport judged is kept.', min: 1 },
  { name: 'auditDays', label: 'Audit events', hint: 'At least 30 days. What is cut is replaced by a checkpoint signed with the workspace key, so the log still verifies.', min: 30 },
  { name: 'deploymentsDays', label: 'Deployment history', hint: 'Periods that ended (replaced or gone) that many days ago. What runs now is always kept.', min: 1 },
] as const;

export default async function Retention({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, 'settings.read', `/settings/${slug}/retention`);
  const [policy, held] = await Promise.all([policyView(member.db, member.workspace.id), heldPassports(member.db, member.workspace.id)]);
  const canWrite = member.can('retention.write');
  const keep = (value: number | null) => (value === null ? 'kept indefinitely' : `${value} days`);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Retention"
        description="How long this workspace keeps passports, evidence, audit events and deployment history: your policy, not indefinite collection. The worker applies it hourly; every run is an audit event."
      />
      <Card title="Policy" description={policy.updatedAt ? `Changed by ${policy.updatedBy}` : 'No policy yet: everything is kept.'}>
        {canWrite ? (
          <ActionForm action={saveRetentionAction.bind(null, slug)}>
            <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
              {PARTS.map((part) => (
                <Field key={part.name} id={`retention-${part.name}`} label={`${part.label} (days)`} name={part.name} hint={part.hint}>
                  <input
                    id={`retention-${part.name}`}
                    name={part.name}
                    type="number"
                    min={part.min}
                    max={36500}
                    defaultValue={policy[part.name] ?? ''}
                    placeholder="keep"
                    aria-describedby={describedBy(`retention-${part.name}`)}
                    className={inputClass}
                  />
                </Field>
              ))}
            </div>
            <p className="text-xs text-slate-500 dark:text-slate-400">Leave a field empty to keep that kind indefinitely.</p>
            <input type="hidden" name="version" value={policy.version} />
            <FieldError name="version" id="retention-version-error" />
            <SubmitButton pendingLabel="Saving…">Save policy</SubmitButton>
          </ActionForm>
        ) : (
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            {PARTS.map((part) => (
              <div key={part.name} className="contents">
                <dt className="text-slate-500 dark:text-slate-400">{part.label}</dt>
                <dd>{keep(policy[part.name])}</dd>
              </div>
            ))}
          </dl>
        )}
      </Card>

      <Card title="Runs">
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Last run</dt>
          <dd>
            <Time value={policy.lastRunAt} fallback="never" />
            {policy.lastRunResult && (
              <span className="block text-xs text-slate-500 dark:text-slate-400">
                removed {plural(policy.lastRunResult.passports, 'passport')}, {plural(policy.lastRunResult.evidence, 'evidence record')}, {plural(policy.lastRunResult.auditEvents, 'audit event')},{' '}
                {plural(policy.lastRunResult.deployments, 'ended deployment period')}
              </span>
            )}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Worker</dt>
          <dd>
            {policy.job ? (
              <>
                {policy.job.lastStatus === 'error' ? <Badge tone="red">last run failed</Badge> : <Badge tone="green">last run ok</Badge>} next run <Time value={policy.job.nextRunAt} />
              </>
            ) : (
              <span className="text-slate-500 dark:text-slate-400">no worker has run yet</span>
            )}
          </dd>
        </dl>
        {canWrite && (
          <div className="mt-4">
            <ActionForm action={runRetentionAction.bind(null, slug)} inline>
              <SubmitButton variant="secondary" pendingLabel="Running…">
                Apply the policy now
              </SubmitButton>
            </ActionForm>
          </div>
        )}
      </Card>

      <Card title="Legal holds" description="A passport under legal hold is never removed by retention, nor is the evidence it judged, until the hold is released.">
        {held.length === 0 ? (
          <EmptyState title="No passport is held" />
        ) : (
          <Table caption="Passports under legal hold" head={['Passport', 'Decision', 'Held', 'Reason', '']}>
            {held.map((passport) => (
              <tr key={passport.id}>
                <Td className="font-mono text-xs">{passport.id.slice(0, 16)}…</Td>
                <Td>{passport.decision}</Td>
                <Td>
                  <Time value={passport.at} />
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{passport.by}</span>
                </Td>
                <Td>{passport.reason}</Td>
                <Td>{canWrite && <RowAction action={releaseHoldAction.bind(null, slug)} name="passportId" value={passport.id} label="Release" target={passport.id} pendingLabel="Releasing…" />}</Td>
              </tr>
            ))}
          </Table>
        )}
        {canWrite && (
          <div className="mt-4">
            <ActionForm action={holdPassportAction.bind(null, slug)} resetOnSuccess>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field id="hold-passport" label="Passport id" name="passportId">
                  <input id="hold-passport" name="passportId" required placeholder="64 hex characters" aria-describedby={describedBy('hold-passport', { hint: false })} className={`${inputClass} font-mono`} />
                </Field>
                <Field id="hold-reason" label="Reason" name="reason" hint="A case or ticket reference; it is recorded in the audit log.">
                  <input id="hold-reason" name="reason" required maxLength={500} aria-describedby={describedBy('hold-reason')} className={inputClass} />
                </Field>
              </div>
              <SubmitButton pendingLabel="Holding…">Hold passport</SubmitButton>
            </ActionForm>
          </div>
        )}
      </Card>
    </div>
  );
}
