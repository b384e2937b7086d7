/**
 * A worker process for the kill test (lib/worker/kill.test.ts): claims the `held` job on the
 * database of DATABASE_URL, says so on stdout, and works on it for a minute, renewing its lease as
 * any worker does, until it is killed.
 */
import { workerLeaseSeconds } from '../definitions';
import type { JobDefinition } from '../jobs';
import { Worker } from '../worker';

const held: JobDefinition = {
  name: 'held',
  intervalSeconds: 3600,
  // The lease every job has (RP_WORKER_LEASE_SECONDS), as the retention job does.
  leaseSeconds: workerLeaseSeconds(),
  async run() {
    console.log('job started');
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    return { finished: true };
  },
};

await new Worker({ id: `killed-${process.pid}`, jobs: [held] }).runOnce();
