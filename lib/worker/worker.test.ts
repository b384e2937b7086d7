import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { jobs } from '@/db/schema/runtime';
import { createConnector } from '@/lib/connectors/store';
import { connectorTestbed } from '@/lib/connectors/testing/setup';
import type { StandIn } from '@/lib/connectors/testing/standin';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { retentionJob, workerLeaseSeconds } from './definitions';
import { claimJob, ensureJobs, type JobDefinition } from './jobs';
import { Worker } from './worker';

let db: RuntimeDb;
let standIn: StandIn;
let workspace: { id: string; slug: string };
const runs: Record<string, string[]> = {};

/** Jobs that record which worker ran them, and take a moment so that racers overlap. */
function job(name: string, behaviour: 'ok' | 'fail' = 'ok'): JobDefinition {
  return {
    name,
    intervalSeconds: 3600,
    leaseSeconds: 30,
    async run({ workerId }) {
      (runs[name] ??= []).push(workerId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (behaviour === 'fail') throw new Error(`${name} could not finish: storage unavailable`);
      return { done: true };
    },
  };
}

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('worker', 'worker-token'));
  db = await getRuntimeDb();
});

async function scheduleNowFor(name: string): Promise<void> {
  await db.update(jobs).set({ runAfter: sql`now()`, lockedBy: null, lockedUntil: null }).where(eq(jobs.name, name));
}

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

describe('workers sharing one database', () => {
  it('run each due job once, however many race for it', async () => {
    const definitions = [job('alpha'), job('beta'), job('gamma')];
    const workers = [new Worker({ id: 'w1', jobs: definitions }), new Worker({ id: 'w2', jobs: definitions }), new Worker({ id: 'w3', jobs: definitions })];
    const passes = await Promise.all(workers.map((worker) => worker.runOnce()));
    expect(passes.flatMap((pass) => pass.jobs.map((j) => j.name)).sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect(Object.fromEntries(Object.entries(runs).map(([name, by]) => [name, by.length]))).toEqual({ alpha: 1, beta: 1, gamma: 1 });
    const rows = await db.select().from(jobs).where(sql`${jobs.name} in ('alpha', 'beta', 'gamma')`);
    for (const row of rows) expect(row).toMatchObject({ runs: 1, lastStatus: 'ok', lockedBy: null, lastResult: { done: true } });
    // Nothing is due again before the interval.
    expect((await workers[0]!.runOnce()).jobs).toEqual([]);
  });

  it('takes over a job whose worker died once its lease ran out, not before', async () => {
    await ensureJobs(db, [job('delta')]);
    await db.update(jobs).set({ lockedBy: 'dead-worker', lockedUntil: sql`now() + interval '1 minute'` }).where(eq(jobs.name, 'delta'));
    expect(await claimJob(db, 'w1', ['delta'])).toBeNull();
    await db.update(jobs).set({ lockedUntil: sql`now() - interval '1 second'` }).where(eq(jobs.name, 'delta'));
    expect(await claimJob(db, 'w1', ['delta'])).toBe('delta');
    const [row] = await db.select().from(jobs).where(eq(jobs.name, 'delta'));
    expect(row).toMatchObject({ lockedBy: 'w1', lastWorker: 'w1' });
  });

  it('records a failed run and retries it within a minute', async () => {
    const failing = new Worker({ id: 'w4', jobs: [job('epsilon', 'fail')] });
    const pass = await failing.runOnce();
    expect(pass.jobs).toEqual([{ name: 'epsilon', ok: false, error: 'epsilon could not finish: storage unavailable' }]);
    const [row] = await db
      .select({ status: jobs.lastStatus, error: jobs.lastError, lockedBy: jobs.lockedBy, wait: sql<number>`extract(epoch from ${jobs.runAfter} - now())::int` })
      .from(jobs)
      .where(eq(jobs.name, 'epsilon'));
    expect(row).toMatchObject({ status: 'error', error: 'epsilon could not finish: storage unavailable', lockedBy: null });
    expect(row!.wait).toBeGreaterThan(50);
    expect(row!.wait).toBeLessThanOrEqual(60);
  });

  it('share connector polls: every due connector is polled once', async () => {
    const queries = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    for (const id of queries) {
      await createConnector(
        { workspace, actor: ADMIN },
        { name: `prom-${id}`, type: 'prometheus', environment: 'production', secretRef: 'store:production/token', config: { baseUrl: standIn.url, retries: 0, queries: [{ id, query: `up{q="${id}"}` }] } },
      );
    }
    const before = standIn.requests.length;
    const workers = [new Worker({ id: 'p1', jobs: [], pollConcurrency: 2 }), new Worker({ id: 'p2', jobs: [], pollConcurrency: 2 })];
    const passes = await Promise.all(workers.map((worker) => worker.runOnce()));
    expect(passes[0]!.polls + passes[1]!.polls).toBe(6);
    const asked = standIn.requests.slice(before).map((r) => r.query.find(([name]) => name === 'query')?.[1]);
    expect(asked.sort()).toEqual(queries.map((id) => `up{q="${id}"}`));
    // Polled connectors are not due again until their interval.
    expect((await workers[0]!.runOnce()).polls).toBe(0);
  });

  it('hold jobs by a short lease (RP_WORKER_LEASE_SECONDS, default 30), so a dead worker\'s job is free within a minute', () => {
    expect(workerLeaseSeconds({})).toBe(30);
    expect(workerLeaseSeconds({ RP_WORKER_LEASE_SECONDS: '12' })).toBe(12);
    expect(workerLeaseSeconds({})).toBe(30);
    expect(() => workerLeaseSeconds({ RP_WORKER_LEASE_SECONDS: 'soon' })).toThrow(/RP_WORKER_LEASE_SECONDS must be a whole number of seconds, from 3 to 3600, got "soon"/);
    expect(retentionJob.leaseSeconds).toBeLessThanOrEqual(60);
  });

  it('renew the lease while a job runs past it; no other worker runs it meanwhile; a killed worker\'s job is taken over after one lease', async () => {
    const started: string[] = [];
    const slow: JobDefinition = {
      name: 'eta',
      intervalSeconds: 3600,
      leaseSeconds: 3,
      async run({ workerId }) {
        started.push(workerId);
        await new Promise((resolve) => setTimeout(resolve, 7_000));
        return { done: true };
      },
    };
    const holder = new Worker({ id: 'holder', jobs: [slow] });
    const running = holder.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rival = new Worker({ id: 'rival', jobs: [slow] });
    // Past two lease lengths the holder is still running it, and still holds it.
    for (let waited = 0; waited < 6_000; waited += 1_000) {
      expect(await claimJob(db, 'rival', ['eta'])).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect((await running).jobs).toEqual([{ name: 'eta', ok: true, result: { done: true } }]);
    expect(started).toEqual(['holder']);

    // A worker killed mid-job (it claimed, then never renewed): free after one lease, not before.
    await scheduleNowFor('eta');
    expect(await claimJob(db, 'killed', ['eta'])).toBe('eta');
    expect((await rival.runOnce()).jobs).toEqual([]);
    const [lease] = await db.select({ left: sql<number>`extract(epoch from ${jobs.lockedUntil} - now())` }).from(jobs).where(eq(jobs.name, 'eta'));
    expect(Number(lease!.left)).toBeLessThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const fast = { ...slow, run: async ({ workerId }: { workerId: string }) => (started.push(workerId), { done: true }) };
    expect((await new Worker({ id: 'rival', jobs: [fast] }).runOnce()).jobs).toEqual([{ name: 'eta', ok: true, result: { done: true } }]);
    expect(started).toEqual(['holder', 'rival']);
  }, 30_000);

  it('tell a job whose lease another worker took over to stop, and leave the record to that worker', async () => {
    let sawAbort = false;
    const looping: JobDefinition = {
      name: 'theta',
      intervalSeconds: 3600,
      leaseSeconds: 3,
      async run({ signal }) {
        for (let i = 0; i < 100 && !signal.aborted; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        sawAbort = signal.aborted;
        return { steps: 'stopped' };
      },
    };
    const running = new Worker({ id: 'first', jobs: [looping] }).runOnce();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first worker was cut off long enough for its lease to lapse, and another worker took the job.
    await db.update(jobs).set({ lockedBy: 'second', lockedUntil: sql`now() + interval '30 seconds'` }).where(eq(jobs.name, 'theta'));
    const pass = await running;
    expect(sawAbort).toBe(true);
    expect(pass.jobs).toEqual([{ name: 'theta', ok: false, error: 'lease lost' }]);
    const [row] = await db.select().from(jobs).where(eq(jobs.name, 'theta'));
    expect(row).toMatchObject({ lockedBy: 'second', lastStatus: null });
  }, 15_000);

  it('stops after the work in hand', async () => {
    const worker = new Worker({ id: 'w5', jobs: [job('zeta')], idleMs: 50 }).start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.stop();
    expect(runs.zeta).toEqual(['w5']);
  });
});
