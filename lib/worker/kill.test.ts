/**
 * A worker process killed with SIGKILL in the middle of a job: while it lived, its renewals kept
 * the job from everyone else (past several lease lengths); once dead, another worker takes the job
 * over within one lease (RP_WORKER_LEASE_SECONDS, here 3 s), and the job is run once at a time.
 * Two processes on one Postgres database, so this runs on Postgres only (TEST_DATABASE_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, runtimeDatabase, type RuntimeDb } from '@/db/runtime';
import { jobs } from '@/db/schema/runtime';
import { cloneTestDatabase } from '@/db/testing/templates';
import { claimJob, type JobDefinition } from './jobs';
import { Worker } from './worker';

const adminUrl = process.env.TEST_DATABASE_URL!;
const LEASE_SECONDS = 3;
let clone: Awaited<ReturnType<typeof cloneTestDatabase>> | null = null;
let db: RuntimeDb;
let child: ChildProcess | null = null;

describe('a worker process killed mid-job', () => {
  beforeAll(async () => {
    clone = await cloneTestDatabase('runtime', adminUrl);
    runtimeDatabase.configure({ url: clone.url, maxConnections: 4 });
    db = await getRuntimeDb();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await runtimeDatabase.close();
    await clone?.drop();
  });

  it('keeps its job while alive, and loses it to another worker within one lease of the kill', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', '--import', path.resolve('scripts/server-only-outside-next.mjs'), path.resolve('lib/worker/testing/hold-job.ts')], {
      env: { ...process.env, DATABASE_URL: clone!.url, RP_WORKER_LEASE_SECONDS: String(LEASE_SECONDS), RP_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('job started') && resolve());
      child!.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before starting the job`)));
    });

    // Alive for three lease lengths: renewed, never claimable.
    for (let waited = 0; waited < 3 * LEASE_SECONDS * 1000; waited += 1000) {
      expect(await claimJob(db, 'rival', ['held'])).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const [before] = await db.select().from(jobs).where(eq(jobs.name, 'held'));
    expect(before).toMatchObject({ lockedBy: `killed-${child.pid}`, runs: 1 });

    child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => child!.once('exit', resolve));

    const ran: string[] = [];
    const takeover: JobDefinition = { name: 'held', intervalSeconds: 3600, leaseSeconds: LEASE_SECONDS, run: async ({ workerId }) => (ran.push(workerId), { finished: true }) };
    const rival = new Worker({ id: 'rival', jobs: [takeover] });
    while (ran.length === 0) {
      expect(Date.now() - killedAt, 'taken over within a lease and a second').toBeLessThan((LEASE_SECONDS + 1) * 1000);
      await rival.runOnce();
      if (ran.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [after] = await db.select().from(jobs).where(eq(jobs.name, 'held'));
    expect(after).toMatchObject({ lockedBy: null, lastWorker: 'rival', lastStatus: 'ok', runs: 2 });
    expect(ran).toEqual(['rival']);
  }, 60_000);
});
