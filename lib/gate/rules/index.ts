/** Every rule type the gate knows, by `type`. */
import { CONNECTOR_RULES } from './connectors';
import { evidenceRequired, licenseDeny, sarifSeverity, sbomPresent, testsPass, vulnerabilitySeverity } from './evidence';
import { checksumMatch, provenanceSubject } from './integrity';
import { approvalsRequired, changeFreeze } from './process';
import type { AnyRuleDefinition } from './types';

export const RULE_DEFINITIONS: readonly AnyRuleDefinition[] = [
  evidenceRequired,
  sbomPresent,
  sarifSeverity,
  vulnerabilitySeverity,
  licenseDeny,
  testsPass,
  checksumMatch,
  provenanceSubject,
  changeFreeze,
  approvalsRequired,
  ...CONNECTOR_RULES,
];

const byType = new Map(RULE_DEFINITIONS.map((definition) => [definition.type, definition]));

export function ruleDefinition(type: string): AnyRuleDefinition | undefined {
  return byType.get(type);
}
