/**
 * The one sanctioned way to remove audit events (retention, built in lib/retention by the
 * secrets/retention work). The database trigger in db/migrations/runtime/post/010_audit_append_only.sql
 * refuses every DELETE unless the transaction set `rp.audit_retention_purge` to `on`; this sets it
 * transaction-locally, so it can never leak into another request on a pooled connection.
 *
 * Contract for the caller, so that `rp audit verify` still passes afterwards:
 *   1. in one transaction, insert an audit_checkpoints row for the chain with upto_seq / upto_hash of
 *      the LAST event being removed, signed (signature, key_id);
 *   2. delete only events of that chain with seq <= upto_seq (a prefix of the chain, never the middle);
 *   3. append an audit event ("audit.purge") recording what was removed.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from './log';

export async function withAuditRetentionPurge<T>(db: DbOrTx, purge: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('rp.audit_retention_purge', 'on', true)`);
    const result = await purge(tx);
    // Off again, in case this ran inside a larger transaction (a failure rolls it back anyway).
    await tx.execute(sql`select set_config('rp.audit_retention_purge', 'off', true)`);
    return result;
  });
}
