/**
 * Services and environments, managed (lib/catalog/store.ts): list, create, rename, archive, each
 * environment's tier, the promotion order, each service's owners. The slug is the identity CI
 * uses and never changes; `name` is the display name.
 */
import { z } from 'zod';
import { displayNameSchema, ENVIRONMENT_TIERS, serviceNameSchema, WORKSPACE_SLUG_PATTERN } from '@/lib/domain/primitives';
import { defineEndpoint } from '../endpoint';

const workspaceParam = z.string().regex(WORKSPACE_SLUG_PATTERN, 'a workspace slug');
const ownersField = z
  .array(z.email('an email address of a workspace member').max(320))
  .max(50)
  .meta({ description: 'Emails of workspace members; replaces the current owners (send [] for none).' });
const archivedField = z.boolean().meta({ description: 'true archives it (the gate refuses new releases for it; its history stays readable); false takes it back into use.' });
const tierField = z.enum(ENVIRONMENT_TIERS).meta({
  description: 'Enforce mode in a production environment needs a license with production entitlement. Setting it needs an admin (the environment.tier verb; never a token).',
});

export const serviceSchema = z
  .object({
    slug: z.string().meta({ description: 'What CI names in gate calls; never changes.' }),
    name: z.string(),
    archived: z.boolean(),
    archivedAt: z.string().nullable(),
    owners: z.array(z.object({ email: z.string(), name: z.string() })),
    createdAt: z.string(),
  })
  .meta({ id: 'Service' });

export const environmentSchema = z
  .object({
    slug: z.string().meta({ description: 'What CI names in gate calls; never changes.' }),
    name: z.string(),
    tier: z.enum(ENVIRONMENT_TIERS),
    classified: z.boolean().meta({ description: 'false until someone sets the tier (the gate created it non-production, or it predates explicit tiers).' }),
    tierSetAt: z.string().nullable(),
    position: z.number().int().nullable().meta({ description: 'Place in the promotion order (0 first); null: after the placed ones.' }),
    archived: z.boolean(),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Environment' });

const listQuery = z.object({
  archived: z.enum(['include', 'exclude']).default('exclude').meta({ description: '`include` lists archived ones too.' }),
});

/** List, create and update of one kind (services, environments): the same contract but for the fields. */
function catalogEndpoints<K extends 'service' | 'environment', TItem extends z.ZodType, TCreate extends z.ZodType, TUpdate extends z.ZodType>(kind: {
  id: K;
  plural: `${K}s`;
  item: TItem;
  createBody: TCreate;
  updateBody: TUpdate;
  text: { list: string; create: string; createSummary: string; update: string; updateSummary: string };
}) {
  const workspaceOnly = z.object({ workspace: workspaceParam });
  const tags = ['Services and environments'];
  return {
    list: defineEndpoint({
      id: `${kind.id}.list`,
      method: 'GET',
      path: `/api/v1/workspaces/{workspace}/${kind.plural}`,
      summary: `List ${kind.plural}`,
      description: kind.text.list,
      tags,
      auth: 'token-or-session',
      verb: 'passport.read',
      params: workspaceOnly,
      query: listQuery,
      status: 200,
      response: z.object({ [kind.plural]: z.array(kind.item) }) as z.ZodObject<Record<`${K}s`, z.ZodArray<TItem>>>,
      errors: [400, 404],
    }),
    create: defineEndpoint({
      id: `${kind.id}.create`,
      method: 'POST',
      path: `/api/v1/workspaces/{workspace}/${kind.plural}`,
      summary: kind.text.createSummary,
      description: kind.text.create,
      tags,
      auth: 'token-or-session',
      verb: 'catalog.write',
      params: workspaceOnly,
      body: kind.createBody,
      status: 201,
      response: kind.item,
      errors: [400, 404, 409],
    }),
    update: defineEndpoint({
      id: `${kind.id}.update`,
      method: 'PATCH',
      path: `/api/v1/workspaces/{workspace}/${kind.plural}/{${kind.id}}`,
      summary: kind.text.updateSummary,
      description: kind.text.update,
      tags,
      auth: 'token-or-session',
      verb: 'catalog.write',
      params: z.object({ workspace: workspaceParam, [kind.id]: serviceNameSchema }) as z.ZodObject<{ workspace: typeof workspaceParam } & Record<K, typeof serviceNameSchema>>,
      body: kind.updateBody,
      status: 200,
      response: kind.item,
      errors: [400, 404],
    }),
  };
}

const displayNameField = displayNameSchema.optional().meta({ description: 'Display name; the slug by default.' });

const serviceEndpoints = catalogEndpoints({
  id: 'service',
  plural: 'services',
  item: serviceSchema,
  createBody: z.object({ slug: serviceNameSchema, name: displayNameField, owners: ownersField.optional() }),
  updateBody: z.object({ name: displayNameSchema.optional(), archived: archivedField.optional(), owners: ownersField.optional() }),
  text: {
    list: 'The services of the workspace with their owners (a token limited to some services sees only those).',
    createSummary: 'Create a service',
    create: 'Registers a service before CI names it (the gate would create it on first use).',
    updateSummary: 'Rename, archive or unarchive a service, or set its owners',
    update: 'Only the fields sent change. The slug stays: CI keeps naming the service by it.',
  },
});

const environmentEndpoints = catalogEndpoints({
  id: 'environment',
  plural: 'environments',
  item: environmentSchema,
  createBody: z.object({ slug: serviceNameSchema, name: displayNameField, tier: tierField.optional() }),
  updateBody: z.object({ name: displayNameSchema.optional(), archived: archivedField.optional(), tier: tierField.optional() }),
  text: {
    list: 'In promotion order (placed ones first), with each tier and whether it was set (`classified`).',
    createSummary: 'Create an environment',
    create: 'Without `tier` it starts non-production and unclassified; with it (an admin only) it is classified at once. It follows the placed environments in the promotion order.',
    updateSummary: 'Rename, archive or unarchive an environment, or set its tier',
    update: 'Only the fields sent change. Setting `tier` classifies the environment and is audited (environment.tier); it needs an admin.',
  },
});

export const { list: listServicesEndpoint, create: createServiceEndpoint, update: updateServiceEndpoint } = serviceEndpoints;
export const { list: listEnvironmentsEndpoint, create: createEnvironmentEndpoint, update: updateEnvironmentEndpoint } = environmentEndpoints;

export const setPromotionOrderEndpoint = defineEndpoint({
  id: 'environment.order',
  method: 'PUT',
  path: '/api/v1/workspaces/{workspace}/promotion-order',
  summary: 'Set the promotion order',
  description: 'The environments releases travel through, in order (dev, staging, production). Active environments left out follow them, non-production first.',
  tags: ['Services and environments'],
  auth: 'token-or-session',
  verb: 'catalog.write',
  params: z.object({ workspace: workspaceParam }),
  body: z.object({ order: z.array(serviceNameSchema).min(1, 'name at least one environment').max(100) }),
  status: 200,
  response: z.object({ environments: z.array(environmentSchema) }),
  errors: [400, 404],
});
