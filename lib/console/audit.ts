/**
 * The audit log viewer: the workspace's hash chain, newest first, in keyset pages by sequence
 * number (the chain's own order, index audit_events_chain_seq_idx), filtered by actor, action,
 * resource, outcome and time; one event with everything it recorded; and the verification of the
 * whole chain (lib/audit/verify) so a reviewer sees whether anything was altered or removed.
 */
import { and, desc, eq, gte, ilike, like, lt, or, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { chainOf } from '@/lib/audit/event';
import { DECISIONS, POLICY_MODES, type Decision, type PolicyMode } from '@/lib/domain/primitives';
import { verifyAuditChain, type ChainVerification } from '@/lib/audit/verify';
import { decodeCursor, encodeCursor, INTEGER_ID, UUID_ID } from './cursor';
import { dayRange, type AuditFilters } from './filters';

export const AUDIT_PAGE_SIZE = 50;

/**
 * The gate's decision an event records (gate.evaluate: allow, warn or deny, in its mode), or null.
 * The log's outcome column says whether the request was permitted, so a denied release reads
 * "allowed" there; the row shows the decision beside the action so nobody takes one for the other.
 */
export function gateDecisionOf(details: unknown): { decision: Decision; mode: PolicyMode; blocking: boolean } | null {
  if (!details || typeof details !== 'object') return null;
  const { decision, mode, blocking } = details as Record<string, unknown>;
  if (!DECISIONS.includes(decision as Decision) || !POLICY_MODES.includes(mode as PolicyMode)) return null;
  return { decision: decision as Decision, mode: mode as PolicyMode, blocking: blocking === true };
}

export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditPage {
  rows: AuditEventRow[];
  next: string | null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

export function auditConditions(workspaceId: string, filters: AuditFilters): Array<SQL | undefined> {
  const { from, until } = dayRange(filters);
  const resource = filters.resource?.split(':');
  const actor = filters.actor;
  return [
    eq(auditEvents.chain, chainOf(workspaceId)),
    eq(auditEvents.workspaceId, workspaceId),
    actor ? or(ilike(auditEvents.actorLabel, `%${escapeLike(actor)}%`), eq(auditEvents.actorId, actor)) : undefined,
    filters.action ? (filters.action.endsWith('.') ? like(auditEvents.action, `${escapeLike(filters.action)}%`) : eq(auditEvents.action, filters.action)) : undefined,
    resource?.[0] ? eq(auditEvents.resourceType, resource[0]) : undefined,
    resource && resource.length > 1 ? eq(auditEvents.resourceId, resource.slice(1).join(':')) : undefined,
    filters.outcome ? eq(auditEvents.outcome, filters.outcome) : undefined,
    from ? gte(auditEvents.at, from) : undefined,
    until ? lt(auditEvents.at, until) : undefined,
  ];
}

export async function listAuditEvents(db: RuntimeDb, workspaceId: string, filters: AuditFilters, page: { cursor?: string | null; limit?: number } = {}): Promise<AuditPage> {
  const size = Math.min(Math.max(1, Math.floor(page.limit ?? AUDIT_PAGE_SIZE)), 500);
  const before = decodeCursor(page.cursor, [INTEGER_ID])?.[0];
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...auditConditions(workspaceId, filters), before ? lt(auditEvents.seq, Number(before)) : undefined))
    .orderBy(desc(auditEvents.seq))
    .limit(size + 1);
  const more = rows.length > size;
  const shown = more ? rows.slice(0, size) : rows;
  const last = shown[shown.length - 1];
  return { rows: shown, next: more && last ? encodeCursor([String(last.seq)]) : null };
}

/** Every event the filters select, page by page (exports). */
export async function* eachAuditEvent(db: RuntimeDb, workspaceId: string, filters: AuditFilters, pageSize = 500): AsyncGenerator<AuditEventRow> {
  let cursor: string | null = null;
  do {
    const page: AuditPage = await listAuditEvents(db, workspaceId, filters, { cursor, limit: pageSize });
    yield* page.rows;
    cursor = page.next;
  } while (cursor);
}

export async function auditEvent(db: RuntimeDb, workspaceId: string, id: string): Promise<AuditEventRow | null> {
  if (!UUID_ID.test(id)) return null;
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), eq(auditEvents.chain, chainOf(workspaceId)), eq(auditEvents.id, id)));
  return row ?? null;
}

/** Action families, for the filter's suggestions (a family matches every action under it). */
export const ACTION_FAMILIES = ['api.', 'approval.', 'comment.', 'connector.', 'license.', 'member.', 'page.', 'policy.', 'rejection.', 'report.', 'secret.', 'session.', 'token.', 'workspace.'];

export async function verifyWorkspaceChain(db: RuntimeDb, workspaceId: string): Promise<ChainVerification> {
  return verifyAuditChain(db, chainOf(workspaceId));
}
