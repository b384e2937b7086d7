/**
 * The passport page's sign-off card: what the policy's approvals rules ask for (counted in
 * lib/console/passport-detail.ts), the release's rejections and approvals with their notes, and
 * the forms to approve, reject (a note is required) or withdraw your own verdict. Notes are text
 * React escapes; the server refuses whatever the page did not offer.
 */
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { Ago } from '@/app/_components/status';
import { Badge, Card, Field, inputClass } from '@/app/_components/ui';
import type { SignOffView } from '@/lib/console/approvals';
import type { PassportView } from '@/lib/console/passport-detail';
import { SIGN_OFF_NOTE_MAX } from '@/lib/domain/primitives';
import { plural } from '@/lib/text/plural';
import { approveAction, reevaluateAction, rejectAction, withdrawApprovalAction, withdrawRejectionAction } from './actions';

type Rule = PassportView['approvalRules'][number];

function RuleStanding({ rule }: { rule: Rule }) {
  return (
    <li>
      <span className="font-mono text-xs">{rule.ruleId}</span>: {rule.have} of {plural(rule.count, 'approval')} from a {rule.role} or above{' '}
      {rule.rejections > 0 ? <Badge tone="red">rejected</Badge> : rule.have >= rule.count ? <Badge tone="green">met</Badge> : <Badge tone="amber">{rule.count - rule.have} to go</Badge>}
      {rule.forbidRequesterApproval && <span className="block text-xs text-slate-600 dark:text-slate-400">The approval of the person who requested the release does not count.</span>}
    </li>
  );
}

function SignOffList({ verdict, items, now }: { verdict: 'rejected' | 'approved'; items: SignOffView[]; now: Date }) {
  if (items.length === 0) return null;
  return (
    <ul aria-label={verdict === 'rejected' ? 'Rejections' : 'Approvals'} className="mb-4 divide-y divide-slate-100 text-sm dark:divide-slate-800">
      {items.map((item) => (
        <li key={item.personId} className="py-2">
          <span className="font-medium">{item.name || item.email}</span> ({item.role}) {verdict === 'rejected' ? <Badge tone="red">rejected</Badge> : 'approved'} <Ago value={item.at} now={now} />
          {item.note && <p className="whitespace-pre-wrap break-words text-slate-600 dark:text-slate-400">{item.note}</p>}
        </li>
      ))}
    </ul>
  );
}

function WithdrawButton({ children }: { children: string }) {
  return (
    <SubmitButton variant="danger" pendingLabel="Withdrawing…">
      {children}
    </SubmitButton>
  );
}

/**
 * Approve and reject, for a person who may sign off; one verdict per person, the latest standing.
 * Each slot is one ActionForm whichever form it shows, so the message of what was just done stays
 * when the form turns into its withdraw button.
 */
function SignOffForms({ view, workspaceSlug, userId }: { view: PassportView; workspaceSlug: string; userId: string }) {
  const approved = view.approvals.some((approval) => approval.personId === userId);
  const rejected = view.rejections.some((rejection) => rejection.personId === userId);
  const refusedAsRequester = view.requestingPerson === userId && view.approvalRules.some((rule) => rule.forbidRequesterApproval);
  return (
    <div className="space-y-4">
      {approved ? (
        <ActionForm action={withdrawApprovalAction.bind(null, workspaceSlug, view.id)}>
          <WithdrawButton>Withdraw my approval</WithdrawButton>
        </ActionForm>
      ) : refusedAsRequester ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">You requested this release; the policy requires someone else to approve it.</p>
      ) : (
        <ActionForm action={approveAction.bind(null, workspaceSlug, view.id)}>
          <Field id="approval-note" label="Note (optional)" hint={`What you checked. Kept with the approval and in the audit log.${rejected ? ' Approving withdraws your rejection.' : ''}`} name="note">
            <textarea id="approval-note" name="note" rows={2} maxLength={SIGN_OFF_NOTE_MAX} aria-describedby="approval-note-hint approval-note-error" className={inputClass} />
          </Field>
          <SubmitButton pendingLabel="Approving…">Approve this release</SubmitButton>
        </ActionForm>
      )}
      <div className="border-t border-slate-100 pt-4 dark:border-slate-800">
        {rejected ? (
          <ActionForm action={withdrawRejectionAction.bind(null, workspaceSlug, view.id)}>
            <WithdrawButton>Withdraw my rejection</WithdrawButton>
          </ActionForm>
        ) : (
          <ActionForm action={rejectAction.bind(null, workspaceSlug, view.id)}>
            <Field id="rejection-note" label="Why you reject it (required)" hint={`A rejection fails the policy's approvals rules until you withdraw it or approve instead.${approved ? ' Rejecting withdraws your approval.' : ''}`} name="note">
              <textarea id="rejection-note" name="note" rows={2} required maxLength={SIGN_OFF_NOTE_MAX} aria-describedby="rejection-note-hint rejection-note-error" className={inputClass} />
            </Field>
            <SubmitButton variant="danger" pendingLabel="Rejecting…">
              Reject this release
            </SubmitButton>
          </ActionForm>
        )}
      </div>
    </div>
  );
}

export function ApprovalsCard({ view, workspaceSlug, canApprove, canEvaluate, userId, now }: { view: PassportView; workspaceSlug: string; canApprove: boolean; canEvaluate: boolean; userId: string; now: Date }) {
  return (
    <Card title="Approvals" description="Approvals and rejections are of the release. Signing off judges the release again with it; so does the next pipeline run.">
      {view.approvalRules.length > 0 ? (
        <ul className="mb-3 space-y-1 text-sm">
          {view.approvalRules.map((rule) => (
            <RuleStanding key={rule.ruleId} rule={rule} />
          ))}
        </ul>
      ) : (
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">The policy asks for no approvals; approving or rejecting still records a sign-off, which does not change the decision.</p>
      )}
      <SignOffList verdict="rejected" items={view.rejections} now={now} />
      <SignOffList verdict="approved" items={view.approvals} now={now} />
      {canApprove ? <SignOffForms view={view} workspaceSlug={workspaceSlug} userId={userId} /> : <p className="text-sm text-slate-600 dark:text-slate-400">Maintainers and admins approve releases.</p>}
      {canEvaluate && (
        <ActionForm action={reevaluateAction.bind(null, workspaceSlug, view.id)} className="mt-4 border-t border-slate-100 pt-4 dark:border-slate-800">
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">Judge this release again now: the same evidence, with today’s approvals, rejections, policy and connector readings. A new passport; this one stays.</p>
          <SubmitButton variant="secondary" pendingLabel="Judging…">
            Judge again
          </SubmitButton>
        </ActionForm>
      )}
    </Card>
  );
}
