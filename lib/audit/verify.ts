/**
 * The audit chain verifier (`rp audit verify`): recomputes every event's hash in sequence order
 * and reports the first link that does not hold: an edited row (its hash no longer matches its
 * content), a removed or inserted row (a gap in seq, or prev_hash not the previous hash), or a
 * purge without a checkpoint, or events cut from the end (the chain's head is further on). Reads in pages, so it runs in constant memory on any chain length.
 */
import { and, asc, eq, gt, desc, lte } from 'drizzle-orm';
import { auditChainHeads, auditCheckpoints, auditEvents } from '@/db/schema/runtime';
import { GENESIS_HASH, hashAuditEvent } from './event';
import type { DbOrTx } from './log';

const PAGE = 1000;

export interface BrokenLink {
  seq: number;
  id: string | null;
  at: Date | null;
  action: string | null;
  reason: string;
}

export interface ChainVerification {
  chain: string;
  ok: boolean;
  /** Events whose hash and link were checked. */
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHash: string | null;
  /** The retention checkpoint the chain starts from, if any. */
  checkpoint: { uptoSeq: number; uptoHash: string; signatureVerified: boolean | null } | null;
  broken: BrokenLink | null;
}

export interface VerifyOptions {
  /**
   * Checks a retention checkpoint's signature (lib/audit/retention.ts signs them). Without it the
   * checkpoint's link is still checked, and `signatureVerified` is reported as null.
   */
  verifyCheckpoint?: (checkpoint: typeof auditCheckpoints.$inferSelect) => boolean | Promise<boolean>;
}

export async function listAuditChains(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectDistinct({ chain: auditEvents.chain }).from(auditEvents).orderBy(asc(auditEvents.chain));
  return rows.map((row) => row.chain);
}

export async function verifyAllAuditChains(db: DbOrTx, options: VerifyOptions = {}): Promise<ChainVerification[]> {
  const results: ChainVerification[] = [];
  for (const chain of await listAuditChains(db)) results.push(await verifyAuditChain(db, chain, options));
  return results;
}

export async function verifyAuditChain(db: DbOrTx, chain: string, options: VerifyOptions = {}): Promise<ChainVerification> {
  const result: ChainVerification = { chain, ok: true, checked: 0, firstSeq: null, lastSeq: null, lastHash: null, checkpoint: null, broken: null };
  const fail = (broken: BrokenLink): ChainVerification => ({ ...result, ok: false, broken });

  const [first] = await db.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.chain, chain)).orderBy(asc(auditEvents.seq)).limit(1);
  if (!first) return result;

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  if (first.seq !== 1) {
    // Retention removed the beginning: a checkpoint must name exactly the last removed event.
    const [checkpoint] = await db
      .select()
      .from(auditCheckpoints)
      .where(and(eq(auditCheckpoints.chain, chain), lte(auditCheckpoints.uptoSeq, first.seq - 1)))
      .orderBy(desc(auditCheckpoints.uptoSeq))
      .limit(1);
    if (!checkpoint || checkpoint.uptoSeq !== first.seq - 1) {
      return fail({ seq: first.seq, id: null, at: null, action: null, reason: `events before seq ${first.seq} are missing and no retention checkpoint accounts for them` });
    }
    const signatureVerified = options.verifyCheckpoint ? await options.verifyCheckpoint(checkpoint) : null;
    result.checkpoint = { uptoSeq: checkpoint.uptoSeq, uptoHash: checkpoint.uptoHash, signatureVerified };
    if (signatureVerified === false) {
      return fail({ seq: first.seq, id: null, at: null, action: null, reason: `the retention checkpoint up to seq ${checkpoint.uptoSeq} has an invalid signature` });
    }
    expectedSeq = checkpoint.uptoSeq + 1;
    prevHash = checkpoint.uptoHash;
  }

  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, chain), gt(auditEvents.seq, expectedSeq - 1)))
      .orderBy(asc(auditEvents.seq))
      .limit(PAGE);
    for (const row of rows) {
      const where = { seq: row.seq, id: row.id, at: row.at, action: row.action };
      if (row.seq !== expectedSeq) {
        return fail({ ...where, seq: expectedSeq, reason: `event seq ${expectedSeq} is missing (next present: ${row.seq})` });
      }
      if (row.prevHash !== prevHash) {
        return fail({ ...where, reason: 'prev_hash does not match the hash of the previous event' });
      }
      if (row.chain !== (row.workspaceId ?? 'installation')) {
        return fail({ ...where, reason: 'the event was moved between chains' });
      }
      const recomputed = hashAuditEvent({
        id: row.id,
        chain: row.chain,
        seq: row.seq,
        workspaceId: row.workspaceId,
        at: row.at,
        actorType: row.actorType,
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        resourceType: row.resourceType,
        resourceId: row.resourceId,
        outcome: row.outcome,
        reason: row.reason,
        requestId: row.requestId,
        ip: row.ip,
        details: row.details,
        prevHash: row.prevHash,
      });
      if (recomputed !== row.hash) {
        return fail({ ...where, reason: 'the event was modified after it was written (its hash does not match its content)' });
      }
      result.firstSeq ??= row.seq;
      result.lastSeq = row.seq;
      result.lastHash = row.hash;
      result.checked++;
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < PAGE) return checkHead(db, result, fail);
  }
}

/** The chain's head (where the next append links) must be its last event: otherwise events were cut from the end. */
async function checkHead(db: DbOrTx, result: ChainVerification, fail: (broken: BrokenLink) => ChainVerification): Promise<ChainVerification> {
  const [head] = await db.select().from(auditChainHeads).where(eq(auditChainHeads.chain, result.chain));
  if (!head || result.lastSeq === null) return result;
  if (head.seq !== result.lastSeq || head.hash !== result.lastHash) {
    return fail({
      seq: result.lastSeq + 1,
      id: null,
      at: null,
      action: null,
      reason: `events after seq ${result.lastSeq} are missing: the chain's head is at seq ${head.seq}`,
    });
  }
  return result;
}
