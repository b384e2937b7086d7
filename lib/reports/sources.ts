/**
 * The rows of each report, read a page at a time with the same queries the console's lists use
 * (so an export shows exactly what the filtered list shows), as plain records ready for a format.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { comments, gateDecisions, policies, users } from '@/db/schema/runtime';
import { listSignOffs, type SignOffView } from '@/lib/console/approvals';
import { eachAuditEvent } from '@/lib/console/audit';
import type { AuditFilters, PassportFilters } from '@/lib/console/filters';
import { describeSummary } from '@/lib/console/evidence';
import { eachPassportPage, type PassportListRow } from '@/lib/console/passports';
import type { GateInputs } from '@/lib/gate/inputs';
import type { RuleResult } from '@/lib/gate/evaluate';

export const REPORTS = ['passports', 'decisions', 'audit'] as const;
export type ReportKind = (typeof REPORTS)[number];

export type ReportRow = Record<string, unknown>;

export interface ReportColumn {
  key: string;
  header: string;
}

/** Who, what and how it was judged: the first columns of the passports and decisions reports. */
const RELEASE_COLUMNS: ReportColumn[] = [
  { key: 'passportId', header: 'Passport' },
  { key: 'evaluatedAt', header: 'Evaluated at' },
  { key: 'service', header: 'Service' },
  { key: 'environment', header: 'Environment' },
  { key: 'decision', header: 'Decision' },
  { key: 'mode', header: 'Mode' },
  { key: 'blocking', header: 'Blocking' },
  { key: 'sourceSha', header: 'Source SHA' },
  { key: 'imageDigest', header: 'Image digest' },
  { key: 'chartVersion', header: 'Chart version' },
];

export const COLUMNS: Record<ReportKind, ReportColumn[]> = {
  passports: RELEASE_COLUMNS,
  decisions: [
    ...RELEASE_COLUMNS.slice(0, 6),
    { key: 'requestedMode', header: 'Policy mode' },
    RELEASE_COLUMNS[6]!,
    { key: 'policy', header: 'Policy' },
    { key: 'policyVersion', header: 'Policy version' },
    { key: 'actor', header: 'Requested by' },
    { key: 'reasons', header: 'Reasons' },
    { key: 'notes', header: 'Notes' },
    { key: 'evidence', header: 'Evidence' },
    { key: 'approvals', header: 'Approvals' },
    { key: 'rejections', header: 'Rejections' },
    { key: 'comments', header: 'Comments' },
    { key: 'inputHash', header: 'Input hash' },
  ],
  audit: [
    { key: 'seq', header: 'Seq' },
    { key: 'at', header: 'At' },
    { key: 'actor', header: 'Actor' },
    { key: 'actorType', header: 'Actor type' },
    { key: 'action', header: 'Action' },
    { key: 'resource', header: 'Resource' },
    { key: 'outcome', header: 'Outcome' },
    { key: 'reason', header: 'Reason' },
    { key: 'requestId', header: 'Request id' },
    { key: 'ip', header: 'Client address' },
    { key: 'details', header: 'Details' },
    { key: 'hash', header: 'Hash' },
  ],
};

export interface ReportQuery {
  report: ReportKind;
  passportFilters: PassportFilters;
  auditFilters: AuditFilters;
}

function releaseRecord(row: PassportListRow): ReportRow {
  return {
    passportId: row.id,
    evaluatedAt: row.evaluatedAt.toISOString(),
    service: row.service,
    environment: row.environment,
    decision: row.decision,
    mode: row.mode,
    blocking: row.blocking,
    sourceSha: row.sourceSha,
    imageDigest: row.imageDigest,
    chartVersion: row.chartVersion,
  };
}

/** The report's rows, one page (array) at a time. */
export async function* reportPages(db: RuntimeDb, workspaceId: string, query: ReportQuery, pageSize = 500): AsyncGenerator<ReportRow[]> {
  if (query.report === 'audit') {
    let page: ReportRow[] = [];
    for await (const event of eachAuditEvent(db, workspaceId, query.auditFilters, pageSize)) {
      page.push({
        seq: event.seq,
        at: event.at.toISOString(),
        actor: event.actorLabel ?? event.actorId ?? event.actorType,
        actorType: event.actorType,
        action: event.action,
        resource: event.resourceType ? `${event.resourceType}${event.resourceId ? `:${event.resourceId}` : ''}` : null,
        outcome: event.outcome,
        reason: event.reason,
        requestId: event.requestId,
        ip: event.ip,
        details: event.details,
        hash: event.hash,
      });
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
    return;
  }
  for await (const passports of eachPassportPage(db, workspaceId, query.passportFilters, pageSize)) {
    if (query.report === 'passports') {
      yield passports.map(releaseRecord);
      continue;
    }
    const decisions = await db
      .select({
        passportId: gateDecisions.passportId,
        releaseId: gateDecisions.releaseId,
        requestedMode: gateDecisions.requestedMode,
        policyId: gateDecisions.policyId,
        policyVersion: gateDecisions.policyVersion,
        reasons: gateDecisions.reasons,
        notes: gateDecisions.notes,
        actor: gateDecisions.actor,
        inputHash: gateDecisions.inputHash,
        inputs: gateDecisions.inputs,
        policyName: policies.name,
      })
      .from(gateDecisions)
      .leftJoin(policies, and(eq(policies.id, gateDecisions.policyId), eq(policies.workspaceId, workspaceId)))
      .where(and(eq(gateDecisions.workspaceId, workspaceId), inArray(gateDecisions.passportId, passports.map((row) => row.id))));
    const byPassport = new Map(decisions.map((decision) => [decision.passportId, decision]));
    const discussion = await db
      .select({ passportId: comments.passportId, body: comments.body, at: comments.createdAt, author: users.email })
      .from(comments)
      .leftJoin(users, eq(users.id, comments.authorId))
      .where(and(eq(comments.workspaceId, workspaceId), inArray(comments.passportId, passports.map((row) => row.id))))
      .orderBy(asc(comments.createdAt));
    const commentsOf = groupedBy(discussion, (comment) => comment.passportId, (comment) => ({ author: comment.author, at: comment.at.toISOString(), body: comment.body }));
    // Sign-offs are of the release (every passport of it shows them): who, in which role, when, and their note.
    const { approvalsOf, rejectionsOf } = await signOffsOf(db, workspaceId, [...new Set(decisions.map((decision) => decision.releaseId))]);
    yield passports.map((row) => {
      const decision = byPassport.get(row.id);
      return {
        ...releaseRecord(row),
        requestedMode: decision?.requestedMode ?? null,
        policy: decision?.policyName ?? null,
        policyVersion: decision?.policyVersion ?? null,
        actor: decision?.actor ?? null,
        reasons: ((decision?.reasons ?? []) as RuleResult[]).map(({ ruleId, type, status, effect, message, measured, threshold, evidence }) => ({
          ruleId,
          type,
          status,
          effect,
          message,
          measured,
          threshold,
          evidence,
        })),
        notes: decision?.notes ?? [],
        evidence: ((decision?.inputs as GateInputs | undefined)?.evidence ?? []).map((item) => ({
          kind: item.kind,
          sha256: item.sha256,
          size: item.size,
          collectedAt: item.collectedAt,
          summary: describeSummary(item.kind, item.summary),
          details: item.summary,
        })),
        approvals: decision ? (approvalsOf.get(decision.releaseId) ?? []) : [],
        rejections: decision ? (rejectionsOf.get(decision.releaseId) ?? []) : [],
        comments: commentsOf.get(row.id) ?? [],
        inputHash: decision?.inputHash ?? null,
      };
    });
  }
}

function groupedBy<T, V>(rows: readonly T[], keyOf: (row: T) => string, valueOf: (row: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const list = groups.get(keyOf(row)) ?? [];
    list.push(valueOf(row));
    groups.set(keyOf(row), list);
  }
  return groups;
}

/** Approvals and rejections of these releases, oldest first: who (email and name), in which role, when, and the note. */
async function signOffsOf(db: RuntimeDb, workspaceId: string, releaseIds: string[]) {
  const [approved, rejected] = await Promise.all([listSignOffs(db, workspaceId, 'approval', releaseIds), listSignOffs(db, workspaceId, 'rejection', releaseIds)]);
  const byRelease = (row: SignOffView) => row.releaseId;
  return {
    approvalsOf: groupedBy(approved, byRelease, (row) => ({ approver: row.email, name: row.name, role: row.role, at: row.at.toISOString(), note: row.note })),
    rejectionsOf: groupedBy(rejected, byRelease, (row) => ({ rejecter: row.email, name: row.name, role: row.role, at: row.at.toISOString(), note: row.note })),
  };
}
