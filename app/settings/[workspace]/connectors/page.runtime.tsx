import { ActionForm, FieldError, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, EmptyState, inputClass, PageHeader, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { SCOPE_EXAMPLES } from '@/lib/connectors/form';
import { connectorViews, type ConnectorView } from '@/lib/connectors/handlers';
import { CONNECTOR_KINDS } from '@/lib/connectors/kinds';
import { environmentChoices } from '@/lib/connectors/store';
import type { ConnectorType } from '@/lib/connectors/types';
import { ConnectorFields, type Environment } from './connector-fields';
import { createConnectorAction, deleteConnectorAction, testConnectorAction, updateConnectorAction } from './actions';

export const metadata = { title: 'Connectors' };

const STATE: Record<ConnectorView['status']['state'], { tone: 'green' | 'red' | 'amber' | 'neutral'; label: string }> = {
  ok: { tone: 'green', label: 'ok' },
  failing: { tone: 'red', label: 'failing' },
  stale: { tone: 'amber', label: 'stale' },
  'never-polled': { tone: 'neutral', label: 'not read yet' },
  disabled: { tone: 'neutral', label: 'disabled' },
};


function ConnectorCard({ slug, connector, environments, canWrite }: { slug: string; connector: ConnectorView; environments: Environment[]; canWrite: boolean }) {
  const state = STATE[connector.status.state];
  return (
    <Card
      title={
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-mono">{connector.name}</span>
          <Badge tone="brand">{connector.label}</Badge>
          <Badge tone={state.tone}>{state.label}</Badge>
        </span>
      }
      description={`${connector.category} · serves ${connector.environment ?? 'every environment'} · reads ${connector.targets.join(', ') || 'nothing (invalid scope)'}`}
    >
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-500 dark:text-slate-400">Credential</dt>
        <dd>
          {connector.secret ? (
            <>
              <span className="font-mono">{connector.secret.reference}</span>{' '}
              {connector.secret.set ? <Badge tone="green">set</Badge> : <Badge tone="red">not set</Badge>} <span className="text-xs text-slate-500 dark:text-slate-400">{connector.secret.problem ?? connector.secret.detail}</span>
            </>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">none</span>
          )}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Last success</dt>
        <dd>
          <Time value={connector.status.lastSuccessAt} fallback="never" />
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Last error</dt>
        <dd>
          {connector.status.lastError ? (
            <>
              <Time value={connector.status.lastErrorAt} />: <span className="text-red-700 dark:text-red-400">{connector.status.lastError}</span>
              {connector.status.consecutiveFailures > 1 && <span className="text-xs text-slate-500 dark:text-slate-400"> ({connector.status.consecutiveFailures} failures in a row)</span>}
            </>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">none</span>
          )}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Readings</dt>
        <dd>
          {connector.readings.length ? (
            <ul className="space-y-0.5">
              {connector.readings.map((reading) => (
                <li key={reading.target} className="text-xs">
                  <span className="font-mono">{reading.target}</span> · <Time value={reading.observedAt} /> · <span className="font-mono text-slate-500 dark:text-slate-400">sha256:{reading.digest.slice(0, 16)}…</span>
                </li>
              ))}
            </ul>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">{connector.type === 'github-actions' ? 'read at gate time, for the release’s commit' : 'none yet'}</span>
          )}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Next poll</dt>
        <dd>
          <Time value={connector.enabled ? connector.status.nextPollAt : null} fallback="not polled" />
        </dd>
      </dl>
      {canWrite && (
        <div className="mt-4 space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
          <div className="flex flex-wrap items-start gap-4">
            <ActionForm action={testConnectorAction.bind(null, slug)} inline>
              <input type="hidden" name="connectorId" value={connector.id} />
              {connector.type === 'github-actions' && (
                <input name="sourceSha" aria-label={`Source SHA to test ${connector.name} with`} placeholder="40-character commit SHA" pattern="[0-9a-f]{40}" className={`${inputClass} w-80 font-mono`} />
              )}
              <SubmitButton variant="secondary" className="py-1" pendingLabel="Reading…">
                Test now
              </SubmitButton>
            </ActionForm>
            <RowAction action={deleteConnectorAction.bind(null, slug)} name="connectorId" value={connector.id} label="Delete" target={connector.name} variant="danger" pendingLabel="Deleting…" />
          </div>
          <details>
            <summary className="cursor-pointer text-sm font-medium">Edit {connector.name}</summary>
            <div className="mt-3">
              <ActionForm action={updateConnectorAction.bind(null, slug, connector.id)}>
                <ConnectorFields prefix={`edit-${connector.name}`} environments={environments} connector={connector} />
                <input type="hidden" name="version" value={connector.version} />
                <FieldError name="version" id={`edit-${connector.name}-version-error`} />
                <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
              </ActionForm>
            </div>
          </details>
        </div>
      )}
    </Card>
  );
}

export default async function Connectors({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, 'connector.read', `/settings/${slug}/connectors`);
  const [connectors, environments] = await Promise.all([connectorViews(member.db, member.workspace.id), environmentChoices(member.workspace.id, member.db)]);
  const canWrite = member.can('connector.write');

  return (
    <div className="space-y-6">
      <PageHeader
        title="Connectors"
        description="Scoped, read-only sources for policy rules: each reads only the namespaces, queries, repositories, applications, services or projects its scope names, with a credential given by secret reference."
      />
      {connectors.length === 0 ? (
        <EmptyState title="No connectors yet">Add one below; policy rules such as “running image equals the released digest” or “no open high-urgency incident” read from them.</EmptyState>
      ) : (
        connectors.map((connector) => <ConnectorCard key={connector.id} slug={slug} connector={connector} environments={environments} canWrite={canWrite} />)
      )}
      {canWrite && (
        <Card title="New connector">
          <ActionForm action={createConnectorAction.bind(null, slug)} resetOnSuccess>
            <ConnectorFields prefix="new" environments={environments} />
            <details className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
              <summary className="cursor-pointer font-medium">Scope examples</summary>
              <dl className="mt-3 space-y-3">
                {(Object.keys(SCOPE_EXAMPLES) as ConnectorType[]).map((type) => (
                  <div key={type}>
                    <dt className="font-medium">{CONNECTOR_KINDS[type].label}</dt>
                    <dd>
                      <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" tabIndex={0}>{SCOPE_EXAMPLES[type]}</pre>
                    </dd>
                  </div>
                ))}
              </dl>
            </details>
            <SubmitButton pendingLabel="Saving…">Add connector</SubmitButton>
          </ActionForm>
        </Card>
      )}
    </div>
  );
}
