/**
 * The passport: an in-toto Statement (v1) whose subjects are the released image (and the source
 * commit) and whose predicate records what was judged and the decision. Its canonical JSON
 * (RFC 8785) is the signed payload; its id is the sha256 of those bytes. Built only from the
 * inputs, the policy, the evaluation and the decision's id, so equal arguments give equal bytes,
 * and every decision has a passport of its own (two identical calls are two decisions).
 */
import type { AppliedPolicy, Evaluation } from '@/lib/gate/evaluate';
import { inputHash, normalizeInputs, type GateInputs } from '@/lib/gate/inputs';
import { canonicalJson, sha256Hex } from '@/lib/json/canonical';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PASSPORT_PREDICATE_TYPE = 'https://releasepassport.com/passport/v1';

/**
 * Who asked the gate, signed into the passport: a CI run (its OIDC identity: issuer, repository,
 * ref, workflow, run id), an API token or a person, as the audit log names them.
 */
export interface PassportRequester {
  type: 'ci' | 'token' | 'user';
  label: string;
  /** The CI identity of an exchanged gate token (lib/ci-identity/exchange.ts). */
  ci?: Record<string, string>;
}

export interface PassportStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: Array<{ name: string; digest: Record<string, string> }>;
  predicateType: typeof PASSPORT_PREDICATE_TYPE;
  predicate: {
    workspace: string;
    release: GateInputs['release'];
    /**
     * The evidence judged, named by the sha256 of the bytes CI sent; `stored` when the sanitizer
     * changed them before storage (absent otherwise, and in passports made before it was added).
     */
    evidence: Array<{ kind: string; sha256: string; mediaType: string; size: number; collectedAt: string; stored?: { sha256: string; redactions: number } }>;
    artifacts: GateInputs['artifacts'];
    approvals: GateInputs['approvals'];
    /** Standing rejections the decision counted (absent when there were none). */
    rejections?: NonNullable<GateInputs['rejections']>;
    connectorReadings: GateInputs['connectorReadings'];
    policy: { id: string; name: string; version: number; hash: string; mode: AppliedPolicy['mode'] };
    decision: {
      /** The gate decision this passport records: one passport per decision (absent in passports made before it was added). */
      id?: string;
      result: Evaluation['decision'];
      mode: Evaluation['mode'];
      requestedMode: Evaluation['requestedMode'];
      blocking: boolean;
      evaluatedAt: string;
      reasons: Evaluation['reasons'];
      notes: string[];
    };
    /** sha256 of the canonical normalized input snapshot. */
    inputHash: string;
    /** Who asked (absent in passports made before it was added). */
    requestedBy?: PassportRequester;
  };
}

export interface BuiltPassport {
  id: string;
  /** The canonical JSON text: exactly the bytes signed. */
  payload: string;
  statement: PassportStatement;
}

export function buildPassport(
  rawInputs: GateInputs,
  policy: AppliedPolicy,
  evaluation: Evaluation,
  evaluatedAt: string,
  decisionId?: string,
  requestedBy?: PassportRequester,
): BuiltPassport {
  const inputs = normalizeInputs(rawInputs);
  const { release } = inputs;
  const statement: PassportStatement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [
      { name: release.service, digest: { sha256: release.imageDigest.slice('sha256:'.length) } },
      { name: `${release.service}@source`, digest: { gitCommit: release.sourceSha } },
    ],
    predicateType: PASSPORT_PREDICATE_TYPE,
    predicate: {
      workspace: inputs.workspace,
      release,
      evidence: inputs.evidence.map(({ kind, sha256, mediaType, size, collectedAt, stored }) => ({ kind, sha256, mediaType, size, collectedAt, ...(stored ? { stored } : {}) })),
      artifacts: inputs.artifacts,
      approvals: inputs.approvals,
      ...(inputs.rejections ? { rejections: inputs.rejections } : {}),
      connectorReadings: inputs.connectorReadings,
      policy: { id: policy.id, name: policy.name, version: policy.version, hash: policy.hash, mode: policy.mode },
      decision: {
        ...(decisionId ? { id: decisionId } : {}),
        result: evaluation.decision,
        mode: evaluation.mode,
        requestedMode: evaluation.requestedMode,
        blocking: evaluation.blocking,
        evaluatedAt,
        reasons: evaluation.reasons,
        notes: evaluation.notes,
      },
      inputHash: inputHash(inputs),
      ...(requestedBy ? { requestedBy } : {}),
    },
  };
  const payload = canonicalJson(statement);
  return { id: sha256Hex(payload), payload, statement };
}
