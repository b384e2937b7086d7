/**
 * Replaying a passport: its stored inputs and policy version, judged again at its evaluation
 * time, must give the same payload byte for byte. Pure (no database), so the server and the
 * rp CLI run the very same code, and a CLI replay is an independent check of the server.
 */
import { evaluateRelease, type AppliedPolicy } from '@/lib/gate/evaluate';
import type { GateInputs } from '@/lib/gate/inputs';
import { diffJson, type JsonDifference } from './diff';
import { buildPassport, type PassportStatement } from './statement';

export interface ReplayResult {
  match: boolean;
  passportId: string;
  replayedId: string;
  differences: JsonDifference[];
}

/** Re-judges a passport's inputs; pure given the details (the CLI runs the same code offline). */
export function replayDetails(details: { id: string; statement: PassportStatement; inputs: GateInputs; policy: AppliedPolicy }): ReplayResult {
  const evaluatedAt = details.statement.predicate.decision.evaluatedAt;
  const evaluation = evaluateRelease(details.inputs, details.policy, evaluatedAt);
  const replayed = buildPassport(details.inputs, details.policy, evaluation, evaluatedAt, details.statement.predicate.decision.id, details.statement.predicate.requestedBy);
  return {
    match: replayed.id === details.id,
    passportId: details.id,
    replayedId: replayed.id,
    differences: replayed.id === details.id ? [] : diffJson(details.statement, replayed.statement),
  };
}

