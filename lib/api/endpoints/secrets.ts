/** Secrets: status (set or not, and where from) and writes of the encrypted store; values never leave. */
import { z } from 'zod';
import { defineEndpoint } from '../endpoint';

const status = z.object({
  reference: z.string(),
  source: z.string().nullable(),
  set: z.boolean(),
  detail: z.string(),
  problem: z.string().optional(),
  version: z.number().int().optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().nullable().optional(),
});

export const secretsStatusEndpoint = defineEndpoint({
  id: 'secret.status',
  method: 'GET',
  path: '/api/v1/secrets',
  summary: 'Secrets status',
  description:
    'For each secret the workspace uses (stored entries, connector credentials) and, for maintainers, each installation secret: whether it is set and where it comes from. Never a value.',
  tags: ['Secrets'],
  auth: 'session',
  verb: 'settings.read',
  status: 200,
  response: z
    .object({
      store: z.object({ store: z.string(), keySource: z.string().nullable(), keyId: z.string().nullable(), passwordDerived: z.boolean(), policy: z.string(), problems: z.array(z.string()) }),
      entries: z.array(status.extend({ usedBy: z.array(z.string()) })),
      references: z.array(status.extend({ usedBy: z.array(z.string()) })),
      installation: z.array(status.extend({ name: z.string(), label: z.string(), description: z.string(), required: z.boolean() })).nullable(),
      policy: z.array(z.object({ id: z.string(), effect: z.string(), scope: z.string(), paths: z.array(z.string()), purposes: z.array(z.string()).nullable(), environments: z.array(z.string()).nullable(), description: z.string().nullable() })),
    })
    .meta({ id: 'SecretsStatus' }),
  errors: [],
});

const reference = z.string().regex(/^store:\S+$/, 'a store: reference, e.g. store:production/prometheus-token');

export const writeSecretEndpoint = defineEndpoint({
  id: 'secret.write',
  method: 'PUT',
  path: '/api/v1/secrets',
  summary: 'Store a secret',
  description: 'Encrypts the value (AES-256-GCM, bound to the workspace and path) and stores it; the answer never contains it.',
  tags: ['Secrets'],
  auth: 'session',
  verb: 'secret.write',
  body: z.object({ reference, value: z.string().min(1).max(65_536) }),
  status: 200,
  response: z.object({ reference: z.string(), version: z.number().int(), set: z.literal(true) }),
  errors: [],
});

export const deleteSecretEndpoint = defineEndpoint({
  id: 'secret.delete',
  method: 'DELETE',
  path: '/api/v1/secrets',
  summary: 'Remove a stored secret',
  tags: ['Secrets'],
  auth: 'session',
  verb: 'secret.write',
  query: z.object({ reference }),
  status: 204,
  response: z.null(),
  errors: [404],
});
