/** The gate: evaluate a release against the workspace's policy and sign the passport. */
import { z } from 'zod';
import { decisionSchema, imageDigestSchema, MAX_GATE_EVIDENCE, policyModeSchema, serviceNameSchema, sha256WithOptionalPrefixSchema } from '@/lib/domain/primitives';
import { VEX_STATUSES } from '@/lib/evidence/parsers/vex';
import { RULE_EFFECTS, RULE_STATUSES } from '@/lib/gate/rules/types';
import { defineEndpoint } from '../endpoint';
import { passportEnvelopeSchema } from './passports';

const slug = serviceNameSchema;
const digest = sha256WithOptionalPrefixSchema.transform((value) => value.replace(/^sha256:/, ''));

export const ruleResultSchema = z
  .object({
    ruleId: z.string(),
    type: z.string(),
    status: z.enum(RULE_STATUSES),
    effect: z.enum(RULE_EFFECTS).meta({ description: 'What this result does to the decision.' }),
    message: z.string(),
    measured: z.unknown(),
    threshold: z.unknown(),
    evidence: z.array(z.string()).meta({ description: 'sha256 digests of the evidence judged.' }),
    vex: z
      .object({
        suppressed: z.array(
          z.object({
            vulnerability: z.string(),
            severity: z.string(),
            count: z.number().int(),
            evidence: z.string(),
            product: z.string(),
            status: z.enum(VEX_STATUSES),
            statusAsWritten: z.string().optional(),
            justification: z.string().optional(),
            impact: z.string().optional(),
            vex: z.string().meta({ description: 'sha256 of the VEX document.' }),
          }),
        ),
        notApplied: z.array(z.object({ vulnerability: z.string(), status: z.enum(VEX_STATUSES), products: z.array(z.string()), vex: z.string(), reason: z.string() })),
        notAppliedTotal: z.number().int(),
      })
      .optional()
      .meta({
        description:
          'For a findings rule of a release with VEX evidence: the findings VEX statements took out of the count (each with its justification and the VEX document), and the statements that suppressed nothing, with why.',
      }),
  })
  .meta({ id: 'RuleResult' });

export const modeSchema = policyModeSchema;

export const evaluateGate = defineEndpoint({
  id: 'gate.evaluate',
  method: 'POST',
  path: '/api/v1/gate/evaluate',
  summary: 'Evaluate a release',
  description:
    'Judges a release of a service to an environment against the workspace policy that applies (service and environment, ' +
    'service, environment, or workspace-wide; a new pipeline gets a starter policy in shadow mode) and records the answer ' +
    'as a signed passport. The evaluation time is the server clock at the request, recorded in the passport; the same ' +
    'inputs at the same time always give the same decision. Every call is one decision with its own passport (the decision id is ' +
    'signed in it). Send an `Idempotency-Key` header (1-255 visible ASCII characters, kept 24 hours per workspace) to make ' +
    'retries safe: a retry with the same key and body gets the first answer (`Idempotent-Replayed: true`) and records ' +
    'nothing new; the same key with another body is refused (422 `idempotency-key-reused`). Shadow never blocks, advisory ' +
    'warns, enforce blocks on deny (`blocking: true`: CI must stop). Services and environments are created on first use ' +
    '(a new environment is non-production until an admin sets its tier); an archived service or environment is refused with 409 ' +
    '`conflict` naming it (`archived` lists each one), and nothing is recorded.',
  tags: ['Gate'],
  auth: 'token-or-session',
  verb: 'gate.evaluate',
  body: z
    .object({
      service: slug,
      environment: slug,
      sourceSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full git commit SHA (40 or 64 lower-case hex characters)'),
      imageDigest: imageDigestSchema,
      chartVersion: z.string().min(1).max(128).optional(),
      evidence: z.array(digest).max(MAX_GATE_EVIDENCE).default([]).meta({ description: 'Digests of evidence uploaded to this workspace.' }),
      artifacts: z
        .array(z.object({ name: z.string().min(1).max(512), sha256: digest }))
        .max(MAX_GATE_EVIDENCE)
        .default([])
        .meta({ description: 'Release artifacts and their sha256, for the checksum-match rule.' }),
    })
    .strict(),
  status: 200,
  response: z
    .object({
      decision: decisionSchema,
      mode: modeSchema.meta({ description: 'The mode applied.' }),
      requestedMode: modeSchema.meta({ description: "The policy's mode (differs when enforce on production needs a license)." }),
      blocking: z.boolean(),
      reasons: z.array(ruleResultSchema),
      notes: z.array(z.string()),
      evaluatedAt: z.string(),
      inputHash: z.string(),
      policy: z.object({ id: z.string(), name: z.string(), version: z.number().int(), hash: z.string() }),
      release: z.object({ id: z.string().uuid(), service: z.string(), environment: z.string(), sourceSha: z.string(), imageDigest: z.string(), chartVersion: z.string().nullable() }),
      passport: z.object({
        id: z.string(),
        url: z.string().meta({ description: 'The passport in the API (path).' }),
        consoleUrl: z.string().meta({ description: 'The passport in the console, for people (path).' }),
        keyId: z.string(),
        envelope: passportEnvelopeSchema,
      }),
    })
    .meta({ id: 'GateDecision' }),
  errors: [409, 422],
});
