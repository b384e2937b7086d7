/**
 * The gate's judgement: a pure function of (normalized inputs, policy, evaluation time). No clock,
 * randomness or map order enters it, so the same arguments always give the same decision, and a
 * replay of stored inputs reproduces it exactly.
 */
import type { PolicyMode, PolicyRule } from '@/lib/policy/schema';
import type { Decision } from '@/db/schema/runtime';
import { normalizeInputs, type GateInputs } from './inputs';
import { ruleDefinition } from './rules';
import { policyTrustedKeys } from './rules/integrity';
import type { JsonValue, RuleEffect, RuleStatus } from './rules/types';
import type { VexApplication } from './vex';

/** The policy as applied: identity, version and content. */
export interface AppliedPolicy {
  id: string;
  name: string;
  version: number;
  hash: string;
  mode: PolicyMode;
  rules: PolicyRule[];
}

export interface RuleResult {
  ruleId: string;
  type: string;
  status: RuleStatus;
  /** What the result does to the decision. */
  effect: RuleEffect;
  message: string;
  measured: JsonValue;
  threshold: JsonValue;
  evidence: string[];
  /** Findings rules of a release with VEX evidence: the suppressions and the statements not applied (absent otherwise). */
  vex?: VexApplication;
}

export interface Evaluation {
  decision: Decision;
  /** The mode applied (enforce on production without a license is applied as advisory). */
  mode: PolicyMode;
  /** The policy's own mode. */
  requestedMode: PolicyMode;
  /** True only when the mode is enforce and the decision deny: CI must stop. */
  blocking: boolean;
  reasons: RuleResult[];
  notes: string[];
}

export const PRODUCTION_LICENSE_NOTE =
  'Enforce mode on a production environment needs a license with production entitlement; none is installed, so this decision was applied in advisory mode and does not block.';

export function evaluateRelease(rawInputs: GateInputs, policy: AppliedPolicy, evaluatedAt: string): Evaluation {
  const inputs = normalizeInputs(rawInputs);
  const context = { inputs, evaluatedAt, trustedKeys: policyTrustedKeys(policy.rules) };
  const reasons = policy.rules.map((rule): RuleResult => {
    const definition = ruleDefinition(rule.type);
    if (!definition) {
      return {
        ruleId: rule.id,
        type: rule.type,
        status: 'fail',
        effect: rule.onFail,
        message: `this runtime does not know rule type "${rule.type}"; upgrade it or change the policy`,
        measured: null,
        threshold: null,
        evidence: [],
      };
    }
    const outcome = definition.evaluate(rule, context);
    const status: RuleStatus = outcome.status === 'fail' && rule.onFail === 'warn' ? 'warn' : outcome.status;
    return {
      ruleId: rule.id,
      type: rule.type,
      status,
      effect: status === 'pass' ? 'none' : rule.onFail,
      message: outcome.message,
      measured: outcome.measured,
      threshold: outcome.threshold,
      evidence: outcome.evidence,
      ...(outcome.vex ? { vex: outcome.vex } : {}),
    };
  });

  const decision: Decision = reasons.some((reason) => reason.effect === 'deny') ? 'deny' : reasons.some((reason) => reason.effect === 'warn') ? 'warn' : 'allow';
  const notes: string[] = [];
  let mode = policy.mode;
  if (mode === 'enforce' && inputs.release.production && !inputs.license.productionEnforcement) {
    mode = 'advisory';
    notes.push(PRODUCTION_LICENSE_NOTE);
  }
  const explained = modeNote(mode, decision);
  if (explained) notes.push(explained);
  return { decision, mode, requestedMode: policy.mode, blocking: mode === 'enforce' && decision === 'deny', reasons, notes };
}

/**
 * What a non-blocking mode means for this decision, as the passport records it (part of the
 * signed payload: the wording must not change for a given mode and decision).
 */
export function modeNote(mode: string, decision: string): string | null {
  if (mode === 'shadow' && decision !== 'allow') return `Shadow mode: the decision (${decision}) is recorded and never blocks.`;
  if (mode === 'advisory' && decision === 'deny') return 'Advisory mode: this release would be denied in enforce mode; it is not blocked.';
  return null;
}
