/**
 * `rp worker`, and the same loop embedded in the server (`npm start`): claim due jobs, due
 * connector polls and due notification deliveries (lib/notifications/deliver.ts) until none is left, rest, repeat. Work is claimed through Postgres (jobs.ts),
 * so any number of workers can run; with the embedded database the server's own worker is the
 * only one. Stopping lets the work in hand finish and releases nothing half-done.
 */
import os from 'node:os';
import crypto from 'node:crypto';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { pollConnector } from '@/lib/connectors/poll';
import { deliverDue } from '@/lib/notifications/deliver';
import { logger } from '@/lib/http/logger';
import { settings } from '@/lib/config/settings';
import { JOBS } from './definitions';
import { claimDueConnector, claimJob, ensureJobs, extendLease, finishJob, type JobDefinition, type JobResult } from './jobs';

export interface WorkerOptions {
  id?: string;
  jobs?: readonly JobDefinition[];
  /** Connector polls at once. */
  pollConcurrency?: number;
  /** Rest between passes when nothing was due. */
  idleMs?: number;
}

export interface PassSummary {
  jobs: Array<{ name: string; ok: boolean; result?: JobResult; error?: string }>;
  polls: number;
  /** Notification delivery attempts made. */
  deliveries: number;
}

export function workerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
}

export class Worker {
  readonly id: string;
  private readonly jobs: readonly JobDefinition[];
  private readonly pollConcurrency: number;
  private readonly idleMs: number;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private ensured = false;

  constructor(options: WorkerOptions = {}) {
    this.id = options.id ?? workerId();
    this.jobs = options.jobs ?? JOBS;
    this.pollConcurrency = options.pollConcurrency ?? 4;
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** One pass: every due job and every due connector poll, then return. */
  async runOnce(): Promise<PassSummary> {
    const db = await getRuntimeDb();
    if (!this.ensured) {
      await ensureJobs(db, this.jobs);
      this.ensured = true;
    }
    const summary: PassSummary = { jobs: [], polls: 0, deliveries: 0 };
    for (;;) {
      if (this.stopping) return summary;
      // Before the claim is asked: the lease the database grants starts no earlier than this.
      const asked = performance.now();
      const name = await claimJob(db, this.id, this.jobs.map((job) => job.name));
      if (!name) break;
      summary.jobs.push(await this.runJob(db, this.jobs.find((job) => job.name === name)!, asked));
    }
    summary.polls = await this.pollDueConnectors(db);
    if (!this.stopping) {
      summary.deliveries = await deliverDue(db, { concurrency: this.pollConcurrency, actor: { type: 'system', label: `notifications (${this.id})` }, stopping: () => this.stopping });
    }
    return summary;
  }

  private async runJob(db: RuntimeDb, job: JobDefinition, claimAskedAt: number): Promise<PassSummary['jobs'][number]> {
    const started = Date.now();
    const lease = new LeaseKeeper(db, job, this.id, claimAskedAt);
    try {
      const result = await job.run({ db, workerId: this.id, heartbeat: () => lease.renew(), signal: lease.signal });
      if (lease.signal.aborted) {
        // Another worker holds the job now; it records the run, not this one.
        logger.warn({ job: job.name, worker: this.id, ms: Date.now() - started }, 'job stopped: its lease was lost to another worker');
        return { name: job.name, ok: false, error: 'lease lost' };
      }
      await finishJob(db, job.name, this.id, { ok: true, result });
      logger.info({ job: job.name, worker: this.id, ms: Date.now() - started, result }, 'job finished');
      return { name: job.name, ok: true, result };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishJob(db, job.name, this.id, { ok: false, error: message }).catch(() => {});
      logger.error({ job: job.name, worker: this.id, err: error }, 'job failed');
      return { name: job.name, ok: false, error: message };
    } finally {
      lease.stop();
    }
  }

  private async pollDueConnectors(db: RuntimeDb): Promise<number> {
    let polled = 0;
    const lane = async () => {
      for (;;) {
        if (this.stopping) return;
        const due = await claimDueConnector(db);
        if (!due) return;
        try {
          await pollConnector(due.workspaceId, due.id, { type: 'system', label: `connector poll (${this.id})` });
        } catch (error) {
          logger.error({ connector: due.id, worker: this.id, err: error }, 'connector poll failed');
        }
        polled++;
      }
    };
    await Promise.all(Array.from({ length: this.pollConcurrency }, lane));
    return polled;
  }

  /** Runs passes until stop(); errors are logged and the loop goes on after a rest. */
  start(): this {
    if (this.loop) return this;
    this.loop = (async () => {
      logger.info({ worker: this.id, jobs: this.jobs.map((job) => job.name) }, 'worker started');
      while (!this.stopping) {
        let rest = this.idleMs;
        try {
          await this.runOnce();
        } catch (error) {
          logger.error({ worker: this.id, err: error }, 'worker pass failed');
          rest = Math.max(rest, 15_000);
        }
        if (this.stopping) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, rest);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
      logger.info({ worker: this.id }, 'worker stopped');
    })();
    return this;
  }

  /** Finishes the work in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }
}

/**
 * The lease of one running job: renewed every third of its length; held only while a renewal
 * succeeded within the last lease (by this process's monotonic clock, so a worker cut off from the
 * database stops believing it holds the job before anyone else may take it). Lost → `signal`
 * aborts and every later renewal says false.
 */
class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private heldUntil: number;
  readonly signal = this.controller.signal;

  constructor(
    private readonly db: RuntimeDb,
    private readonly job: JobDefinition,
    private readonly workerId: string,
    claimAskedAt: number,
  ) {
    this.heldUntil = claimAskedAt + job.leaseSeconds * 1000;
    this.timer = setInterval(() => void this.renew(), Math.max(500, (job.leaseSeconds * 1000) / 3));
    this.timer.unref();
  }

  async renew(): Promise<boolean> {
    if (this.signal.aborted) return false;
    const asked = performance.now();
    try {
      if (await extendLease(this.db, this.job.name, this.workerId)) this.heldUntil = asked + this.job.leaseSeconds * 1000;
      else this.lose('another worker holds it');
    } catch (error) {
      logger.warn({ job: this.job.name, worker: this.workerId, err: error }, 'job lease could not be renewed');
    }
    if (performance.now() >= this.heldUntil) this.lose('not renewed within the lease');
    return !this.signal.aborted;
  }

  private lose(reason: string): void {
    if (!this.signal.aborted) this.controller.abort(new Error(`the ${this.job.name} job's lease was lost: ${reason}`));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The server's own worker (`npm start`), unless RP_EMBEDDED_WORKER=off (separate `rp worker` replicas). */
export function startEmbeddedWorker(): Worker | null {
  if (!settings().worker.embedded) return null;
  const holder = globalThis as { __rpEmbeddedWorker?: Worker };
  holder.__rpEmbeddedWorker ??= new Worker().start();
  return holder.__rpEmbeddedWorker;
}
