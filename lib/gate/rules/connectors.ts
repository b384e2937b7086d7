/**
 * Connector rule types (lib/connectors/rules.ts: metric below a threshold, no open incident,
 * GitOps app synced and healthy, CI green, running image = released digest...) as gate rules.
 * They judge `inputs.connectorReadings`: readings taken through the workspace's connectors at
 * evaluation time and snapshotted into the inputs, so a replay judges the same readings.
 */
import { z } from 'zod';
import { CONNECTOR_RULE_SPECS, judgeConnectorRule } from '@/lib/connectors/rules';
import { ruleBaseShape, type AnyRuleDefinition } from './types';

export const CONNECTOR_RULES: AnyRuleDefinition[] = CONNECTOR_RULE_SPECS.map((spec) => ({
  type: spec.type,
  title: spec.title,
  schema: z.object({ ...ruleBaseShape, type: z.literal(spec.type), ...spec.params }).strict(),
  evaluate: (rule, { inputs, evaluatedAt }) =>
    judgeConnectorRule(spec, rule, {
      readings: inputs.connectorReadings,
      release: { sourceSha: inputs.release.sourceSha, imageDigest: inputs.release.imageDigest },
      evaluatedAt,
    }),
}));
