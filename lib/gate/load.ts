/**
 * Everything a gate evaluation reads, in one round trip: the service, environment and release
 * ids, the evidence named, the release's approvals and rejections, who asked for it, and the
 * policies that could apply. The gate is on every CI pipeline's path and its throughput is budgeted against the framework's own
 * (content/docs/operations/performance.md); one query instead of seven is most of that budget. The first evaluation of
 * a new service, environment or release creates them and reads again.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { compiledStatement } from '@/db/statement';
import type { AppliedPolicy } from './evaluate';
import type { PolicyMode, PolicyRule } from '@/lib/policy/schema';
import type { EvidenceKind } from '@/lib/evidence/kinds';
import type { ApprovalInput, EvidenceInput, RejectionInput } from './inputs';
import { RECORDED_PASSPORT_PAYLOAD, type RecordedAnswer } from './idempotency';

export interface ReleaseContext {
  serviceId: string | null;
  environmentId: string | null;
  production: boolean;
  /** The service or environment is archived: the gate takes no new releases for it. */
  serviceArchived: boolean;
  environmentArchived: boolean;
  releaseId: string | null;
  evidence: EvidenceInput[];
  approvals: ApprovalInput[];
  rejections: RejectionInput[];
  /** Who first asked the gate for the release, when a person did. */
  requestingPerson: string | null;
  /** The applicable policy (most specific first: service+environment, service, environment, workspace). */
  policy: AppliedPolicy | null;
  /** Read with an Idempotency-Key: what is recorded under it (live, not expired), or null. */
  recorded: RecordedAnswer | null;
}

interface Row {
  service_id: string | null;
  environment_id: string | null;
  production: boolean | null;
  service_archived: boolean | null;
  environment_archived: boolean | null;
  release_id: string | null;
  evidence: Array<{
    sha256: string;
    storedSha256: string;
    redactions: number | null;
    kind: string;
    mediaType: string;
    size: number | string;
    collectedAt: string;
    summary: Record<string, unknown>;
  }> | null;
  approvals: Array<{ approver: string; role: ApprovalInput['role']; at: string }> | null;
  rejections: Array<{ rejecter: string; name: string; role: RejectionInput['role']; at: string; note: string }> | null;
  requested_by: string | null;
  policies: Array<{ id: string; name: string; version: number; hash: string; mode: PolicyMode; rules: PolicyRule[]; scopeKey: string }> | null;
  recorded?: RecordedAnswer | null;
}

/**
 * With `idempotencyKey`, the same round trip also reads the answer recorded under the key (and
 * removes the key when it has expired, so it can be used again): the key costs no round trip of
 * its own, on a retry or on a first call (`rp gate` always sends one). Recording the answer with the
 * decision still costs a keyed call more than one without (content/docs/operations/performance.md).
 */
export async function loadReleaseContext(
  db: RuntimeDb,
  workspaceId: string,
  release: { service: string; environment: string; sourceSha: string; imageDigest: string; chartVersion: string | null; evidence: readonly string[] },
  idempotencyKey: string | null = null,
): Promise<ReleaseContext> {
  const query = idempotencyKey === null ? releaseContextQuery : releaseContextWithRecordedAnswerQuery;
  const [row] = await query(db, {
    idempotencyKey,
    workspaceId,
    digests: `{${release.evidence.join(',')}}`,
    service: release.service,
    environment: release.environment,
    sourceSha: release.sourceSha,
    imageDigest: release.imageDigest,
    chartVersion: release.chartVersion ?? '',
  });
  if (!row) throw new Error('the release context query returned no row');
  const order = row.service_id && row.environment_id ? [`${row.service_id}|${row.environment_id}`, `${row.service_id}|*`, `*|${row.environment_id}`, '*|*'] : ['*|*'];
  const policies = (row.policies ?? []).filter((policy) => order.includes(policy.scopeKey)).sort((a, b) => order.indexOf(a.scopeKey) - order.indexOf(b.scopeKey));
  const best = policies[0];
  return {
    serviceId: row.service_id,
    environmentId: row.environment_id,
    production: row.production ?? false,
    serviceArchived: row.service_archived ?? false,
    environmentArchived: row.environment_archived ?? false,
    releaseId: row.release_id,
    // Times come back with microseconds; the inputs carry milliseconds, as every other read does.
    evidence: (row.evidence ?? []).map((item) => ({
      sha256: item.sha256,
      kind: item.kind as EvidenceKind,
      mediaType: item.mediaType,
      size: Number(item.size),
      collectedAt: new Date(item.collectedAt).toISOString(),
      summary: item.summary,
      // Sanitized before storage: the stored copy has a digest of its own (absent when unchanged).
      ...(item.storedSha256 !== item.sha256 ? { stored: { sha256: item.storedSha256, redactions: Number(item.redactions ?? 0) } } : {}),
    })),
    approvals: (row.approvals ?? []).map((item) => ({ approver: item.approver, role: item.role, at: new Date(item.at).toISOString() })),
    rejections: (row.rejections ?? []).map((item) => ({ ...item, at: new Date(item.at).toISOString() })),
    requestingPerson: row.requested_by,
    policy: best ? { id: best.id, name: best.name, version: best.version, hash: best.hash, mode: best.mode, rules: best.rules } : null,
    recorded: row.recorded ?? null,
  };
}

/** The columns and joins of the context, shared by both statements below. */
function releaseContextSelect(value: (name: string) => never, extraColumns: SQL = sql``): SQL {
  return sql`
    select
      s.id as service_id,
      e.id as environment_id,
      e.production as production,
      s.archived_at is not null as service_archived,
      e.archived_at is not null as environment_archived,
      r.id as release_id,
      r.requested_by as requested_by,
      (select json_agg(json_build_object(
          'sha256', ev.sha256, 'kind', ev.kind, 'mediaType', ev.media_type, 'size', ev.size,
          'collectedAt', ev.collected_at, 'summary', ev.summary,
          'storedSha256', ev.stored_sha256, 'redactions', ev.redactions->'count'))
        from evidence ev
        where ev.workspace_id = ${value('workspaceId')}::uuid and ev.sha256 = any(${value('digests')}::text[])) as evidence,
      (select json_agg(json_build_object('approver', a.approver_id, 'role', a.role, 'at', a.created_at) order by a.created_at)
        from approvals a
        where a.workspace_id = ${value('workspaceId')}::uuid and a.release_id = r.id) as approvals,
      (select json_agg(json_build_object('rejecter', j.rejecter_id, 'name', coalesce(nullif(u.name, ''), u.email), 'role', j.role, 'at', j.created_at, 'note', j.note) order by j.created_at)
        from rejections j join users u on u.id = j.rejecter_id
        where j.workspace_id = ${value('workspaceId')}::uuid and j.release_id = r.id) as rejections,
      (select json_agg(json_build_object(
          'id', p.id, 'name', p.name, 'version', p.version, 'hash', p.hash, 'mode', p.mode, 'rules', p.rules, 'scopeKey', p.scope_key))
        from policies p
        where p.workspace_id = ${value('workspaceId')}::uuid
          and p.scope_key in (s.id::text || '|' || e.id::text, s.id::text || '|*', '*|' || e.id::text, '*|*')) as policies${extraColumns}
    from (select 1) as one
    left join services s on s.workspace_id = ${value('workspaceId')}::uuid and s.slug = ${value('service')}::text
    left join environments e on e.workspace_id = ${value('workspaceId')}::uuid and e.slug = ${value('environment')}::text
    left join releases r on r.workspace_id = ${value('workspaceId')}::uuid and r.service_id = s.id and r.environment_id = e.id
      and r.source_sha = ${value('sourceSha')}::text and r.image_digest = ${value('imageDigest')}::text
      and coalesce(r.chart_version, '') = ${value('chartVersion')}::text
  `;
}

/** Compiled once (db/statement.ts): the gate runs this on every evaluation. */
const releaseContextQuery = compiledStatement<Row>((_db, value) => releaseContextSelect(value));

/**
 * The same with the answer recorded under the request's Idempotency-Key. The subquery reads the
 * statement's snapshot, from before the CTE's delete of an expired key, hence its own expiry test.
 */
const releaseContextWithRecordedAnswerQuery = compiledStatement<Row>(
  (_db, value) => sql`
    with expired_key as (
      delete from gate_idempotency_keys
      where workspace_id = ${value('workspaceId')}::uuid and key = ${value('idempotencyKey')}::text and expires_at <= now()
    )
    ${releaseContextSelect(
      value,
      sql`,
      (select json_build_object('requestHash', k.request_hash, 'response', k.response, 'passportPayload', ${RECORDED_PASSPORT_PAYLOAD})
        from gate_idempotency_keys k
        where k.workspace_id = ${value('workspaceId')}::uuid and k.key = ${value('idempotencyKey')}::text and k.expires_at > now()) as recorded`,
    )}
  `,
);
