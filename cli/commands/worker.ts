/**
 * `rp worker`: the background work (retention, connector polling, reading freshness) in its own
 * process. Run as many as you like against one Postgres: they share the work and never run the
 * same job at once. With the embedded database the server runs this loop itself (`npm start`);
 * a separate worker needs DATABASE_URL.
 */
import type { Command } from 'commander';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run background jobs (retention, connector polling, freshness); several workers share one Postgres safely')
    .option('--once', 'run every due job and poll once, print what was done, and exit')
    .option('--check', 'liveness: exit 0 when the database and the jobs table answer')
    .option('--concurrency <n>', 'connector polls at once', '4')
    .action(async (options: { once?: boolean; check?: boolean; concurrency: string }) => {
      const { runtimeDatabase, getRuntimeDb } = await import('@/db/runtime');
      const { Worker } = await import('@/lib/worker/worker');
      if (options.check) {
        const { jobStatuses } = await import('@/lib/worker/jobs');
        const statuses = await jobStatuses(await getRuntimeDb());
        console.log(`ok: ${statuses.length} job(s) known`);
        await runtimeDatabase.close();
        return;
      }
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new Error('--concurrency is a whole number from 1 to 32.');
      const worker = new Worker({ pollConcurrency: concurrency });
      if (options.once) {
        const summary = await worker.runOnce();
        console.log(JSON.stringify({ worker: worker.id, ...summary }));
        await runtimeDatabase.close();
        if (summary.jobs.some((job) => !job.ok)) process.exitCode = 1;
        return;
      }
      worker.start();
      console.log(`rp worker ${worker.id} started; stop with Ctrl-C (the work in hand finishes first).`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          worker
            .stop()
            .then(() => runtimeDatabase.close())
            .then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
