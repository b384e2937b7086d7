/**
 * A policy document: a mode and typed rules, validated with zod when saved (every rule type's
 * parameters come from its definition in lib/gate/rules). Its hash is the sha256 of the canonical
 * JSON of the parsed document (defaults applied), so the passport names exactly what was applied.
 */
import { z } from 'zod';
import { RULE_DEFINITIONS } from '@/lib/gate/rules';
import type { RuleBase } from '@/lib/gate/rules/types';
import { canonicalHash } from '@/lib/json/canonical';

import { POLICY_MODES, type PolicyMode } from '@/lib/domain/primitives';

export { POLICY_MODES, type PolicyMode };

const [first, ...rest] = RULE_DEFINITIONS.map((definition) => definition.schema);

/** One rule: `{ id, type, onFail?, description?, ...parameters of its type }`. */
export const ruleSchema = z.discriminatedUnion('type', [first!, ...rest], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown rule type; the types are ${RULE_DEFINITIONS.map((definition) => definition.type).join(', ')}`
      : undefined,
});

export type PolicyRule = RuleBase & Record<string, unknown>;

export const policyDocumentSchema = z
  .object({
    mode: z.enum(POLICY_MODES),
    rules: z.array(ruleSchema).max(100),
  })
  .strict()
  .superRefine((document, context) => {
    const seen = new Set<string>();
    document.rules.forEach((rule, index) => {
      const id = (rule as { id: string }).id;
      if (seen.has(id)) context.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `rule id "${id}" is used twice; ids must be unique` });
      seen.add(id);
    });
  });

export interface PolicyDocument {
  mode: PolicyMode;
  rules: PolicyRule[];
}

/** Validates (and applies defaults to) a policy document; throws a ZodError naming what is wrong. */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  return policyDocumentSchema.parse(input) as PolicyDocument;
}

export function policyHash(document: PolicyDocument): string {
  return canonicalHash({ mode: document.mode, rules: document.rules });
}

/**
 * The policy a new pipeline starts with (docs/security-model.md: "Pipeline starts in shadow mode before
 * advisory or enforce"): the common release checks, judged and recorded, never blocking.
 */
export const STARTER_POLICY: PolicyDocument = parsePolicyDocument({
  mode: 'shadow',
  rules: [
    { id: 'sbom', type: 'sbom-present', description: 'An SBOM lists what is shipped.' },
    { id: 'no-critical-or-high-findings', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
    { id: 'provenance-matches-image', type: 'provenance-subject', description: 'The build provenance is about the image being released.' },
    {
      id: 'no-strong-copyleft',
      type: 'license-deny',
      licenses: ['AGPL-3.0-only', 'AGPL-3.0-or-later', 'SSPL-1.0'],
      onFail: 'warn',
    },
  ],
});
