/** Connectors: scoped, read-only sources of readings, configured in the console's settings. */
import { z } from 'zod';
import { CONNECTOR_TYPES } from '@/lib/connectors/types';
import { defineEndpoint } from '../endpoint';
import { connectorNameSchema } from '@/lib/domain/primitives';

const connectorId = z.uuid();

export const connectorInputBody = z
  .object({
    name: connectorNameSchema.meta({ description: 'Unique in the workspace; policy rules name the connector by it.' }),
    type: z.enum(CONNECTOR_TYPES),
    environment: z.string().min(1).nullable().optional().meta({ description: 'The environment it serves: its credential is read as that environment’s flow. Null: every environment (credentials under store:shared/...).' }),
    secretRef: z.string().min(1).nullable().optional().meta({ description: 'Secret reference of the credential (store:production/prometheus-token); never the credential itself.' }),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).meta({ description: 'baseUrl, timeoutMs, retries, pollIntervalSeconds and the scope the type reads (namespaces, queries, repositories, applications, services, projects).' }),
  })
  .meta({ id: 'ConnectorInput' });

const secretStatus = z.object({
  reference: z.string(),
  set: z.boolean(),
  source: z.string().nullable(),
  detail: z.string(),
  problem: z.string().optional(),
});

export const connectorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(CONNECTOR_TYPES),
    label: z.string(),
    category: z.string(),
    environment: z.string().nullable(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()),
    targets: z.array(z.string()),
    secret: secretStatus.nullable().meta({ description: 'Whether the credential is set and where it comes from; never its value.' }),
    status: z.object({
      state: z.enum(['ok', 'failing', 'stale', 'never-polled', 'disabled']),
      lastAttemptAt: z.string().nullable(),
      lastSuccessAt: z.string().nullable(),
      lastErrorAt: z.string().nullable(),
      lastError: z.string().nullable(),
      consecutiveFailures: z.number().int(),
      nextPollAt: z.string().nullable(),
    }),
    readings: z.array(z.object({ target: z.string(), digest: z.string(), observedAt: z.string() })),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int().meta({ description: 'Bumped by every configuration change; send it back as `expectedVersion` when changing the connector.' }),
  })
  .meta({ id: 'Connector' });

export const listConnectorsEndpoint = defineEndpoint({
  id: 'connector.list',
  method: 'GET',
  path: '/api/v1/connectors',
  summary: 'List connectors',
  description: 'Every connector of the workspace with its scope, credential status (never the value), last success and last error.',
  tags: ['Connectors'],
  auth: 'session',
  verb: 'connector.read',
  status: 200,
  response: z.object({ connectors: z.array(connectorSchema) }),
  errors: [],
});

export const createConnectorEndpoint = defineEndpoint({
  id: 'connector.create',
  method: 'POST',
  path: '/api/v1/connectors',
  summary: 'Create a connector',
  description: 'Validates the scope for the type, and that the secrets policy lets the connector’s flow read its credential.',
  tags: ['Connectors'],
  auth: 'session',
  verb: 'connector.write',
  body: connectorInputBody,
  status: 201,
  response: connectorSchema,
  errors: [409],
});

export const updateConnectorEndpoint = defineEndpoint({
  id: 'connector.update',
  method: 'PUT',
  path: '/api/v1/connectors/{id}',
  summary: 'Change a connector',
  tags: ['Connectors'],
  auth: 'session',
  verb: 'connector.write',
  description:
    'Send `expectedVersion`, the connector’s `version` as you read it: if someone changed it since, nothing is saved and the answer is 409 conflict with `currentVersion`, never a silent overwrite.',
  params: z.object({ id: connectorId }),
  body: connectorInputBody.extend({
    expectedVersion: z.number().int().min(1).optional().meta({ description: 'The version this change was made from (optimistic concurrency).' }),
  }),
  status: 200,
  response: connectorSchema,
  errors: [404, 409],
});

export const deleteConnectorEndpoint = defineEndpoint({
  id: 'connector.delete',
  method: 'DELETE',
  path: '/api/v1/connectors/{id}',
  summary: 'Delete a connector',
  tags: ['Connectors'],
  auth: 'session',
  verb: 'connector.write',
  params: z.object({ id: connectorId }),
  status: 204,
  response: z.null(),
  errors: [404],
});

export const testConnectorEndpoint = defineEndpoint({
  id: 'connector.test',
  method: 'POST',
  path: '/api/v1/connectors/{id}/test',
  summary: 'Test a connector',
  description: 'Reads every target of its scope now (CI connectors need a source SHA) and records the outcome in its status.',
  tags: ['Connectors'],
  auth: 'session',
  verb: 'connector.write',
  params: z.object({ id: connectorId }),
  body: z.object({ sourceSha: z.string().regex(/^[0-9a-f]{40}$/).optional() }),
  status: 200,
  response: z.object({
    results: z.array(z.object({ target: z.string(), ok: z.boolean(), digest: z.string().optional(), observedAt: z.string().optional(), error: z.string().optional() })),
  }),
  errors: [404],
});
