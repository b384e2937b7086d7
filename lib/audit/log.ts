/**
 * Appending to the audit log. Each chain (a workspace, or the installation) is a sequence
 * seq = 1, 2, 3… where every event carries the previous event's hash. Appends to one chain are
 * serialized by a transaction-scoped advisory lock, so concurrent requests (and replicas) never
 * fork it; appends to different chains do not wait for each other.
 */
import crypto from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { RuntimeDb } from '@/db/runtime';
import { auditCheckpoints, auditEvents } from '@/db/schema/runtime';
import { noteAuditAppend } from './request-scope';
import { chainOf, GENESIS_HASH, hashAuditEvent, normalizeDetails, type AuditEventInput, type HashedAuditEvent } from './event';

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
 * event commit together (or not at all); a plain database handle opens its own transaction.
 */
export async function appendAuditEvent(db: DbOrTx, input: AuditEventInput): Promise<AppendedEvent> {
  // Inside the caller's transaction no savepoint is needed: a failed append fails that transaction,
  // which is what auditing a change in the same transaction means. Two round trips fewer per change.
  return db instanceof PgTransaction ? appendInTransaction(db, input) : db.transaction((tx) => appendInTransaction(tx, input));
}

async function appendInTransaction(tx: DbOrTx, input: AuditEventInput): Promise<AppendedEvent> {
  const chain = chainOf(input.workspaceId);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'rp.audit:' + chain}, 0))`);
  // A statement that starts after the lock is held: it sees every append committed before.
  const { seq, prevHash } = await chainHead(tx, chain);
  const event: HashedAuditEvent = {
    id: crypto.randomUUID(),
    chain,
    seq,
    workspaceId: input.workspaceId,
    at: input.at ?? new Date(),
    actorType: input.actor.type,
    actorId: input.actor.id ?? null,
    actorLabel: input.actor.label ?? null,
    action: input.action,
    resourceType: input.resource?.type ?? null,
    resourceId: input.resource?.id ?? null,
    outcome: input.outcome,
    reason: input.reason ?? null,
    requestId: input.requestId ?? null,
    ip: input.ip ?? null,
    details: normalizeDetails(input.details),
    prevHash,
  };
  const hash = hashAuditEvent(event);
  await tx.insert(auditEvents).values({ ...event, outcome: input.outcome, hash });
  noteAuditAppend();
  return { id: event.id, chain, seq, hash };
}

/** The next sequence number and the hash to link to: the last event, or the last checkpoint. */
async function chainHead(tx: DbOrTx, chain: string): Promise<{ seq: number; prevHash: string }> {
  const [last] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.chain, chain))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  if (last) return { seq: last.seq + 1, prevHash: last.hash };
  const [checkpoint] = await tx
    .select({ uptoSeq: auditCheckpoints.uptoSeq, uptoHash: auditCheckpoints.uptoHash })
    .from(auditCheckpoints)
    .where(and(eq(auditCheckpoints.chain, chain)))
    .orderBy(desc(auditCheckpoints.uptoSeq))
    .limit(1);
  if (checkpoint) return { seq: checkpoint.uptoSeq + 1, prevHash: checkpoint.uptoHash };
  return { seq: 1, prevHash: GENESIS_HASH };
}
