/**
 * Two `rp worker` processes racing on one Postgres database: retention removes exactly what it
 * should, once. (On the PostgreSQL the test run uses: the embedded one, or the server TEST_DATABASE_URL names.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, runtimeDatabase } from '@/db/runtime';
import { auditCheckpoints, auditEvents } from '@/db/schema/runtime';
import { cloneTestDatabase } from '@/db/testing/templates';
import { verifyAuditChain } from '@/lib/audit/verify';
import { configureSecrets } from '@/lib/secrets';
import { randomKeyBase64 } from '@/lib/secrets/test-support';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { verifyCheckpointSignature } from './checkpoint';
import { remaining, seedWorkspace, type Seeded } from './testing';

const adminUrl = process.env.TEST_DATABASE_URL!;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-retention-race-'));
const store = new FilesystemBlobStore(path.join(dataDir, 'blobs'));
const key = randomKeyBase64();
let clone: Awaited<ReturnType<typeof cloneTestDatabase>> | null = null;
const seeded: Seeded[] = [];

function rp(...args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('cli/rp.mjs'), ...args], {
      env: { ...process.env, DATABASE_URL: clone!.url, RP_DATA_DIR: dataDir, RP_BLOB_DIR: path.join(dataDir, 'blobs'), RP_SECRETS_KEY: key, RP_LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('retention with two worker processes racing', () => {
  beforeAll(async () => {
    clone = await cloneTestDatabase('runtime', adminUrl);
    runtimeDatabase.configure({ url: clone.url, maxConnections: 4 });
    configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, RP_SECRETS_KEY: key } });
    const db = await getRuntimeDb();
    for (const slug of ['race-a', 'race-b', 'race-c']) seeded.push(await seedWorkspace(db, slug, store, { policy: true }));
    seeded.push(await seedWorkspace(db, 'race-no-policy', store, { policy: false }));
  });

  afterAll(async () => {
    configureSecrets();
    await runtimeDatabase.close();
    await clone?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('purges exactly what the policies no longer keep, once', async () => {
    const [one, two] = await Promise.all([rp('worker', '--once'), rp('worker', '--once')]);
    expect([one.status, two.status], `${one.output}\n---\n${two.output}`).toEqual([0, 0]);
    const summaries = [one, two].map((run) => JSON.parse(run.output.trim().split('\n').at(-1)!) as { jobs: Array<{ name: string; ok: boolean }> });
    // The retention job ran in exactly one of them.
    expect(summaries.flatMap((s) => s.jobs.filter((j) => j.name === 'retention'))).toEqual([expect.objectContaining({ ok: true })]);

    const db = await getRuntimeDb();
    for (const workspace of seeded.slice(0, 3)) {
      expect(await remaining(db, store, workspace)).toEqual({
        passports: ['held', 'recent'],
        evidence: ['oldHeld', 'recent'],
        files: { oldUsed: false, oldHeld: true, oldUnused: false, recent: true },
        deployments: ['endedRecently', 'running', 'runningSinceLongAgo'],
      });
      const checkpoints = await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, workspace.workspace.id));
      expect(checkpoints).toHaveLength(1);
      expect(checkpoints[0]).toMatchObject({ purgedCount: workspace.oldAuditEvents });
      expect(await verifyCheckpointSignature(db, checkpoints[0]!)).toBe(true);
      const purges = await db.select().from(auditEvents).where(eq(auditEvents.chain, workspace.workspace.id));
      expect(purges.filter((event) => event.action === 'retention.purge')).toHaveLength(1);
      expect(await verifyAuditChain(db, workspace.workspace.id, { verifyCheckpoint: (row) => verifyCheckpointSignature(db, row) })).toMatchObject({
        ok: true,
        checkpoint: { signatureVerified: true },
      });
    }
    // The operator's check: every chain verifies, the cut ones from a checkpoint whose signature holds.
    const audit = await rp('audit', 'verify', '--json');
    expect(audit.status, audit.output).toBe(0);
    const chains = JSON.parse(audit.output) as Array<{ chain: string; ok: boolean; checkpoint: { signatureVerified: boolean } | null }>;
    for (const workspace of seeded.slice(0, 3)) {
      expect(chains.find((chain) => chain.chain === workspace.workspace.id)).toMatchObject({ ok: true, checkpoint: { signatureVerified: true } });
    }
    expect(chains.every((chain) => chain.ok)).toBe(true);
    expect(await remaining(db, store, seeded[3]!)).toMatchObject({ passports: ['held', 'old', 'recent'], evidence: ['oldHeld', 'oldUnused', 'oldUsed', 'recent'], deployments: ['endedLongAgo', 'endedRecently', 'running', 'runningSinceLongAgo'] });
  });
});
