import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Alert, Badge, Card, describedBy, EmptyState, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { managedReference } from '@/lib/secrets/handlers';
import { secretsOverview } from '@/lib/secrets/overview';
import type { SecretStatus } from '@/lib/secrets';
import { deleteSecretAction, storeSecretAction } from './actions';

export const metadata = { title: 'Secrets' };

function SetBadge({ status }: { status: SecretStatus }) {
  if (status.problem && status.set) return <Badge tone="amber">check</Badge>;
  return status.set ? <Badge tone="green">set</Badge> : <Badge tone="red">not set</Badge>;
}

export default async function Secrets({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, 'settings.read', `/settings/${slug}/secrets`);
  const overview = await secretsOverview(member.db, member.workspace, { installation: member.can('secret.read') });
  const canWrite = member.can('secret.write');

  return (
    <div className="space-y-6">
      <PageHeader
        title="Secrets"
        description="Every secret is named by a reference and read only where it is used. This page shows whether each one is set and where it comes from — never a value."
      />
      {overview.store.problems.map((problem) => (
        <Alert key={problem} tone="warning">
          {problem}
        </Alert>
      ))}

      <Card title="Encrypted store" description="store: references are encrypted with AES-256-GCM, each bound to this workspace and its path.">
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Where</dt>
          <dd>{overview.store.store}</dd>
          {overview.store.keySource && (
            <>
              <dt className="text-slate-500 dark:text-slate-400">Key</dt>
              <dd>{overview.store.keySource}</dd>
            </>
          )}
          <dt className="text-slate-500 dark:text-slate-400">Key id</dt>
          <dd className="font-mono">{overview.store.storeKeyId ?? overview.store.keyId ?? 'none yet (made on the first write)'}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Access policy</dt>
          <dd>{overview.store.policy}</dd>
        </dl>
      </Card>

      <Card title="This workspace's secrets">
        {overview.entries.length === 0 ? (
          <EmptyState title="Nothing stored yet">Store a connector credential below, then name it in the connector as its secret reference.</EmptyState>
        ) : (
          <Table caption="Stored secrets of this workspace" head={['Reference', 'Status', 'Version', 'Updated', 'Used by', '']}>
            {overview.entries.map((entry) => (
              <tr key={entry.reference}>
                <Td className="font-mono">{entry.reference}</Td>
                <Td>
                  <SetBadge status={entry} /> <span className="text-xs text-slate-500 dark:text-slate-400">{entry.source}</span>
                  {entry.problem && <span className="block text-xs text-amber-700 dark:text-amber-400">{entry.problem}</span>}
                </Td>
                <Td>{entry.version}</Td>
                <Td>
                  <Time value={entry.updatedAt} />
                  {entry.updatedBy && <span className="block text-xs text-slate-500 dark:text-slate-400">{entry.updatedBy}</span>}
                </Td>
                <Td>{entry.usedBy.length ? entry.usedBy.join(', ') : managedReference(entry.reference) ? 'passport signing' : <span className="text-slate-500 dark:text-slate-400">nothing</span>}</Td>
                <Td>
                  {managedReference(entry.reference) ? (
                    <span className="text-xs text-slate-500 dark:text-slate-400">signing key</span>
                  ) : (
                    canWrite && <RowAction action={deleteSecretAction.bind(null, slug)} name="reference" value={entry.reference} label="Remove" target={entry.reference} variant="danger" pendingLabel="Removing…" />
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>

      {overview.references.length > 0 && (
        <Card title="Other references in use" description="Credentials connectors read from the environment or from mounted files.">
          <Table caption="References used by connectors" head={['Reference', 'Status', 'Where from', 'Used by']}>
            {overview.references.map((reference) => (
              <tr key={reference.reference}>
                <Td className="font-mono">{reference.reference}</Td>
                <Td>
                  <SetBadge status={reference} />
                  {reference.problem && <span className="block text-xs text-red-700 dark:text-red-400">{reference.problem}</span>}
                </Td>
                <Td>{reference.detail}</Td>
                <Td>{reference.usedBy.join(', ')}</Td>
              </tr>
            ))}
          </Table>
        </Card>
      )}

      {canWrite && (
        <Card title="Store a secret" description="The value is encrypted at once and never shown again; replacing it keeps the reference, so connectors pick up the new value.">
          <ActionForm action={storeSecretAction.bind(null, slug)} resetOnSuccess>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field
                id="secret-reference"
                label="Reference"
                name="reference"
                hint="store:<environment>/… is readable only by flows of that environment; store:shared/… by every connector and gate flow of this workspace."
              >
                <input id="secret-reference" name="reference" required placeholder="store:production/prometheus-token" aria-describedby={describedBy('secret-reference')} className={`${inputClass} font-mono`} />
              </Field>
              <Field id="secret-value" label="Value" name="value" hint="Sent once over TLS, stored encrypted.">
                <input id="secret-value" name="value" type="password" required autoComplete="off" spellCheck={false} aria-describedby={describedBy('secret-value')} className={`${inputClass} font-mono`} />
              </Field>
            </div>
            <SubmitButton pendingLabel="Storing…">Store secret</SubmitButton>
          </ActionForm>
        </Card>
      )}

      {overview.installation && (
        <Card title="Installation secrets" description="Set by the operator (environment, mounted files, or rp secrets set). Shared by every workspace of this installation.">
          <Table caption="Installation secrets" head={['Secret', 'Reference', 'Status', 'Where from']}>
            {overview.installation.map((secret) => (
              <tr key={secret.name}>
                <Td>
                  <span className="font-medium">{secret.label}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{secret.description}</span>
                </Td>
                <Td className="font-mono text-xs">{secret.reference}</Td>
                <Td>{secret.set ? <Badge tone="green">set</Badge> : secret.required ? <Badge tone="red">not set</Badge> : <Badge>not configured</Badge>}</Td>
                <Td className="text-xs">{secret.problem ?? secret.detail}</Td>
              </tr>
            ))}
          </Table>
        </Card>
      )}

      <Card
        title="Access policy"
        description="Which flow may read which secret, separate from roles: a development flow cannot read a production secret, whoever started it. The operator sets these rules (RP_SECRETS_POLICY_FILE); a read no rule allows is refused and audited."
      >
        <Table caption="Secrets access rules" head={['Rule', 'Effect', 'Where', 'Paths', 'Flows']}>
          {overview.policy.map((rule) => (
            <tr key={rule.id}>
              <Td>
                <span className="font-mono">{rule.id}</span>
                {rule.description && <span className="block text-xs text-slate-500 dark:text-slate-400">{rule.description}</span>}
              </Td>
              <Td>{rule.effect === 'allow' ? <Badge tone="green">allow</Badge> : <Badge tone="red">deny</Badge>}</Td>
              <Td>{rule.scope}</Td>
              <Td className="font-mono text-xs">{rule.paths.join(' ')}</Td>
              <Td className="text-xs">
                {rule.purposes ? rule.purposes.join(', ') : 'any purpose'}
                {rule.environments ? ` · ${rule.environments.join(', ')}` : ''}
              </Td>
            </tr>
          ))}
        </Table>
      </Card>
    </div>
  );
}
