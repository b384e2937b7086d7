import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, EmptyState, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { CLAIM_HINTS, ISSUER_PRESETS, listTrustPolicies } from '@/lib/ci-identity/policies';
import { configuredBaseUrl } from '@/lib/config/public-url';
import { describeLimits, TokenScopeFields } from '../_components/token-scope-fields';
import { createTrustPolicyAction, deleteTrustPolicyAction } from './actions';

export const metadata = { title: 'CI identities' };

const ISSUER_NAMES: Record<string, string> = { [ISSUER_PRESETS.github]: 'GitHub Actions', [ISSUER_PRESETS.gitlab]: 'GitLab.com' };

export default async function CiIdentities({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'settings.read', `/settings/${slug}/ci-identities`);
  const policies = await listTrustPolicies(db, workspace.id);
  const admin = can('member.manage');
  const runtimeUrl = configuredBaseUrl();

  return (
    <div className="space-y-6">
      <PageHeader
        title="CI identities"
        description="Pipelines on GitHub Actions, GitLab CI or any OIDC-issuing CI call the gate without a stored secret: rp exchanges the job's signed ID token for a gate token that lives at most 15 minutes. A trust policy says which runs qualify and what their token may do."
      />
      {admin ? (
        <Card title="New trust policy">
          <ActionForm action={createTrustPolicyAction.bind(null, slug)} resetOnSuccess>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="policy-name" label="Name" hint="e.g. “api releases from main”." name="name">
                <input id="policy-name" name="name" required maxLength={100} aria-describedby="policy-name-hint policy-name-error" className={inputClass} />
              </Field>
              <Field id="policy-issuer" label="Issuer" hint="Whose ID tokens: the platform signs them; its keys are fetched from its discovery document." name="issuer">
                <select id="policy-issuer" name="issuer" defaultValue="github" aria-describedby="policy-issuer-hint policy-issuer-error" className={inputClass}>
                  <option value="github">GitHub Actions ({ISSUER_PRESETS.github})</option>
                  <option value="gitlab">GitLab.com ({ISSUER_PRESETS.gitlab})</option>
                  <option value="custom">Another issuer (self-hosted GitLab…): the URL below</option>
                </select>
              </Field>
              <Field id="policy-issuer-url" label="Issuer URL (for “another issuer”)" hint="https only, e.g. https://gitlab.acme.internal." name="issuerUrl">
                <input id="policy-issuer-url" name="issuerUrl" type="url" placeholder="https://gitlab.acme.internal" aria-describedby="policy-issuer-url-hint policy-issuer-url-error" className={`${inputClass} font-mono`} />
              </Field>
              <Field id="policy-audience" label="Audience" hint="The aud the ID token must carry: rp asks for this runtime's URL." name="audience">
                <input id="policy-audience" name="audience" required defaultValue={runtimeUrl ?? ''} placeholder="https://rp.acme.internal" aria-describedby="policy-audience-hint policy-audience-error" className={`${inputClass} font-mono`} />
              </Field>
            </div>
            <Field
              id="policy-conditions"
              label="Claim conditions"
              hint={`One claim=value per line; * matches any run of characters. GitHub: ${CLAIM_HINTS.github.join(', ')}. GitLab: ${CLAIM_HINTS.gitlab.join(', ')}.`}
              name="conditions"
            >
              <textarea
                id="policy-conditions"
                name="conditions"
                required
                rows={3}
                placeholder={'repository=acme/api\nref=refs/heads/main'}
                aria-describedby="policy-conditions-hint policy-conditions-error"
                className={`${inputClass} font-mono`}
              />
            </Field>
            <TokenScopeFields idPrefix="policy" />
            <SubmitButton>Add trust policy</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}

      <Card title="Trust policies" description={admin ? undefined : 'Only admins add or remove trust policies.'}>
        {policies.length === 0 ? (
          <EmptyState title="No trust policies yet">Until one exists, pipelines need an API token (Settings, API tokens).</EmptyState>
        ) : (
          <Table caption={`CI trust policies of ${workspace.name}`} head={['Policy', 'Conditions', 'Grants', 'Added', admin ? '' : null].filter((cell) => cell !== null)}>
            {policies.map((policy) => (
              <tr key={policy.id}>
                <Td>
                  <span className="font-medium">{policy.name}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{ISSUER_NAMES[policy.issuer] ?? policy.issuer}</span>
                  <span className="block break-words font-mono text-xs text-slate-500 dark:text-slate-400">aud {policy.audience}</span>
                </Td>
                <Td>
                  <ul className="space-y-0.5 font-mono text-xs">
                    {Object.entries(policy.conditions).map(([claim, value]) => (
                      <li key={claim} className="break-words">
                        {claim} = {value}
                      </li>
                    ))}
                  </ul>
                </Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {policy.scopes.map((scope) => (
                      <Badge key={scope} tone="brand">
                        {scope}
                      </Badge>
                    ))}
                  </span>
                  <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">{describeLimits(policy)}</span>
                </Td>
                <Td>
                  <Time value={policy.createdAt} />
                </Td>
                {admin && (
                  <Td>
                    <RowAction action={deleteTrustPolicyAction.bind(null, slug)} name="policyId" value={policy.id} label="Remove" target={policy.name} variant="danger" pendingLabel="Removing…" />
                  </Td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </Card>

      <Card title="In the pipeline" description="No RP_TOKEN: rp gate requests the job's ID token and exchanges it. Each exchange and each gate call is in the audit log under the run's name.">
        <pre className="overflow-x-auto whitespace-pre-wrap break-words rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
          {`# GitHub Actions
permissions:
  id-token: write   # lets the job request its OIDC ID token
env:
  RP_URL: ${runtimeUrl ?? 'https://rp.acme.internal'}
  RP_WORKSPACE: ${workspace.slug}

# GitLab CI
id_tokens:
  RP_ID_TOKEN:
    aud: ${runtimeUrl ?? 'https://rp.acme.internal'}`}
        </pre>
      </Card>
    </div>
  );
}
