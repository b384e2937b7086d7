/** Passports: the signed record of each gate decision, and its replay. */
import { z } from 'zod';
import { decisionSchema, passportIdSchema, policyModeSchema } from '@/lib/domain/primitives';
import { defineEndpoint } from '../endpoint';

export const passportEnvelopeSchema = z
  .object({
    payloadType: z.string().meta({ description: 'application/vnd.in-toto+json' }),
    payload: z.string().meta({ description: 'Base64 of the canonical JSON (RFC 8785) in-toto statement; the passport id is its sha256.' }),
    signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })),
  })
  .meta({ id: 'PassportEnvelope', description: 'A DSSE envelope, verifiable offline with the workspace public key (rp verify).' });

const passportId = passportIdSchema;

export const getPassport = defineEndpoint({
  id: 'passport.get',
  method: 'GET',
  path: '/api/v1/passports/{id}',
  summary: 'Get a passport',
  description: 'The signed envelope, the statement it carries, and the normalized inputs and policy version it judged (what `rp replay` re-evaluates).',
  tags: ['Passports'],
  auth: 'token-or-session',
  verb: 'passport.read',
  params: z.object({ id: passportId }),
  status: 200,
  response: z
    .object({
      id: z.string(),
      workspace: z.string(),
      decision: decisionSchema,
      mode: policyModeSchema,
      blocking: z.boolean(),
      evaluatedAt: z.string(),
      keyId: z.string(),
      envelope: passportEnvelopeSchema,
      statement: z.record(z.string(), z.unknown()),
      inputs: z.record(z.string(), z.unknown()).meta({ description: 'The normalized input snapshot that was judged.' }),
      policy: z.object({ id: z.string(), name: z.string(), version: z.number().int(), hash: z.string(), mode: z.string(), rules: z.array(z.record(z.string(), z.unknown())) }),
      newer: z
        .object({ id: z.string(), decision: decisionSchema, blocking: z.boolean(), evaluatedAt: z.string() })
        .nullable()
        .meta({ description: 'The newest passport of the same release made after this one (judged again after an approval, or by a later pipeline run); null when this is the newest.' }),
    })
    .meta({ id: 'Passport' }),
  errors: [404],
});

export const replayPassport = defineEndpoint({
  id: 'passport.replay',
  method: 'POST',
  path: '/api/v1/passports/{id}/replay',
  summary: 'Replay a passport',
  description:
    'Re-evaluates the stored inputs with the stored policy version at the stored evaluation time, with this server’s code, ' +
    'and compares the result with the passport: `match` when the payload is byte for byte the same, otherwise the paths that differ.',
  tags: ['Passports'],
  auth: 'token-or-session',
  verb: 'passport.read',
  params: z.object({ id: passportId }),
  status: 200,
  response: z.object({
    match: z.boolean(),
    passportId: z.string(),
    replayedId: z.string(),
    differences: z.array(z.object({ path: z.string(), stored: z.unknown(), replayed: z.unknown() })),
  }),
  errors: [404],
});
