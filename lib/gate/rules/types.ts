/**
 * A rule type: its parameters (a zod shape, validated when a policy is saved) and its judgement,
 * a pure function of the input snapshot and the evaluation time. Adding a rule type is adding a
 * definition to the registry (lib/gate/rules/index.ts); connector rules live in connectors.ts.
 */
import { z } from 'zod';
import type { EvidenceKind } from '@/lib/evidence/kinds';
import type { EvidenceInput, GateInputs } from '../inputs';
import type { VexApplication } from '../vex';

export const RULE_STATUSES = ['pass', 'warn', 'fail', 'missing', 'stale'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];
export const RULE_EFFECTS = ['none', 'warn', 'deny'] as const;
export type RuleEffect = (typeof RULE_EFFECTS)[number];

import type { JsonValue } from '@/lib/domain/primitives';

export type { JsonValue };

/** What a rule type's judgement returns; the evaluator adds the rule's id and effect. */
export interface RuleOutcome {
  status: 'pass' | 'fail' | 'missing' | 'stale';
  /** One sentence a release engineer can act on. */
  message: string;
  measured: JsonValue;
  threshold: JsonValue;
  /** sha256 digests of the evidence judged. */
  evidence: string[];
  /** For a findings rule of a release with VEX evidence: what VEX suppressed and what it did not (lib/gate/vex.ts). */
  vex?: VexApplication;
}

export interface RuleContext {
  inputs: GateInputs;
  /** ISO 8601 UTC with milliseconds. */
  evaluatedAt: string;
  /**
   * The fingerprints of the public keys the applied policy trusts (its provenance-subject rules'
   * trustedKeys): a signature that verified at upload with a key counts for requireSigned only if
   * the key is still one of these, so removing a key from the policy stops it counting.
   */
  trustedKeys: readonly string[];
}

export const RULE_ID = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a rule id is lower-case letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit');

/** Fields every rule has besides its type's own parameters. */
export const ruleBaseShape = {
  id: RULE_ID.describe('Names the rule in decisions, passports and the audit log.'),
  description: z.string().max(500).optional().describe('Why this rule exists; shown with its result.'),
  onFail: z.enum(['deny', 'warn']).default('deny').describe('What a failing, missing or stale result does: deny blocks the release, warn lets it through with a warning.'),
};

export interface RuleBase {
  id: string;
  type: string;
  description?: string;
  onFail: 'deny' | 'warn';
}

export interface RuleDefinition<TShape extends z.ZodRawShape = z.ZodRawShape> {
  type: string;
  title: string;
  /** The rule's own parameters. */
  params: TShape;
  evaluate(rule: RuleBase & z.infer<z.ZodObject<TShape>>, context: RuleContext): RuleOutcome;
  /** Checks across the parameters, made when a policy is saved: each names the parameter at fault and says what to do. */
  refine?: ReadonlyArray<{ check: (rule: z.infer<z.ZodObject<TShape>>) => boolean; message: string; path: string }>;
}

export type AnyRuleDefinition = {
  type: string;
  title: string;
  schema: z.ZodObject;
  evaluate(rule: RuleBase & Record<string, unknown>, context: RuleContext): RuleOutcome;
};

export function defineRule<TShape extends z.ZodRawShape>(definition: RuleDefinition<TShape>): AnyRuleDefinition {
  let schema = z.object({ ...ruleBaseShape, type: z.literal(definition.type), ...definition.params }).strict();
  for (const { check, message, path } of definition.refine ?? []) schema = schema.refine((rule) => check(rule as z.infer<z.ZodObject<TShape>>), { message, path: [path] });
  return {
    type: definition.type,
    title: definition.title,
    schema,
    evaluate: definition.evaluate as AnyRuleDefinition['evaluate'],
  };
}

/** The release's evidence of one kind, newest first. */
export function evidenceOfKind(inputs: GateInputs, kind: EvidenceKind): EvidenceInput[] {
  return inputs.evidence
    .filter((item) => item.kind === kind)
    .sort((a, b) => (a.collectedAt < b.collectedAt ? 1 : a.collectedAt > b.collectedAt ? -1 : a.sha256 < b.sha256 ? -1 : 1));
}

export function missing(kind: EvidenceKind, threshold: JsonValue, hint: string): RuleOutcome {
  return { status: 'missing', message: `no ${kind} evidence was given with this release; ${hint}`, measured: null, threshold, evidence: [] };
}

/** The parsed summary of a piece of evidence, typed as its kind's summary. */
export function summaryOf<TSummary>(item: EvidenceInput): TSummary {
  return item.summary as unknown as TSummary;
}
