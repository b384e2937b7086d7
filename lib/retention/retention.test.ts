import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditCheckpoints, auditEvents, gateDecisions } from '@/db/schema/runtime';
import { verifyAuditChain } from '@/lib/audit/verify';
import { configureSecrets } from '@/lib/secrets';
import { randomKeyBase64 } from '@/lib/secrets/test-support';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { deletePendingBlobs } from './blobs';
import { verifyCheckpointSignature } from './checkpoint';
import { getRetentionPolicy, setLegalHold, setRetentionPolicy } from './policy';
import { runRetention } from './purge';
import { OPERATOR, remaining, seedWorkspace, type Seeded } from './testing';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-retention-'));
const store = new FilesystemBlobStore(path.join(dataDir, 'blobs'));
const SYSTEM = { type: 'system' as const, label: 'retention test' };
let db: RuntimeDb;
let kept: Seeded;
let purged: Seeded;

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, RP_SECRETS_KEY: randomKeyBase64() } });
  db = await getRuntimeDb();
  purged = await seedWorkspace(db, 'retained', store, { policy: true });
  kept = await seedWorkspace(db, 'no-policy', store, { policy: false });
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a retention run', () => {
  it('removes exactly what the policy no longer keeps, and keeps what is held', async () => {
    // Two runs at once (workers racing): the per-workspace lock makes them one after the other.
    const [first, second] = await Promise.all([
      runRetention(db, purged.workspace, { now: new Date(), actor: SYSTEM }),
      runRetention(db, purged.workspace, { now: new Date(), actor: SYSTEM }),
    ]);
    const runs = [first!, second!].sort((a, b) => b.passports - a.passports);
    expect(runs[0]).toMatchObject({ passports: 1, decisions: 1, releases: 1, evidence: 2, blobsQueued: 2, auditEvents: purged.oldAuditEvents, deployments: 1 });
    expect(runs[1]).toMatchObject({ passports: 0, decisions: 0, releases: 0, evidence: 0, blobsQueued: 0, auditEvents: 0, deployments: 0 });

    expect(await deletePendingBlobs(db, store)).toMatchObject({ deleted: 2, failed: 0 });
    expect(await remaining(db, store, purged)).toEqual({
      passports: ['held', 'recent'],
      evidence: ['oldHeld', 'recent'],
      files: { oldUsed: false, oldHeld: true, oldUnused: false, recent: true },
      // Only the period that ended 50 days ago: the one that ended 5 days ago (started 50 days ago)
      // is in the window, and what runs now stays however long ago it started.
      deployments: ['endedRecently', 'running', 'runningSinceLongAgo'],
    });
    // The held passport keeps its decision (replay still works), the removed one lost its own.
    const decisions = await db.select({ passportId: gateDecisions.passportId }).from(gateDecisions).where(eq(gateDecisions.workspaceId, purged.workspace.id));
    expect(decisions.map((d) => d.passportId).sort()).toEqual([purged.passports.held, purged.passports.recent].sort());
    // A workspace without a policy keeps everything.
    expect(await remaining(db, store, kept)).toEqual({
      passports: ['held', 'old', 'recent'],
      evidence: ['oldHeld', 'oldUnused', 'oldUsed', 'recent'],
      files: { oldUsed: true, oldHeld: true, oldUnused: true, recent: true },
      deployments: ['endedLongAgo', 'endedRecently', 'running', 'runningSinceLongAgo'],
    });
  });

  it('leaves an audit chain that still verifies from a signed checkpoint', async () => {
    const [checkpoint, ...more] = await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, purged.workspace.id));
    expect(more).toEqual([]);
    expect(checkpoint).toMatchObject({ uptoSeq: purged.oldAuditEvents, purgedCount: purged.oldAuditEvents, workspaceId: purged.workspace.id });
    expect(await verifyCheckpointSignature(db, checkpoint!)).toBe(true);
    expect(await verifyCheckpointSignature(db, { ...checkpoint!, purgedCount: 1 })).toBe(false);
    expect(await verifyCheckpointSignature(db, { ...checkpoint!, uptoSeq: checkpoint!.uptoSeq - 1 })).toBe(false);

    const verification = await verifyAuditChain(db, purged.workspace.id, { verifyCheckpoint: (row) => verifyCheckpointSignature(db, row) });
    expect(verification).toMatchObject({ ok: true, broken: null, firstSeq: purged.oldAuditEvents + 1, checkpoint: { signatureVerified: true } });
    const old = await db.select().from(auditEvents).where(and(eq(auditEvents.chain, purged.workspace.id), eq(auditEvents.action, 'test.old')));
    expect(old).toEqual([]);
    const [purge] = await db.select().from(auditEvents).where(and(eq(auditEvents.chain, purged.workspace.id), eq(auditEvents.action, 'retention.purge')));
    expect(purge!.details).toMatchObject({
      removed: { passports: 1, evidence: 2, auditEvents: purged.oldAuditEvents, deployments: 1 },
      policy: { deploymentsDays: 30 },
      cutoffs: { deployments: expect.any(String) },
    });
    expect(await getRetentionPolicy(db, purged.workspace.id)).toMatchObject({ lastRunResult: { passports: 0, deployments: 0 } });
    // The untouched workspace's chain still starts at 1.
    expect(await verifyAuditChain(db, kept.workspace.id)).toMatchObject({ ok: true, firstSeq: 1, checkpoint: null });
  });

  it('releases a legal hold, and the next run removes the passport and its evidence', async () => {
    await setLegalHold(db, purged.workspace.id, purged.passports.held, { hold: false }, OPERATOR);
    const run = await runRetention(db, purged.workspace, { now: new Date(), actor: SYSTEM });
    expect(run).toMatchObject({ passports: 1, evidence: 1, auditEvents: 0 });
    await deletePendingBlobs(db, store);
    expect(await remaining(db, store, purged)).toMatchObject({ passports: ['recent'], evidence: ['recent'], files: { oldHeld: false, recent: true } });
  });

  it('keeps deployment history by its own window: a change without it keeps it, null keeps everything', async () => {
    // A client that predates the deployments window leaves it as it was.
    expect(await setRetentionPolicy(db, purged.workspace.id, { passportsDays: 30, evidenceDays: 30, auditDays: 90 }, OPERATOR)).toMatchObject({ deploymentsDays: 30 });
    const [update] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, purged.workspace.id), eq(auditEvents.action, 'retention.policy.update')))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    expect(update!.details).toMatchObject({ before: { deploymentsDays: 30 }, after: { deploymentsDays: 30 } });
    // Only deployments in the policy: a run removes ended periods and nothing else.
    const only = await seedWorkspace(db, 'deployments-only', store, { policy: false });
    await setRetentionPolicy(db, only.workspace.id, { passportsDays: null, evidenceDays: null, auditDays: null, deploymentsDays: 1 }, OPERATOR);
    expect(await runRetention(db, only.workspace, { now: new Date(), actor: SYSTEM })).toMatchObject({ passports: 0, evidence: 0, auditEvents: 0, deployments: 2 });
    expect(await remaining(db, store, only)).toMatchObject({ passports: ['held', 'old', 'recent'], deployments: ['running', 'runningSinceLongAgo'] });
    // Set back to null: nothing of it is removed any more, even years later.
    await setRetentionPolicy(db, only.workspace.id, { passportsDays: 3650, evidenceDays: null, auditDays: null, deploymentsDays: null }, OPERATOR);
    expect(await runRetention(db, only.workspace, { now: new Date(Date.now() + 3 * 365 * 86_400_000), actor: SYSTEM })).toMatchObject({ deployments: 0 });
    expect(await remaining(db, store, only)).toMatchObject({ deployments: ['running', 'runningSinceLongAgo'] });
  });

  it('refuses a policy that would erase recent audit events, and a hold without a reason', async () => {
    await expect(setRetentionPolicy(db, purged.workspace.id, { passportsDays: 0, evidenceDays: null, auditDays: 7 }, OPERATOR)).rejects.toThrow(
      /passportsDays.*auditDays: audit events are kept at least 30 days/,
    );
    await expect(setLegalHold(db, purged.workspace.id, purged.passports.recent, { hold: true }, OPERATOR)).rejects.toThrow(/Say why/);
    await expect(setLegalHold(db, purged.workspace.id, 'f'.repeat(64), { hold: true, reason: 'x' }, OPERATOR)).rejects.toThrow(/No such passport/);
  });
});
