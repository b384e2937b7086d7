'use server';
/**
 * Services and environments, managed from the console. Each action re-checks the session and the
 * membership; the data-access functions (lib/catalog/store.ts) check catalog.write or, for a tier,
 * environment.tier (admins), audit refusals and changes.
 */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { createEnvironment, createService, moveEnvironment, updateEnvironment, updateService } from '@/lib/catalog/store';
import { displayNameSchema, ENVIRONMENT_TIERS, serviceNameSchema, type EnvironmentTier } from '@/lib/domain/primitives';
import { failed, listField, succeeded, type ActionState } from '@/lib/http/action-state';
import { ProblemError } from '@/lib/http/problem';
import { actionParam, stateAction } from '@/lib/http/server-action';

/** The member, then the change; a refusal (ProblemError) becomes the form's message with its field errors. */
async function change(slug: string, work: (member: Awaited<ReturnType<typeof requireMember>>) => Promise<string>): Promise<ActionState> {
  const member = await requireMember(slug, 'passport.read', `/console/${slug}/services`);
  try {
    const message = await work(member);
    revalidatePath(`/console/${slug}/services`);
    return succeeded(message);
  } catch (error) {
    if (error instanceof ProblemError) return failed(error.message, Object.fromEntries((error.errors ?? []).map((item) => [item.path, item.message])));
    throw error;
  }
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

/** A form field checked with a domain schema: a refusal names the field. */
function field<T>(form: FormData, name: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }): T {
  const parsed = schema.safeParse(text(form, name));
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is not valid';
  throw new ProblemError('validation-failed', `${name}: ${message}.`, { errors: [{ path: name, message }] });
}

function tier(form: FormData): EnvironmentTier | undefined {
  const value = text(form, 'tier');
  if (!value) return undefined;
  if (!(ENVIRONMENT_TIERS as readonly string[]).includes(value)) throw new ProblemError('validation-failed', 'Choose production or non-production.', { errors: [{ path: 'tier', message: 'choose a tier' }] });
  return value as EnvironmentTier;
}

const optionalName = (form: FormData) => (text(form, 'name') ? field(form, 'name', displayNameSchema) : undefined);

export const createServiceAction = stateAction('createServiceAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const created = await createService(db, workspace.id, actor, { slug: field(form, 'slug', serviceNameSchema), name: optionalName(form), owners: listField(form.get('owners')) ?? [] }, audit);
    return `Service ${created.slug} created.`;
  }),
);

export const updateServiceAction = stateAction('updateServiceAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const updated = await updateService(db, workspace.id, actor, text(form, 'service'), { name: field(form, 'name', displayNameSchema), owners: listField(form.get('owners')) ?? [] }, audit);
    return `Service ${updated.slug} saved.`;
  }),
);

export const archiveServiceAction = stateAction('archiveServiceAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const archived = text(form, 'archived') === 'true';
    const updated = await updateService(db, workspace.id, actor, text(form, 'service'), { archived }, audit);
    return archived ? `Service ${updated.slug} archived: the gate refuses new releases for it.` : `Service ${updated.slug} is back in use.`;
  }),
);

export const createEnvironmentAction = stateAction('createEnvironmentAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const created = await createEnvironment(db, workspace.id, actor, { slug: field(form, 'slug', serviceNameSchema), name: optionalName(form), tier: tier(form) }, audit);
    return `Environment ${created.slug} created (${created.tier}${created.classified ? '' : ', unclassified'}).`;
  }),
);

export const renameEnvironmentAction = stateAction('renameEnvironmentAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const updated = await updateEnvironment(db, workspace.id, actor, text(form, 'environment'), { name: field(form, 'name', displayNameSchema) }, audit);
    return `Environment ${updated.slug} saved.`;
  }),
);

export const setTierAction = stateAction('setTierAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const chosen = tier(form);
    if (!chosen) throw new ProblemError('validation-failed', 'Choose production or non-production.', { errors: [{ path: 'tier', message: 'choose a tier' }] });
    const updated = await updateEnvironment(db, workspace.id, actor, text(form, 'environment'), { tier: chosen }, audit);
    return `${updated.slug} is ${updated.tier}.`;
  }),
);

export const archiveEnvironmentAction = stateAction('archiveEnvironmentAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const archived = text(form, 'archived') === 'true';
    const updated = await updateEnvironment(db, workspace.id, actor, text(form, 'environment'), { archived }, audit);
    return archived ? `Environment ${updated.slug} archived: the gate refuses new releases to it.` : `Environment ${updated.slug} is back in use.`;
  }),
);

export const moveEnvironmentAction = stateAction('moveEnvironmentAction', [actionParam.workspace, actionParam.state, actionParam.form], (slug, _state, form) =>
  change(slug, async ({ db, workspace, actor, audit }) => {
    const environment = text(form, 'environment');
    const order = await moveEnvironment(db, workspace.id, actor, environment, text(form, 'direction') === 'down' ? 'down' : 'up', audit);
    return `Promotion order: ${order.map((item) => item.slug).join(' → ')}.`;
  }),
);
