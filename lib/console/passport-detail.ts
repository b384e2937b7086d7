/**
 * One passport as the console shows it: what was released, the evidence judged (with its
 * freshness then and now), every rule's result with the measured value and the threshold, the
 * signature checked here on the server against the workspace's published keys, a replay of the
 * decision, and the comments, approvals and rejections around it.
 */
import { and, desc, eq, inArray, lt, ne } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { evidence as evidenceTable, gateDecisions, passports, policies } from '@/db/schema/runtime';
import { roleSchema, SHA256_HEX_PATTERN, type Role } from '@/lib/domain/primitives';
import type { RuleResult } from '@/lib/gate/evaluate';
import { ProblemError } from '@/lib/http/problem';
import type { PolicyRule } from '@/lib/policy/schema';
import { publishedKeys } from '@/lib/passport/signing-keys';
import type { PassportRequester } from '@/lib/passport/statement';
import { passportDetails, replayPassport, type PassportDetails } from '@/lib/passport/store';
import { verifyPassport } from '@/lib/passport/verify';
import { countedApprovers, countedRejections } from '@/lib/gate/rules/process';
import { releaseOrigin } from '@/lib/gate/approvals';
import { listSignOffs, type SignOffView } from './approvals';
import { listComments, type CommentView } from './comments';
import { componentsBehind, findingsBehind, type FindingsBehind, type LicenseBehind } from './findings-behind';
import { ageLimits, describeSummary, judgeFreshness, type FreshnessJudgement } from './evidence';

export interface EvidenceView {
  kind: string;
  /** The identity: sha256 of the bytes CI sent. */
  sha256: string;
  /** sha256 of the stored copy when the sanitizer changed it (null when the stored bytes are the bytes sent). */
  storedSha256: string | null;
  mediaType: string;
  size: number;
  collectedAt: string;
  summary: string;
  /** Secrets the sanitizer removed at upload (count; never the values). */
  redactions: number;
  source: string | null;
  atEvaluation: FreshnessJudgement;
  now: FreshnessJudgement;
}

export interface ReasonView extends RuleResult {
  description: string | null;
  /** For a findings rule: the findings behind its result (file, line, rule, help link). */
  findings: FindingsBehind;
  /** For a license rule: the components under each denied license. */
  licenses: LicenseBehind[];
  /** Which of `evidence` the console can open (evidence; a connector reading has no page). */
  openable: string[];
}

export interface SignatureView {
  valid: boolean;
  keyId: string;
  keyStatus: 'active' | 'retired' | 'unknown';
  reason: string | null;
}

export interface PassportView {
  id: string;
  workspace: { id: string; slug: string };
  release: PassportDetails['statement']['predicate']['release'] & { id: string };
  decision: PassportDetails['decision'];
  mode: PassportDetails['mode'];
  requestedMode: PassportDetails['mode'];
  blocking: boolean;
  evaluatedAt: string;
  notes: string[];
  inputHash: string;
  policy: { id: string; name: string; version: number; hash: string; mode: string; currentVersion: number | null };
  actor: string | null;
  /** Who asked, as signed into the passport (null in passports made before it was recorded). */
  requestedBy: PassportRequester | null;
  reasons: ReasonView[];
  evidence: EvidenceView[];
  artifacts: PassportDetails['inputs']['artifacts'];
  connectorReadings: PassportDetails['inputs']['connectorReadings'];
  /** Approvals this passport's decision counted. */
  approvalsJudged: PassportDetails['inputs']['approvals'];
  /** Approvals of the release now (the next evaluation counts these). */
  approvals: SignOffView[];
  /** Standing rejections of the release now (the next evaluation weighs these). */
  rejections: SignOffView[];
  /** The user id of the person who first asked the gate for this release, when a person did. */
  requestingPerson: string | null;
  /**
   * The approvals rules of the policy: what each asks for, how many distinct approvers it counts
   * now, and how many rejections it weighs now (any fails it).
   */
  approvalRules: Array<{ ruleId: string; count: number; role: Role; have: number; rejections: number; forbidRequesterApproval: boolean }>;
  comments: CommentView[];
  signature: SignatureView;
  replay: Awaited<ReturnType<typeof replayPassport>>;
  /** Other passports of the same release, newest first (re-evaluations). */
  history: Array<{ id: string; decision: string; mode: string; evaluatedAt: Date }>;
  /** The latest passport of another release of this service in this environment before this one (to compare with). */
  previousRelease: { id: string; decision: string; evaluatedAt: Date } | null;
  envelope: PassportDetails['envelope'];
}

export async function passportView(db: RuntimeDb, workspace: { id: string; slug: string }, id: string, now = new Date()): Promise<PassportView | null> {
  if (!SHA256_HEX_PATTERN.test(id)) return null;
  let details: PassportDetails;
  try {
    details = await passportDetails(db, workspace.id, id);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return null;
    throw error;
  }
  const [row] = await db
    .select({ releaseId: passports.releaseId, actor: gateDecisions.actor, policyId: gateDecisions.policyId, serviceId: passports.serviceId, environmentId: passports.environmentId, createdAt: passports.createdAt })
    .from(passports)
    .innerJoin(gateDecisions, and(eq(gateDecisions.id, passports.decisionId), eq(gateDecisions.workspaceId, workspace.id)))
    .where(and(eq(passports.workspaceId, workspace.id), eq(passports.id, id)));
  const releaseId = row!.releaseId;
  const predicate = details.statement.predicate;
  const rules = details.policy.rules as PolicyRule[];

  const [keys, stored, comments, approvals, rejections, origin, history, current, replay, previous] = await Promise.all([
    publishedKeys(db, workspace.slug),
    evidenceRows(db, workspace.id, predicate.evidence.map((item) => item.sha256)),
    listComments(db, workspace.id, id),
    listSignOffs(db, workspace.id, 'approval', [releaseId]),
    listSignOffs(db, workspace.id, 'rejection', [releaseId]),
    releaseOrigin(db, workspace.id, releaseId),
    db
      .select({ id: passports.id, decision: passports.decision, mode: passports.mode, evaluatedAt: passports.evaluatedAt })
      .from(passports)
      .where(and(eq(passports.workspaceId, workspace.id), eq(passports.releaseId, releaseId)))
      .orderBy(desc(passports.createdAt), desc(passports.id))
      .limit(20),
    row!.policyId
      ? db.select({ version: policies.version }).from(policies).where(and(eq(policies.workspaceId, workspace.id), eq(policies.id, row!.policyId)))
      : Promise.resolve([]),
    // The same code `rp replay` runs: re-judging the stored inputs must give the same bytes.
    replayPassport(db, workspace.id, id),
    db
      .select({ id: passports.id, decision: passports.decision, evaluatedAt: passports.evaluatedAt })
      .from(passports)
      .where(
        and(
          eq(passports.workspaceId, workspace.id),
          eq(passports.serviceId, row!.serviceId),
          eq(passports.environmentId, row!.environmentId),
          ne(passports.releaseId, releaseId),
          lt(passports.createdAt, row!.createdAt),
        ),
      )
      .orderBy(desc(passports.createdAt), desc(passports.id))
      .limit(1),
  ]);

  const verification = verifyPassport(details.envelope, (keys ?? []).map((key) => ({ keyId: key.keyId, publicKeyPem: key.publicKeyPem })));
  const signedKey = (keys ?? []).find((key) => key.keyId === details.keyId);
  const limits = ageLimits(rules);
  const evaluatedAt = new Date(details.evaluatedAt);
  const descriptions = new Map(rules.map((rule) => [rule.id, rule.description ?? null]));

  return {
    id,
    workspace,
    release: { ...predicate.release, id: releaseId },
    decision: details.decision,
    mode: details.mode,
    requestedMode: predicate.decision.requestedMode,
    blocking: details.blocking,
    evaluatedAt: details.evaluatedAt,
    notes: predicate.decision.notes,
    inputHash: predicate.inputHash,
    policy: { ...predicate.policy, currentVersion: current[0]?.version ?? null },
    requestedBy: predicate.requestedBy ?? null,
    actor: row!.actor,
    reasons: predicate.decision.reasons.map((reason) => ({
      ...reason,
      description: descriptions.get(reason.ruleId) ?? null,
      findings: findingsBehind(reason, details.inputs.evidence),
      licenses: componentsBehind(reason, details.inputs.evidence),
      openable: reason.evidence.filter((digest) => details.inputs.evidence.some((item) => item.sha256 === digest)),
    })),
    evidence: details.inputs.evidence.map((item) => {
      const extra = stored.get(`${item.kind}:${item.sha256}`);
      // As signed into the passport; passports made before it was signed: as the row says now.
      const storedCopy = predicate.evidence.find((signed) => signed.kind === item.kind && signed.sha256 === item.sha256)?.stored ?? extra?.stored ?? null;
      return {
        kind: item.kind,
        sha256: item.sha256,
        storedSha256: storedCopy?.sha256 ?? null,
        mediaType: item.mediaType,
        size: item.size,
        collectedAt: item.collectedAt,
        summary: describeSummary(item.kind, item.summary),
        redactions: storedCopy?.redactions ?? extra?.redactions ?? 0,
        source: extra?.source ?? null,
        atEvaluation: judgeFreshness(item.collectedAt, evaluatedAt, limits.get(item.kind)),
        now: judgeFreshness(item.collectedAt, now, limits.get(item.kind)),
      };
    }),
    artifacts: details.inputs.artifacts,
    connectorReadings: details.inputs.connectorReadings,
    approvalsJudged: details.inputs.approvals,
    approvals,
    rejections,
    requestingPerson: origin.requestedBy,
    approvalRules: rules
      .filter((rule) => rule.type === 'approvals')
      .map((rule) => {
        const counting = { role: roleSchema.catch('maintainer').parse(rule.role), forbidRequesterApproval: rule.forbidRequesterApproval === true };
        // Counted as the approvals rule counts them (lib/gate/rules/process.ts).
        const have = countedApprovers(counting, approvals.map((approval) => ({ approver: approval.personId, role: approval.role })), origin.requestedBy).length;
        return { ruleId: rule.id, count: Number(rule.count), ...counting, have, rejections: countedRejections(counting, rejections).length };
      }),
    comments,
    signature: {
      valid: verification.valid,
      keyId: details.keyId,
      keyStatus: signedKey?.status ?? 'unknown',
      reason: verification.valid ? null : verification.reason,
    },
    replay,
    history,
    previousRelease: previous[0] ?? null,
    envelope: details.envelope,
  };
}

async function evidenceRows(
  db: RuntimeDb,
  workspaceId: string,
  digests: string[],
): Promise<Map<string, { redactions: number; source: string | null; stored: { sha256: string; redactions: number } | null }>> {
  if (digests.length === 0) return new Map();
  const rows = await db
    .select({ sha256: evidenceTable.sha256, storedSha256: evidenceTable.storedSha256, kind: evidenceTable.kind, redactions: evidenceTable.redactions, source: evidenceTable.source })
    .from(evidenceTable)
    .where(and(eq(evidenceTable.workspaceId, workspaceId), inArray(evidenceTable.sha256, digests)));
  return new Map(
    rows.map((row) => {
      const redactions = (row.redactions as { count?: number }).count ?? 0;
      return [`${row.kind}:${row.sha256}`, { redactions, source: row.source, stored: row.storedSha256 !== row.sha256 ? { sha256: row.storedSha256, redactions } : null }];
    }),
  );
}
