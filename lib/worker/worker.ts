/**
 * `rp worker`, and the same loop embedded in the server (`npm start`): claim due jobs and due
 * connector polls until none is left, rest, repeat. Work is claimed through Postgres (jobs.ts),
 * so any number of workers can run; with the embedded database the server's own worker is the
 * only one. Stopping lets the work in hand finish and releases nothing half-done.
 */
import os from 'node:os';
import crypto from 'node:crypto';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { pollConnector } from '@/lib/connectors/poll';
import { logger } from '@/lib/http/logger';
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
    const summary: PassSummary = { jobs: [], polls: 0 };
    for (;;) {
      if (this.stopping) return summary;
      const name = await claimJob(db, this.id, this.jobs.map((job) => job.name));
      if (!name) break;
      summary.jobs.push(await this.runJob(db, this.jobs.find((job) => job.name === name)!));
    }
    summary.polls = await this.pollDueConnectors(db);
    return summary;
  }

  private async runJob(db: RuntimeDb, job: JobDefinition): Promise<PassSummary['jobs'][number]> {
    const started = Date.now();
    let held = true;
    const beat = setInterval(() => {
      extendLease(db, job.name, this.id)
        .then((still) => {
          held = still;
        })
        .catch(() => {});
    }, Math.max(1_000, (job.leaseSeconds * 1000) / 3));
    beat.unref();
    try {
      const result = await job.run({ db, workerId: this.id, heartbeat: async () => held && (await extendLease(db, job.name, this.id)) });
      await finishJob(db, job.name, this.id, { ok: true, result });
      logger.info({ job: job.name, worker: this.id, ms: Date.now() - started, result }, 'job finished');
      return { name: job.name, ok: true, result };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishJob(db, job.name, this.id, { ok: false, error: message }).catch(() => {});
      logger.error({ job: job.name, worker: this.id, err: error }, 'job failed');
      return { name: job.name, ok: false, error: message };
    } finally {
      clearInterval(beat);
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

/** The server's own worker (`npm start`), unless RP_EMBEDDED_WORKER=off (separate `rp worker` replicas). */
export function startEmbeddedWorker(env: NodeJS.ProcessEnv = process.env): Worker | null {
  if (env.RP_EMBEDDED_WORKER === 'off') return null;
  const holder = globalThis as { __rpEmbeddedWorker?: Worker };
  holder.__rpEmbeddedWorker ??= new Worker().start();
  return holder.__rpEmbeddedWorker;
}
