import Link from '@/app/_components/link';
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { ModeBadge } from '@/app/_components/status';
import { Card, EmptyState, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listEnvironments, listServices } from '@/lib/console/catalog';
import { listPolicies } from '@/lib/console/policies';
import { createPolicyAction } from '@/app/console/[workspace]/policies/actions';

export const metadata = { title: 'Policies' };

function scopeOf(policy: { service: string | null; environment: string | null }): string {
  if (!policy.service && !policy.environment) return 'Every service, every environment';
  if (policy.service && policy.environment) return `${policy.service} in ${policy.environment}`;
  return policy.service ? `${policy.service}, every environment` : `Every service in ${policy.environment}`;
}

export default async function Policies({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'policy.read', `/console/${slug}/policies`);
  const [policies, services, environments] = await Promise.all([listPolicies(db, workspace.id), listServices(db, workspace.id), listEnvironments(db, workspace.id)]);
  const base = `/console/${workspace.slug}`;

  return (
    <>
      <PageHeader
        title="Policies"
        description="The gate applies the most specific policy: a service in an environment, then the service, then the environment, then the workspace. New pipelines start in shadow mode (recorded, never blocking), then advisory (warns), then enforce (a deny blocks)."
      />
      <div className="space-y-6">
        {policies.length === 0 ? (
          <EmptyState title="No policy yet">The first gate evaluation creates the starter policy in shadow mode: judged and recorded, never blocking.</EmptyState>
        ) : (
          <Card>
            <Table caption="Policies" head={['Policy', 'Applies to', 'Mode', 'Rules', 'Version', 'Changed']}>
              {policies.map((policy) => (
                <tr key={policy.id}>
                  <Td>
                    <Link className="font-medium text-brand-700 hover:underline dark:text-brand-100" href={`${base}/policies/${policy.id}`}>
                      {policy.name}
                    </Link>
                  </Td>
                  <Td>{scopeOf(policy)}</Td>
                  <Td>
                    <ModeBadge mode={policy.mode} />
                  </Td>
                  <Td>{policy.rules}</Td>
                  <Td>v{policy.version}</Td>
                  <Td>
                    <Time value={policy.updatedAt} />
                  </Td>
                </tr>
              ))}
            </Table>
          </Card>
        )}
        {can('policy.write') && policies.length > 0 && (services.length > 0 || environments.length > 0) && (
          <Card title="New policy for a service or an environment" description="It starts as a copy of a policy you choose, in shadow mode, so nothing is blocked until you switch it.">
            <ActionForm action={createPolicyAction.bind(null, workspace.slug)}>
              <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                <Field id="new-name" label="Name" name="name">
                  <input id="new-name" name="name" required maxLength={100} placeholder="Payments production policy" aria-describedby="new-name-error" className={inputClass} />
                </Field>
                <Field id="new-service" label="Service" name="service">
                  <select id="new-service" name="service" aria-describedby="new-service-error" className={inputClass} defaultValue="">
                    <option value="">Every service</option>
                    {services.map((service) => (
                      <option key={service.id} value={service.slug}>
                        {service.slug}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field id="new-environment" label="Environment" name="environment">
                  <select id="new-environment" name="environment" aria-describedby="new-environment-error" className={inputClass} defaultValue="">
                    <option value="">Every environment</option>
                    {environments.map((environment) => (
                      <option key={environment.id} value={environment.slug}>
                        {environment.slug}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field id="new-copy" label="Start from" name="copyFrom">
                  <select id="new-copy" name="copyFrom" aria-describedby="new-copy-error" className={inputClass} defaultValue={policies[0]!.id}>
                    {policies.map((policy) => (
                      <option key={policy.id} value={policy.id}>
                        {policy.name} v{policy.version}
                      </option>
                    ))}
                  </select>
                </Field>
              </div>
              <SubmitButton pendingLabel="Creating…">Create in shadow mode</SubmitButton>
            </ActionForm>
          </Card>
        )}
      </div>
    </>
  );
}
