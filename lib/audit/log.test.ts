import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditChainHeads, auditCheckpoints, auditEvents } from '@/db/schema/runtime';
import { eq } from 'drizzle-orm';
import { appendAuditEvent } from './log';
import { withAuditRetentionPurge } from './retention';
import { verifyAllAuditChains, verifyAuditChain } from './verify';
import { GENESIS_HASH, INSTALLATION_CHAIN } from './event';

const actor = { type: 'user' as const, id: 'u-1', label: 'dev@example.test' };

async function workspaceId(): Promise<string> {
  const db = await getRuntimeDb();
  const rows = await db.execute(sql`insert into workspaces (slug, name) values (${'w-' + crypto.randomUUID().slice(0, 8)}, 'W') returning id`);
  const list = (rows as unknown as { rows?: Array<{ id: string }> }).rows ?? (rows as unknown as Array<{ id: string }>);
  return list[0]!.id;
}

async function appendMany(chainWorkspace: string | null, n: number) {
  const db = await getRuntimeDb();
  for (let i = 0; i < n; i++) {
    await appendAuditEvent(db, { actor, workspaceId: chainWorkspace, action: 'test.event', resource: { type: 'thing', id: String(i) }, outcome: i % 2 ? 'deny' : 'allow', reason: i % 2 ? 'not allowed' : null, requestId: `req-${i}`, ip: '10.0.0.1', details: { i, nested: { b: 2, a: 1 } } });
  }
}

/** Drizzle wraps the database's error: the trigger's message is in the cause. */
async function expectRefused(query: PromiseLike<unknown>, message = /append-only/): Promise<void> {
  const error = await Promise.resolve(query).then(() => null, (e: unknown) => e as Error & { cause?: Error });
  expect(error, 'the statement should have been refused').not.toBeNull();
  expect(`${error!.message} ${error!.cause?.message ?? ''}`).toMatch(message);
}

describe('the audit log', () => {
  it('links every event to the previous one, per chain, starting from the genesis hash', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 5);
    await appendMany(null, 2);
    const rows = await db.select().from(auditEvents).where(eq(auditEvents.chain, ws)).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows[1]).toMatchObject({ workspaceId: ws, actorType: 'user', actorId: 'u-1', actorLabel: 'dev@example.test', action: 'test.event', resourceType: 'thing', resourceId: '1', outcome: 'deny', reason: 'not allowed', requestId: 'req-1', ip: '10.0.0.1' });
    const verified = await verifyAuditChain(db, ws);
    expect(verified).toMatchObject({ ok: true, checked: 5, firstSeq: 1, lastSeq: 5, broken: null });
    expect((await verifyAuditChain(db, INSTALLATION_CHAIN)).ok).toBe(true);
  });

  it('never forks a chain under concurrent appends', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.concurrent', outcome: 'allow', details: { i } })));
    const rows = await db.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.chain, ws)).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyAuditChain(db, ws)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 1);
    await expectRefused(db.update(auditEvents).set({ reason: 'rewritten' }).where(eq(auditEvents.chain, ws)));
    await expectRefused(db.delete(auditEvents).where(eq(auditEvents.chain, ws)));
    await expectRefused(db.execute(sql`truncate audit_events`));
    await expect(db.execute(sql`delete from audit_checkpoints`)).resolves.toBeDefined(); // no rows: nothing to refuse
    expect((await verifyAuditChain(db, ws)).ok).toBe(true);
  });

  it('detects a tampered row and reports the first broken link', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 6);
    // An attacker with DDL rights switches the guard off and edits event 3.
    await db.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await db.execute(sql`update audit_events set outcome = 'allow', reason = null where chain = ${ws} and seq = 4`);
    await db.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    const result = await verifyAuditChain(db, ws);
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(3);
    expect(result.broken).toMatchObject({ seq: 4, action: 'test.event', reason: expect.stringMatching(/modified after it was written/) });
    const all = await verifyAllAuditChains(db);
    expect(all.find((c) => c.chain === ws)?.ok).toBe(false);
  });

  it('detects a deleted row in the middle of a chain', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 4);
    await db.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await db.execute(sql`delete from audit_events where chain = ${ws} and seq = 2`);
    await db.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    const result = await verifyAuditChain(db, ws);
    expect(result.broken).toMatchObject({ seq: 2, reason: 'event seq 2 is missing (next present: 3)' });
  });

  it('detects a rewritten chain whose hashes were recomputed but whose link to the next event breaks', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 3);
    await db.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await db.execute(sql`update audit_events set prev_hash = ${'f'.repeat(64)} where chain = ${ws} and seq = 2`);
    await db.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    expect((await verifyAuditChain(db, ws)).broken).toMatchObject({ seq: 2, reason: 'prev_hash does not match the hash of the previous event' });
  });

  it('detects events removed from the end of a chain', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 4);
    await db.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await db.execute(sql`delete from audit_events where chain = ${ws} and seq >= 3`);
    await db.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    expect((await verifyAuditChain(db, ws)).broken).toMatchObject({ seq: 3, reason: "events after seq 2 are missing: the chain's head is at seq 4" });
  });

  it('lets a chain head only move one step forward, so no append can fork the chain', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 3);
    await expectRefused(db.update(auditChainHeads).set({ seq: 1, hash: GENESIS_HASH }).where(eq(auditChainHeads.chain, ws)), /only moves forward/);
    await expectRefused(db.delete(auditChainHeads).where(eq(auditChainHeads.chain, ws)), /only moves forward/);
    await expectRefused(db.execute(sql`truncate audit_chain_heads`), /only moves forward/);
    await appendMany(ws, 1);
    expect(await verifyAuditChain(db, ws)).toMatchObject({ ok: true, lastSeq: 4 });
  });

  it('hashes in the database exactly the bytes the verifier hashes, whatever the details hold', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    const awkward = [
      { seq: 99, nested: { seq: 0, workspaceId: 'x' }, '"seq":0,"workspaceId":': 'a key that looks like the cut' },
      { text: 'quotes " and \\ backslashes, \n newlines, tabs \t, nul-free control \u0001', emoji: '🚀 Grüße 日本', lone: '\ud800' },
      { numbers: [0, -1, 1.5, 1e21, 2 ** 53 - 1], empty: {}, list: [] },
    ];
    for (const details of awkward) await appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.awkward', outcome: 'allow', details });
    await appendAuditEvent(db, { actor: { type: 'anonymous' }, workspaceId: ws, action: 'test.nulls', outcome: 'deny' });
    expect(await verifyAuditChain(db, ws)).toMatchObject({ ok: true, checked: 4 });
  });

  it('lets a retention purge remove a prefix behind a checkpoint, and the rest still verifies', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 5);
    const [third] = await db.select().from(auditEvents).where(sql`${auditEvents.chain} = ${ws} and ${auditEvents.seq} = 3`);
    await withAuditRetentionPurge(db, async (tx) => {
      await tx.insert(auditCheckpoints).values({ chain: ws, workspaceId: ws, uptoSeq: 3, uptoHash: third!.hash, purgedCount: 3, signature: 'sig', keyId: 'k' });
      await tx.delete(auditEvents).where(sql`${auditEvents.chain} = ${ws} and ${auditEvents.seq} <= 3`);
    });
    // Outside the purge the guard is back.
    await expectRefused(db.delete(auditEvents).where(eq(auditEvents.chain, ws)));
    await appendMany(ws, 1);
    const result = await verifyAuditChain(db, ws, { verifyCheckpoint: (c) => c.signature === 'sig' });
    expect(result).toMatchObject({ ok: true, checked: 3, firstSeq: 4, lastSeq: 6, checkpoint: { uptoSeq: 3, signatureVerified: true } });
    expect((await verifyAuditChain(db, ws, { verifyCheckpoint: () => false })).broken?.reason).toMatch(/invalid signature/);
    await expectRefused(db.delete(auditCheckpoints).where(eq(auditCheckpoints.chain, ws)));
  });

  it('reports a purge without a checkpoint', async () => {
    const db = await getRuntimeDb();
    const ws = await workspaceId();
    await appendMany(ws, 3);
    await withAuditRetentionPurge(db, (tx) => tx.delete(auditEvents).where(sql`${auditEvents.chain} = ${ws} and ${auditEvents.seq} = 1`));
    expect((await verifyAuditChain(db, ws)).broken?.reason).toMatch(/no retention checkpoint/);
  });
});
