/**
 * Appending to the audit log. Each chain (a workspace, or the installation) is a sequence
 * seq = 1, 2, 3… where every event carries the previous event's hash. One SQL statement appends:
 * it advances the chain's head (audit_chain_heads; its row lock serializes appends to one chain,
 * across requests and replicas, while other chains do not wait) and inserts the event linked to
 * the head it locked. The database computes the link from the canonical JSON this side sends in
 * two halves around the seq (lib/audit/event.ts), so no round trip is needed to learn the head
 * first. A change and its event can go in that same statement (auditedStatement). Appends to
 * one chain that arrive together share one transaction and its commit (group-commit.ts).
 */
import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { compiledStatement, type StatementHandle } from '@/db/statement';
import { runGrouped } from './group-commit';
import { noteAuditAppend } from '@/lib/http/request-scope';
import { canonicalBodyAroundSeq, chainOf, GENESIS_HASH, normalizeDetails, wellFormedText, type AuditEventInput } from './event';

/** A database handle or an open transaction (drizzle's transactions share the query API). */
export type DbOrTx = Pick<RuntimeDb, 'select' | 'selectDistinct' | 'insert' | 'update' | 'delete' | 'execute' | 'transaction'>;

export interface AppendedEvent {
  id: string;
  chain: string;
  seq: number;
  hash: string;
}

/**
 * Appends one event. Pass the transaction of the change being audited so that the change and its
 * event commit together (or not at all); on a plain handle the statement is its own transaction.
 */
export async function appendAuditEvent(db: DbOrTx, input: AuditEventInput): Promise<AppendedEvent> {
  return appendOnly(db, input, {});
}

const appendOnly = auditedStatement(() => []);

/**
 * A statement that writes `changes` (INSERT / UPDATE statements, each run as a common table
 * expression) and the audit event recording them: one round trip, all of it or none of it.
 * Compiled once (db/statement.ts); each call passes the event and the changes' placeholder values.
 */
export function auditedStatement(changes: (db: StatementHandle, value: (name: string) => never) => SQL[]) {
  const statement = compiledStatement<{ seq: number | string; hash: string }>(
    (db, value) =>
      sql`with ${auditAppendCtes(value)}${sql.join(changes(db, value).map((change, index) => sql`, ${sql.raw(`audited_change_${index}`)} as (${change})`))} select seq, hash from audit_event`,
  );
  return async function run(db: DbOrTx, input: AuditEventInput, values: Record<string, unknown>): Promise<AppendedEvent> {
    const event = auditEventValues(input);
    const [row] = await runGrouped(db, event.chain, statement, { ...values, ...event.values });
    noteAuditAppend();
    return { id: event.id, chain: event.chain, seq: Number(row!.seq), hash: row!.hash };
  };
}

/**
 * The event's columns (all but seq, prev_hash and hash, which the database fills in), as the
 * statement's placeholder values (audit_*). Written out rather than mapped over: this runs on
 * every gate evaluation.
 */
function auditEventValues(input: AuditEventInput): { id: string; chain: string; values: Record<string, unknown> } {
  const chain = chainOf(input.workspaceId);
  const id = crypto.randomUUID();
  const at = input.at ?? new Date();
  // Text columns are made well-formed here; normalizeDetails does the details.
  const event = {
    id,
    chain,
    workspaceId: wellFormedText(input.workspaceId),
    at,
    actorType: input.actor.type.toWellFormed(),
    actorId: wellFormedText(input.actor.id),
    actorLabel: wellFormedText(input.actor.label),
    action: input.action.toWellFormed(),
    resourceType: wellFormedText(input.resource?.type),
    resourceId: wellFormedText(input.resource?.id),
    outcome: input.outcome.toWellFormed(),
    reason: wellFormedText(input.reason),
    requestId: wellFormedText(input.requestId),
    ip: wellFormedText(input.ip),
    details: normalizeDetails(input.details),
  };
  const { before, after } = canonicalBodyAroundSeq(event);
  return {
    id,
    chain,
    values: {
      audit_id: id,
      audit_chain: chain,
      audit_workspaceId: event.workspaceId,
      audit_at: at.toISOString(),
      audit_actorType: event.actorType,
      audit_actorId: event.actorId,
      audit_actorLabel: event.actorLabel,
      audit_action: event.action,
      audit_resourceType: event.resourceType,
      audit_resourceId: event.resourceId,
      audit_outcome: event.outcome,
      audit_reason: event.reason,
      audit_requestId: event.requestId,
      audit_ip: event.ip,
      audit_details: JSON.stringify(event.details),
      audit_before: `\n${before}`,
      audit_after: after,
    },
  };
}

/**
 * audit_input, audit_head and audit_event (which returns the event's seq and hash). A new chain
 * starts at seq 1 after the genesis hash; an existing one moves its head one step, under the head
 * row's lock, and links to the hash it held.
 */
function auditAppendCtes(placeholder: (name: string) => never): SQL {
  const value = (name: string) => placeholder(`audit_${name}`);
  return sql`audit_input as (select ${value('before')}::text as before, ${value('after')}::text as after),
    audit_head as (
      insert into audit_chain_heads as head (chain, seq, prev_hash, hash)
      select ${value('chain')}::text, 1, ${GENESIS_HASH}::text, encode(sha256(convert_to(${GENESIS_HASH}::text || before || '1' || after, 'UTF8')), 'hex') from audit_input
      on conflict (chain) do update set
        seq = head.seq + 1,
        prev_hash = head.hash,
        hash = encode(sha256(convert_to(head.hash || (select before from audit_input) || (head.seq + 1)::text || (select after from audit_input), 'UTF8')), 'hex')
      returning seq, prev_hash, hash
    ),
    audit_event as (
      insert into audit_events (id, chain, seq, workspace_id, at, actor_type, actor_id, actor_label, action, resource_type, resource_id, outcome, reason, request_id, ip, details, prev_hash, hash)
      select ${value('id')}::uuid, ${value('chain')}::text, seq, ${value('workspaceId')}::uuid, ${value('at')}::text::timestamptz, ${value('actorType')}::text,
        ${value('actorId')}::text, ${value('actorLabel')}::text, ${value('action')}::text, ${value('resourceType')}::text, ${value('resourceId')}::text,
        ${value('outcome')}::text, ${value('reason')}::text, ${value('requestId')}::text, ${value('ip')}::text, ${value('details')}::text::jsonb, prev_hash, hash
      from audit_head
      returning seq, hash
    )`;
}
