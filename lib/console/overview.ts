/**
 * The workspace overview: what needs someone's attention now. Recent decisions; services whose
 * latest passport in an environment is denied (blocked, or would be in enforce) or warned; the
 * evidence behind each latest passport that has gone stale since; and, for each service in each
 * environment, what changed since the passport before. Every figure comes from index probes whose
 * cost follows the number of services and environments, not the number of passports.
 */
import { and, count, eq, gte } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { passports, type Decision, type PolicyMode } from '@/db/schema/runtime';
import { roleSchema, type Role } from '@/lib/domain/primitives';
import type { RuleResult } from '@/lib/gate/evaluate';
import type { PassportStatement } from '@/lib/passport/statement';
import type { PolicyRule } from '@/lib/policy/schema';
import { policyVersion } from '@/lib/policy/store';
import { latestPassportsByPair } from './catalog';
import { passportChanges, type Change } from './changes';
import { ageLimits, judgeFreshness, type FreshnessJudgement } from './evidence';
import { passportPage, type PassportListRow } from './passports';

export interface PairSummary {
  service: string;
  environment: string;
  production: boolean;
  passportId: string;
  decision: Decision;
  mode: PolicyMode;
  blocking: boolean;
  evaluatedAt: Date;
  /** The rules that did not pass, worst first. */
  failing: Array<Pick<RuleResult, 'ruleId' | 'status' | 'effect' | 'message'>>;
  /** Approvals rules this passport failed: what each asks for and how many it counted. */
  approvalsNeeded: ApprovalNeed[];
  /** Since the passport before this one; null when this is the first. */
  changes: Change[] | null;
  previousPassportId: string | null;
}

export interface ApprovalNeed {
  ruleId: string;
  count: number;
  role: Role;
  have: number;
  /** Standing rejections the rule weighed (present only when there were some): they fail it whatever the approvals. */
  rejections?: number;
  /** The rule does not count the approval of the person who asked for the release (present only when set). */
  forbidRequesterApproval?: true;
}

export interface StaleEvidence {
  service: string;
  environment: string;
  passportId: string;
  kind: string;
  sha256: string;
  collectedAt: string;
  freshness: FreshnessJudgement;
}

export interface Overview {
  recent: PassportListRow[];
  attention: PairSummary[];
  pairs: PairSummary[];
  stale: StaleEvidence[];
  last24h: { passports: number; denied: number };
}

const EFFECT_ORDER = { deny: 0, warn: 1, none: 2 } as const;

export async function workspaceOverview(db: RuntimeDb, workspaceId: string, now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - 86_400_000);
  const [recent, latest, [total], [denied]] = await Promise.all([
    passportPage(db, workspaceId, { serviceId: null, environmentId: null, from: null, until: null }, null, 10),
    latestPassportsByPair(db, workspaceId, 2),
    db.select({ n: count() }).from(passports).where(and(eq(passports.workspaceId, workspaceId), gte(passports.createdAt, since))),
    db
      .select({ n: count() })
      .from(passports)
      .where(and(eq(passports.workspaceId, workspaceId), eq(passports.decision, 'deny'), gte(passports.createdAt, since))),
  ]);

  const rulesCache = new Map<string, Promise<PolicyRule[]>>();
  const rulesOf = (statement: PassportStatement): Promise<PolicyRule[]> => {
    const { id, version } = statement.predicate.policy;
    const key = `${id}@${version}`;
    if (!rulesCache.has(key)) rulesCache.set(key, policyVersion(db, workspaceId, id, version).then((policy) => (policy?.rules ?? []) as PolicyRule[]));
    return rulesCache.get(key)!;
  };

  const pairs: PairSummary[] = [];
  const stale: StaleEvidence[] = [];
  for (const pair of latest) {
    const [newest, previous] = pair.passports;
    if (!newest) continue;
    const statement = JSON.parse(newest.payload) as PassportStatement;
    const before = previous ? (JSON.parse(previous.payload) as PassportStatement) : null;
    pairs.push({
      service: pair.service,
      environment: pair.environment,
      production: pair.production,
      passportId: newest.id,
      decision: newest.decision,
      mode: newest.mode,
      blocking: newest.blocking,
      evaluatedAt: newest.evaluatedAt,
      failing: statement.predicate.decision.reasons
        .filter((reason) => reason.status !== 'pass')
        .sort((a, b) => EFFECT_ORDER[a.effect] - EFFECT_ORDER[b.effect])
        .map(({ ruleId, status, effect, message }) => ({ ruleId, status, effect, message })),
      approvalsNeeded: statement.predicate.decision.reasons.filter((reason) => reason.type === 'approvals' && reason.status !== 'pass').map(approvalNeed),
      changes: before ? passportChanges(before, statement) : null,
      previousPassportId: previous?.id ?? null,
    });
    const limits = ageLimits(await rulesOf(statement));
    for (const item of statement.predicate.evidence) {
      const freshness = judgeFreshness(item.collectedAt, now, limits.get(item.kind));
      if (freshness.freshness === 'stale') {
        stale.push({ service: pair.service, environment: pair.environment, passportId: newest.id, kind: item.kind, sha256: item.sha256, collectedAt: item.collectedAt, freshness });
      }
    }
  }
  const attention = pairs
    .filter((pair) => pair.decision !== 'allow')
    .sort((a, b) => Number(b.blocking) - Number(a.blocking) || (a.decision === b.decision ? 0 : a.decision === 'deny' ? -1 : 1) || b.evaluatedAt.getTime() - a.evaluatedAt.getTime());
  stale.sort((a, b) => b.freshness.ageHours - a.freshness.ageHours);
  return { recent: recent.rows, attention, pairs, stale, last24h: { passports: total?.n ?? 0, denied: denied?.n ?? 0 } };
}

/** An approvals rule's result as the overview names it (its threshold and measure, lib/gate/rules/process.ts). */
function approvalNeed(reason: RuleResult): ApprovalNeed {
  const threshold = (reason.threshold ?? {}) as { count?: unknown; role?: unknown; forbidRequesterApproval?: unknown };
  const measured = (reason.measured ?? {}) as { approvals?: unknown; rejections?: unknown };
  return {
    ruleId: reason.ruleId,
    count: typeof threshold.count === 'number' ? threshold.count : 1,
    role: roleSchema.catch('maintainer').parse(threshold.role),
    have: typeof measured.approvals === 'number' ? measured.approvals : 0,
    ...(typeof measured.rejections === 'number' && measured.rejections > 0 ? { rejections: measured.rejections } : {}),
    ...(threshold.forbidRequesterApproval === true ? { forbidRequesterApproval: true as const } : {}),
  };
}
