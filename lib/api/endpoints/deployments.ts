/**
 * What runs where (lib/deployments/store.ts): a deploy reports the image it put in an environment,
 * and anyone who reads passports lists what runs there now, each image matched to its passport.
 */
import { z } from 'zod';
import { DECISIONS, DEPLOYMENT_SOURCE_KINDS, DEPLOYMENT_STATUSES, imageReferenceSchema, POLICY_MODES, serviceNameSchema, WORKSPACE_SLUG_PATTERN } from '@/lib/domain/primitives';
import { defineEndpoint } from '../endpoint';

const params = z.object({ workspace: z.string().regex(WORKSPACE_SLUG_PATTERN, 'a workspace slug'), environment: serviceNameSchema });
const tags = ['Environments'];

export const deploymentSchema = z
  .object({
    id: z.string(),
    environment: z.string(),
    source: z.string().meta({ description: 'The connector that saw it, or `report` (rp report-deployment).' }),
    sourceKind: z.enum(DEPLOYMENT_SOURCE_KINDS),
    location: z.string().meta({ description: 'Namespace (Kubernetes), application (Argo CD), or for a report the service, else the repository.' }),
    workload: z.string().nullable().meta({ description: 'Deployment/container (Kubernetes).' }),
    image: z.string(),
    repository: z.string(),
    digest: z.string().nullable().meta({ description: 'null: a tag without a digest (unpinned), never matched to a passport.' }),
    service: z.string().nullable(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    goneAt: z.string().nullable(),
    match: z.object({
      status: z.enum(DEPLOYMENT_STATUSES).meta({
        description:
          '`passported`: the newest passport that counts (not shadow) for this digest in this environment allowed or warned. `drift`: it denied, or there are only shadow passports. `unpassported`: no passport. `unpinned`: no digest.',
      }),
      reason: z.string(),
      passport: z
        .object({ id: z.string(), decision: z.enum(DECISIONS), mode: z.enum(POLICY_MODES), service: z.string(), evaluatedAt: z.string() })
        .nullable(),
    }),
  })
  .meta({ id: 'Deployment' });

export const reportDeploymentEndpoint = defineEndpoint({
  id: 'deployment.report',
  method: 'POST',
  path: '/api/v1/workspaces/{workspace}/environments/{environment}/deployments',
  summary: 'Report what a deploy put in an environment',
  description:
    'Records that the image runs in the environment now (for `service`, if named), replacing what an earlier report said runs there for the same service (else the same repository). Only a digest identifies an image: a tag alone is recorded as unpinned. In a production environment, a digest without an allowing passport notifies `drift.detected`.',
  tags,
  auth: 'token-or-session',
  verb: 'deployment.report',
  params,
  body: z.object({
    image: imageReferenceSchema.meta({ description: 'repository@sha256:<digest> (repository:tag is accepted and shown as unpinned).' }),
    service: serviceNameSchema.optional().meta({ description: 'The service it is a release of: matched only to that service’s passports.' }),
  }),
  status: 200,
  response: z.object({
    deployment: deploymentSchema,
    replaced: z.number().int().meta({ description: 'How many earlier reported images at the same place it replaced.' }),
  }),
  errors: [400, 404, 409],
});

export const listDeploymentsEndpoint = defineEndpoint({
  id: 'deployment.list',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/environments/{environment}/deployments',
  summary: 'What runs in an environment now',
  description: 'Every image a connector or a report sees running there, each matched to its passport.',
  tags,
  auth: 'token-or-session',
  verb: 'passport.read',
  params,
  status: 200,
  response: z.object({ deployments: z.array(deploymentSchema) }),
  errors: [400, 404],
});
