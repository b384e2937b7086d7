/**
 * The Services page's management parts: the "environments need a tier" banner, the environments in
 * promotion order, the services with their owners, adding either, and what is archived. Server
 * components; each form posts to a server action in ./actions.ts.
 */
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Alert, Badge, Card, describedBy, Field, inputClass, Table, Td } from '@/app/_components/ui';
import type { ManagedEnvironment, ManagedService } from '@/lib/catalog/store';
import type { ActionState } from '@/lib/http/action-state';
import { ENVIRONMENT_TIERS } from '@/lib/domain/primitives';
import {
  archiveEnvironmentAction,
  archiveServiceAction,
  createEnvironmentAction,
  createServiceAction,
  moveEnvironmentAction,
  renameEnvironmentAction,
  setTierAction,
  updateServiceAction,
} from './actions';

interface Rights {
  slug: string;
  /** catalog.write: create, rename, archive, order, owners. */
  manage: boolean;
  /** environment.tier: admins. */
  tier: boolean;
}

export function TierBadge({ environment }: { environment: Pick<ManagedEnvironment, 'tier' | 'classified'> }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={environment.tier === 'production' ? 'amber' : 'neutral'}>{environment.tier}</Badge>
      {!environment.classified && <Badge tone="red">unclassified</Badge>}
    </span>
  );
}

function TierForm({ rights, environment, place }: { rights: Rights; environment: ManagedEnvironment; place: 'banner' | 'table' }) {
  const id = `tier-${place}-${environment.slug}`;
  return (
    <ActionForm action={setTierAction.bind(null, rights.slug)} inline>
      <input type="hidden" name="environment" value={environment.slug} />
      <label htmlFor={id} className="sr-only">
        Tier of {environment.slug}
      </label>
      <select id={id} name="tier" defaultValue={environment.classified ? environment.tier : ''} className={`${inputClass} w-auto py-1`} required>
        <option value="" disabled>
          Choose a tier…
        </option>
        {ENVIRONMENT_TIERS.map((tier) => (
          <option key={tier} value={tier}>
            {tier}
          </option>
        ))}
      </select>
      <SubmitButton variant="secondary" className="py-1" pendingLabel="Saving…">
        Set tier<span className="sr-only"> of {environment.slug}</span>
      </SubmitButton>
    </ActionForm>
  );
}

/** Environments nobody has classified: the gate created them non-production. */
export function UnclassifiedBanner({ rights, environments }: { rights: Rights; environments: ManagedEnvironment[] }) {
  if (!environments.length) return null;
  const count = environments.length;
  return (
    <div className="mb-6">
      <Alert tone="warning" title={`${count} environment${count === 1 ? ' needs' : 's need'} a tier`}>
        <p>
          The gate creates an environment non-production the first time CI names it. Say which are production: enforce mode there needs a license with production entitlement.
          {!rights.tier && ' An admin sets the tier.'}
        </p>
        <ul className="mt-3 space-y-2" aria-label="Environments that need a tier">
          {environments.map((environment) => (
            <li key={environment.slug} className="flex flex-wrap items-center gap-3">
              <span className="font-mono">{environment.slug}</span>
              <span className="text-xs">now {environment.tier}</span>
              {rights.tier && <TierForm rights={rights} environment={environment} place="banner" />}
            </li>
          ))}
        </ul>
      </Alert>
    </div>
  );
}

function ArchiveButton({ action, name, slug, archived }: { action: (state: ActionState, form: FormData) => Promise<ActionState>; name: string; slug: string; archived: boolean }) {
  return (
    <ActionForm action={action} inline>
      <input type="hidden" name={name} value={slug} />
      <input type="hidden" name="archived" value={archived ? 'false' : 'true'} />
      <SubmitButton variant="ghost" className="py-1" pendingLabel="Saving…">
        {archived ? 'Unarchive' : 'Archive'}
        <span className="sr-only"> {slug}</span>
      </SubmitButton>
    </ActionForm>
  );
}

function RenameEnvironment({ rights, environment }: { rights: Rights; environment: ManagedEnvironment }) {
  const id = `rename-${environment.slug}`;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-slate-500 dark:text-slate-400">
        Rename<span className="sr-only"> {environment.slug}</span>
      </summary>
      <ActionForm action={renameEnvironmentAction.bind(null, rights.slug)} inline>
        <input type="hidden" name="environment" value={environment.slug} />
        <label htmlFor={id} className="sr-only">
          Display name of {environment.slug}
        </label>
        <input id={id} name="name" defaultValue={environment.name} className={`${inputClass} w-48 py-1`} required maxLength={100} />
        <SubmitButton variant="secondary" className="py-1">
          Save
        </SubmitButton>
      </ActionForm>
    </details>
  );
}

export function EnvironmentsCard({ rights, environments }: { rights: Rights; environments: ManagedEnvironment[] }) {
  return (
    <Card title="Environments" description="In promotion order: releases travel from the first to the last. The slug is what CI names; the name is what people read.">
      <Table caption="Environments in promotion order" head={['#', 'Environment', 'Tier', rights.manage ? 'Order' : '', rights.manage ? 'Actions' : '']}>
        {environments.map((environment, index) => (
          <tr key={environment.slug}>
            <Td>{index + 1}</Td>
            <Td>
              <span className="font-mono">{environment.slug}</span>
              {environment.name !== environment.slug && <span className="block text-xs text-slate-500 dark:text-slate-400">{environment.name}</span>}
              {rights.manage && <RenameEnvironment rights={rights} environment={environment} />}
            </Td>
            <Td>
              <TierBadge environment={environment} />
              {/* Keyed by the tier: a select's default is read once, so a changed tier remounts it. */}
              {rights.tier && <TierForm key={`${environment.tier}-${environment.classified}`} rights={rights} environment={environment} place="table" />}
            </Td>
            <Td>
              {rights.manage && (
                <span className="flex gap-1">
                  {index > 0 && <RowAction action={moveEnvironmentAction.bind(null, rights.slug)} name="environment" value={environment.slug} label="Up" target={`move ${environment.slug} earlier`} />}
                  {index < environments.length - 1 && <MoveDown rights={rights} slug={environment.slug} />}
                </span>
              )}
            </Td>
            <Td>{rights.manage && <ArchiveButton action={archiveEnvironmentAction.bind(null, rights.slug)} name="environment" slug={environment.slug} archived={false} />}</Td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function MoveDown({ rights, slug }: { rights: Rights; slug: string }) {
  return (
    <ActionForm action={moveEnvironmentAction.bind(null, rights.slug)} inline>
      <input type="hidden" name="environment" value={slug} />
      <input type="hidden" name="direction" value="down" />
      <SubmitButton variant="ghost" className="py-1">
        Down<span className="sr-only"> move {slug} later</span>
      </SubmitButton>
    </ActionForm>
  );
}

export function ServicesCard({ rights, services }: { rights: Rights; services: ManagedService[] }) {
  return (
    <Card title="Services" description="Owners are the members to ask about a service's releases. Renaming changes the display name; CI keeps using the slug.">
      <Table caption="Services and their owners" head={['Service', 'Owners', rights.manage ? 'Actions' : '']}>
        {services.map((service) => (
          <tr key={service.slug}>
            <Td>
              <span className="font-mono">{service.slug}</span>
              {service.name !== service.slug && <span className="block text-xs text-slate-500 dark:text-slate-400">{service.name}</span>}
            </Td>
            <Td>{service.owners.length ? service.owners.map((owner) => owner.name || owner.email).join(', ') : <span className="text-slate-500 dark:text-slate-400">no owners</span>}</Td>
            <Td>
              {rights.manage && (
                <div className="space-y-1">
                  <details>
                    <summary className="cursor-pointer text-xs text-slate-500 dark:text-slate-400">
                      Edit<span className="sr-only"> {service.slug}</span>
                    </summary>
                    <ActionForm action={updateServiceAction.bind(null, rights.slug)} className="mt-2 w-72">
                      <input type="hidden" name="service" value={service.slug} />
                      <Field id={`service-name-${service.slug}`} label="Display name" name="name">
                        <input id={`service-name-${service.slug}`} name="name" defaultValue={service.name} className={inputClass} required maxLength={100} />
                      </Field>
                      <Field id={`service-owners-${service.slug}`} label="Owners" name="owners" hint="Emails of workspace members, separated by commas.">
                        <input id={`service-owners-${service.slug}`} name="owners" defaultValue={service.owners.map((owner) => owner.email).join(', ')} className={inputClass} aria-describedby={describedBy(`service-owners-${service.slug}`)} />
                      </Field>
                      <SubmitButton variant="secondary">Save {service.slug}</SubmitButton>
                    </ActionForm>
                  </details>
                  <ArchiveButton action={archiveServiceAction.bind(null, rights.slug)} name="service" slug={service.slug} archived={false} />
                </div>
              )}
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

export function AddCard({ rights }: { rights: Rights }) {
  if (!rights.manage) return null;
  return (
    <Card title="Add" description="The gate also adds a service or environment the first time CI names it.">
      <div className="grid gap-6 md:grid-cols-2">
        <ActionForm action={createServiceAction.bind(null, rights.slug)} resetOnSuccess>
          <h3 className="text-sm font-semibold">A service</h3>
          <Field id="new-service-slug" label="Service slug" name="slug" hint="What CI names in gate calls: lower-case letters, digits, . _ -">
            <input id="new-service-slug" name="slug" className={inputClass} required aria-describedby={describedBy('new-service-slug')} />
          </Field>
          <Field id="new-service-name" label="Service display name (optional)" name="name">
            <input id="new-service-name" name="name" className={inputClass} maxLength={100} />
          </Field>
          <Field id="new-service-owners" label="Owners (optional)" name="owners" hint="Emails of workspace members, separated by commas.">
            <input id="new-service-owners" name="owners" className={inputClass} aria-describedby={describedBy('new-service-owners')} />
          </Field>
          <SubmitButton>Add service</SubmitButton>
        </ActionForm>
        <ActionForm action={createEnvironmentAction.bind(null, rights.slug)} resetOnSuccess>
          <h3 className="text-sm font-semibold">An environment</h3>
          <Field id="new-environment-slug" label="Environment slug" name="slug" hint="What CI names in gate calls.">
            <input id="new-environment-slug" name="slug" className={inputClass} required aria-describedby={describedBy('new-environment-slug')} />
          </Field>
          <Field id="new-environment-name" label="Environment display name (optional)" name="name">
            <input id="new-environment-name" name="name" className={inputClass} maxLength={100} />
          </Field>
          {rights.tier && (
            <Field id="new-environment-tier" label="Tier" name="tier" hint="Unset: non-production until an admin classifies it.">
              <select id="new-environment-tier" name="tier" className={inputClass} defaultValue="" aria-describedby={describedBy('new-environment-tier')}>
                <option value="">Decide later</option>
                {ENVIRONMENT_TIERS.map((tier) => (
                  <option key={tier} value={tier}>
                    {tier}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <SubmitButton>Add environment</SubmitButton>
        </ActionForm>
      </div>
    </Card>
  );
}

export function ArchivedCard({ rights, services, environments }: { rights: Rights; services: ManagedService[]; environments: ManagedEnvironment[] }) {
  if (!services.length && !environments.length) return null;
  const rows = [...services.map((item) => ({ kind: 'service' as const, slug: item.slug })), ...environments.map((item) => ({ kind: 'environment' as const, slug: item.slug }))];
  return (
    <Card title="Archived" description="The gate refuses new releases for these; their passports stay readable.">
      <Table caption="Archived services and environments" head={['Kind', 'Slug', rights.manage ? 'Actions' : '']}>
        {rows.map((row) => (
          <tr key={`${row.kind}-${row.slug}`}>
            <Td>{row.kind}</Td>
            <Td>
              <span className="font-mono">{row.slug}</span>
            </Td>
            <Td>
              {rights.manage && (
                <ArchiveButton
                  action={(row.kind === 'service' ? archiveServiceAction : archiveEnvironmentAction).bind(null, rights.slug)}
                  name={row.kind}
                  slug={row.slug}
                  archived
                />
              )}
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
