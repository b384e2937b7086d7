import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { notFound } from 'next/navigation';
import { ActionForm, FieldError, SubmitButton } from '@/app/_components/action-form';
import { ModeBadge } from '@/app/_components/status';
import { Alert, Card, Field, inputClass, PageHeader, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { policyDetail, shadowReport } from '@/lib/console/policies';
import { ruleForms } from '@/lib/gate/rules/form';
import { getLicenseStatus } from '@/lib/license/status';
import { POLICY_MODES } from '@/lib/policy/schema';
import { editRulesAction, switchModeAction } from '@/app/console/[workspace]/policies/actions';
import { RulesEditor } from './rules-editor';
import { plural } from '@/lib/text/plural';

export const metadata: Metadata = { title: 'Policy' };


const MODE_HELP: Record<string, string> = {
  shadow: 'Decisions are recorded, never block, and CI is not told to stop.',
  advisory: 'Denied releases are flagged as warnings; nothing is blocked.',
  enforce: 'A denied release is blocked: rp gate exits non-zero and CI stops.',
};

export default async function PolicyPage({ params }: { params: Promise<{ workspace: string; id: string }> }) {
  const { workspace: slug, id } = await params;
  const { db, workspace, can } = await requireMember(slug, 'policy.read', `/console/${slug}/policies/${id}`);
  const policy = await policyDetail(db, workspace.id, id);
  if (!policy) notFound();
  const canWrite = can('policy.write');
  const [asEnforced, license] = await Promise.all([
    policy.mode === 'enforce' ? Promise.resolve(null) : shadowReport(db, workspace.id, policy.id, { mode: 'enforce', rules: policy.document.rules }),
    getLicenseStatus({ db }),
  ]);
  const productionScope = policy.environment === null ? 'any production environment it covers' : policy.production ? policy.environment : null;
  const base = `/console/${workspace.slug}`;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <Link className="hover:underline" href={`${base}/policies`}>
          Policies
        </Link>{' '}
        / <span aria-current="page">{policy.name}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {policy.name} <ModeBadge mode={policy.mode} />
          </span>
        }
        description={
          <>
            Version {policy.version}, changed <Time value={policy.updatedAt} />. Applies to{' '}
            {policy.service ?? 'every service'} in {policy.environment ?? 'every environment'}. Hash <code className="font-mono text-xs">{policy.hash.slice(0, 16)}…</code>
          </>
        }
        actions={
          <Link className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-100" href={`${base}/audit?resource=${encodeURIComponent(`policy:${policy.id}`)}`}>
            Audit trail of this policy
          </Link>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <Card title="Rules" description="Each rule has an id, a type, its parameters and what a failure does. Edit it as a form or as JSON; either is validated with the same schema the gate uses.">
            <RulesEditor
              action={editRulesAction.bind(null, workspace.slug, policy.id)}
              rules={policy.document.rules.map((rule) => JSON.stringify(rule, null, 2))}
              nextVersion={policy.version + 1}
              forms={ruleForms()}
              canWrite={canWrite}
            />
          </Card>

          <Card title="Version history" description="Every change is a new version; passports name the version that judged them.">
            <ol className="space-y-4">
              {policy.history.map((version) => (
                <li key={version.version} className="border-l-2 border-slate-200 pl-4 dark:border-slate-700">
                  <p className="flex flex-wrap items-center gap-2 text-sm">
                    <span className="font-semibold">v{version.version}</span>
                    <ModeBadge mode={version.mode} />
                    <span className="text-slate-600 dark:text-slate-400">
                      <Time value={version.createdAt} /> by {version.createdBy ?? 'unknown'}
                    </span>
                  </p>
                  {version.reason && <p className="mt-1 text-sm italic text-slate-700 dark:text-slate-300">“{version.reason}”</p>}
                  <ul className="mt-1 space-y-1 text-sm">
                    {version.changes.map((change, index) => (
                      <li key={`${change.text}-${index}`}>
                        <span className={change.kind === 'removed' ? 'text-red-700 dark:text-red-400' : change.kind === 'added' ? 'text-emerald-700 dark:text-emerald-400' : undefined}>
                          {change.kind === 'added' ? '+ ' : change.kind === 'removed' ? '− ' : '~ '}
                          {change.text}
                        </span>
                        {change.details && (
                          <ul className="ml-4 font-mono text-xs">
                            {change.details.map((detail) => (
                              <li key={detail.path}>
                                {detail.path}: <del className="text-red-700 dark:text-red-400">{JSON.stringify(detail.before) ?? 'absent'}</del> →{' '}
                                <ins className="text-emerald-700 no-underline dark:text-emerald-400">{JSON.stringify(detail.after) ?? 'absent'}</ins>
                              </li>
                            ))}
                          </ul>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          </Card>
        </div>

        <div className="space-y-6">
          <Card title="Mode" description="Pipelines start in shadow, move to advisory, then enforce. The reason is kept in the history and the audit log.">
            {asEnforced && (
              <div className="mb-4">
                <Alert tone={asEnforced.wouldDeny > 0 ? 'warning' : 'success'} title="Shadow report: these rules, enforced">
                  {asEnforced.judged === 0
                    ? 'No release has been judged by this policy yet.'
                    : `Of the last ${plural(asEnforced.judged, 'decision')} (${plural(asEnforced.releases, 'release')}) this policy made, enforcing it would have blocked ${asEnforced.wouldDeny} (${plural(asEnforced.releasesDenied, 'release')}).`}
                </Alert>
              </div>
            )}
            {productionScope && !license.production && (
              <div className="mb-4">
                <Alert tone="info" title="Production needs a license to enforce">
                  Without a license with production entitlement, enforce mode is applied as advisory on production environments ({productionScope}).{' '}
                  <Link className="underline" href={`/settings/${workspace.slug}/license`}>
                    License settings
                  </Link>
                </Alert>
              </div>
            )}
            {canWrite ? (
              <ActionForm action={switchModeAction.bind(null, workspace.slug, policy.id)}>
                <fieldset aria-describedby="mode-error">
                  <legend className="text-sm font-medium">Switch to</legend>
                  <div className="mt-2 space-y-2">
                    {POLICY_MODES.map((mode) => (
                      <label key={mode} className="flex items-start gap-2 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-500 dark:border-slate-700">
                        <input type="radio" name="mode" value={mode} defaultChecked={mode === policy.mode} disabled={mode === policy.mode} className="mt-0.5 accent-brand-600" />
                        <span>
                          <span className="font-medium">{mode}</span>
                          {mode === policy.mode && ' (current)'}
                          <span className="block text-xs text-slate-500 dark:text-slate-400">{MODE_HELP[mode]}</span>
                        </span>
                      </label>
                    ))}
                  </div>
                  <FieldError name="mode" id="mode-error" />
                </fieldset>
                <Field id="mode-reason" label="Reason" hint="Why now: what the shadow results showed, who agreed." name="reason">
                  <textarea id="mode-reason" name="reason" rows={2} required minLength={3} maxLength={500} aria-describedby="mode-reason-hint mode-reason-error" className={inputClass} />
                </Field>
                <input type="hidden" name="version" value={policy.version} />
                <FieldError name="version" id="mode-version-error" />
                <SubmitButton pendingLabel="Switching…">Switch mode</SubmitButton>
              </ActionForm>
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">Maintainers and admins change policies.</p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
