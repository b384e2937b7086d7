/**
 * Two passports side by side (issue 20: "a diff between any two passports"): what was released,
 * the decision, the policy version, the evidence judged (added and removed, by kind and digest),
 * each rule's result (status and message before and after), and the SARIF findings the two judged
 * logs list (new and gone). All from the signed inputs, so it compares what each decision saw.
 */
import type { RuntimeDb } from '@/db/runtime';
import { SEVERITIES, type SarifFinding, type SarifSummary } from '@/lib/evidence/parsers/sarif';
import { SHA256_HEX_PATTERN } from '@/lib/domain/primitives';
import type { RuleResult } from '@/lib/gate/evaluate';
import type { GateInputs } from '@/lib/gate/inputs';
import { ProblemError } from '@/lib/http/problem';
import { passportDetails, type PassportDetails } from '@/lib/passport/store';

export interface ComparedSide {
  id: string;
  service: string;
  environment: string;
  imageDigest: string;
  sourceSha: string;
  decision: PassportDetails['decision'];
  mode: PassportDetails['mode'];
  blocking: boolean;
  evaluatedAt: string;
  policy: { name: string; version: number; hash: string };
}

export interface EvidenceRef {
  kind: string;
  sha256: string;
  collectedAt: string;
}

export interface RuleChange {
  ruleId: string;
  type: string;
  before: Pick<RuleResult, 'status' | 'message'> | null;
  after: Pick<RuleResult, 'status' | 'message'> | null;
}

export interface PassportComparison {
  before: ComparedSide;
  after: ComparedSide;
  evidence: { added: EvidenceRef[]; removed: EvidenceRef[]; unchanged: number };
  /** Rules whose status or message differ, or that only one policy version has. */
  rules: RuleChange[];
  rulesUnchanged: number;
  /** SARIF findings listed by one side's logs and not the other's (most severe first). */
  findings: { added: SarifFinding[]; removed: SarifFinding[] };
}

/** Null when either id is not a passport of this workspace (the page answers 404). */
export async function comparePassports(db: RuntimeDb, workspaceId: string, beforeId: string, afterId: string): Promise<PassportComparison | null> {
  if (!SHA256_HEX_PATTERN.test(beforeId) || !SHA256_HEX_PATTERN.test(afterId)) return null;
  let before: PassportDetails;
  let after: PassportDetails;
  try {
    [before, after] = await Promise.all([passportDetails(db, workspaceId, beforeId), passportDetails(db, workspaceId, afterId)]);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return null;
    throw error;
  }
  return {
    before: side(before),
    after: side(after),
    evidence: compareEvidence(before.inputs.evidence, after.inputs.evidence),
    ...compareRules(before.statement.predicate.decision.reasons, after.statement.predicate.decision.reasons),
    findings: compareFindings(before.inputs.evidence, after.inputs.evidence),
  };
}

function side(details: PassportDetails): ComparedSide {
  const { release, policy } = details.statement.predicate;
  return {
    id: details.id,
    service: release.service,
    environment: release.environment,
    imageDigest: release.imageDigest,
    sourceSha: release.sourceSha,
    decision: details.decision,
    mode: details.mode,
    blocking: details.blocking,
    evaluatedAt: details.evaluatedAt,
    policy: { name: policy.name, version: policy.version, hash: policy.hash },
  };
}

function compareEvidence(before: GateInputs['evidence'], after: GateInputs['evidence']): PassportComparison['evidence'] {
  const key = (item: { kind: string; sha256: string }) => `${item.kind}:${item.sha256}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const ref = ({ kind, sha256, collectedAt }: GateInputs['evidence'][number]): EvidenceRef => ({ kind, sha256, collectedAt });
  return {
    added: after.filter((item) => !beforeKeys.has(key(item))).map(ref),
    removed: before.filter((item) => !afterKeys.has(key(item))).map(ref),
    unchanged: after.filter((item) => beforeKeys.has(key(item))).length,
  };
}

function compareRules(before: RuleResult[], after: RuleResult[]): Pick<PassportComparison, 'rules' | 'rulesUnchanged'> {
  const beforeById = new Map(before.map((result) => [result.ruleId, result]));
  const afterById = new Map(after.map((result) => [result.ruleId, result]));
  const ids = [...new Set([...after.map((result) => result.ruleId), ...before.map((result) => result.ruleId)])];
  const rules: RuleChange[] = [];
  let rulesUnchanged = 0;
  for (const ruleId of ids) {
    const was = beforeById.get(ruleId);
    const is = afterById.get(ruleId);
    if (was && is && was.status === is.status && was.message === is.message) {
      rulesUnchanged++;
      continue;
    }
    rules.push({
      ruleId,
      type: (is ?? was)!.type,
      before: was ? { status: was.status, message: was.message } : null,
      after: is ? { status: is.status, message: is.message } : null,
    });
  }
  return { rules, rulesUnchanged };
}

function compareFindings(before: GateInputs['evidence'], after: GateInputs['evidence']): PassportComparison['findings'] {
  const findingsOf = (evidence: GateInputs['evidence']) =>
    evidence.filter((item) => item.kind === 'sarif').flatMap((item) => (item.summary as unknown as SarifSummary).findings ?? []);
  // The same finding in a new scan: same rule, same place, same message.
  const key = (finding: SarifFinding) => [finding.ruleId, finding.file ?? '', finding.line ?? '', finding.message ?? ''].join('\u0000');
  const beforeFindings = findingsOf(before);
  const afterFindings = findingsOf(after);
  const beforeKeys = new Set(beforeFindings.map(key));
  const afterKeys = new Set(afterFindings.map(key));
  const rank = (finding: SarifFinding) => SEVERITIES.indexOf(finding.severity);
  return {
    added: afterFindings.filter((finding) => !beforeKeys.has(key(finding))).sort((a, b) => rank(a) - rank(b)),
    removed: beforeFindings.filter((finding) => !afterKeys.has(key(finding))).sort((a, b) => rank(a) - rank(b)),
  };
}
