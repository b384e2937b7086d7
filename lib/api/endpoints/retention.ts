/** Retention: how long passports, evidence, audit events and deployment history are kept, legal holds, and a run now. */
import { passportIdSchema } from '@/lib/domain/primitives';
import { z } from 'zod';
import { retentionPolicySchema } from '@/lib/retention/schema';
import { defineEndpoint } from '../endpoint';

const counts = z.object({ passports: z.number(), decisions: z.number(), releases: z.number(), evidence: z.number(), blobsQueued: z.number(), auditEvents: z.number(), deployments: z.number() });

const policyResponse = z
  .object({
    passportsDays: z.number().int().nullable(),
    evidenceDays: z.number().int().nullable(),
    auditDays: z.number().int().nullable(),
    deploymentsDays: z.number().int().nullable(),
    version: z.number().int().meta({ description: 'Bumped by every change (0: never set); send it back as `expectedVersion` when changing the policy.' }),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
    lastRunAt: z.string().nullable(),
    lastRunResult: counts.nullable(),
    heldPassports: z.number().int(),
    job: z.object({ lastFinishedAt: z.string().nullable(), lastStatus: z.string().nullable(), nextRunAt: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'RetentionPolicy' });

export const getRetentionEndpoint = defineEndpoint({
  id: 'retention.get',
  method: 'GET',
  path: '/api/v1/retention',
  summary: 'Retention policy',
  tags: ['Retention'],
  auth: 'session',
  verb: 'settings.read',
  status: 200,
  response: policyResponse,
  errors: [],
});

export const updateRetentionEndpoint = defineEndpoint({
  id: 'retention.update',
  method: 'PUT',
  path: '/api/v1/retention',
  summary: 'Set the retention policy',
  description:
    'Days passports (with decisions), evidence (rows and files), audit events (at least 30) and ended deployment periods are kept; null keeps them indefinitely. ' +
      'Deployment periods still open (what runs now) are never removed; `deploymentsDays` left out keeps its current value. ' +
    'Send `expectedVersion`, the `version` as you read it: if someone changed the policy since, nothing is saved and the answer is 409 conflict with `currentVersion`.',
  tags: ['Retention'],
  auth: 'session',
  verb: 'retention.write',
  body: retentionPolicySchema.extend({
    expectedVersion: z.number().int().min(0).optional().meta({ description: 'The version this change was made from (optimistic concurrency; 0 when none was set).' }),
  }),
  status: 200,
  response: policyResponse,
  errors: [409],
});

export const runRetentionEndpoint = defineEndpoint({
  id: 'retention.run',
  method: 'POST',
  path: '/api/v1/retention/run',
  summary: 'Apply the retention policy now',
  tags: ['Retention'],
  auth: 'session',
  verb: 'retention.write',
  status: 200,
  response: counts.extend({ blobsDeleted: z.number(), checkpoint: z.object({ id: z.string(), uptoSeq: z.number() }).nullable() }),
  errors: [],
});

export const legalHoldEndpoint = defineEndpoint({
  id: 'passport.legal_hold',
  method: 'PUT',
  path: '/api/v1/passports/{id}/legal-hold',
  summary: 'Hold or release a passport',
  description: 'A passport under legal hold is never removed by retention, nor is the evidence it judged.',
  tags: ['Retention'],
  auth: 'session',
  verb: 'retention.write',
  params: z.object({ id: passportIdSchema }),
  body: z.object({ hold: z.boolean(), reason: z.string().max(500).optional() }),
  status: 200,
  response: z.object({ id: z.string(), legalHold: z.boolean(), reason: z.string().nullable(), by: z.string().nullable(), at: z.string().nullable() }),
  errors: [404],
});
