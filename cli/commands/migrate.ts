import type { Command } from 'commander';

/** `rp migrate`: applies pending migrations (the Kubernetes migration Job runs this). */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, or the embedded database, shared with a running server or started for the command)')
    .option('--target <target>', 'runtime or public', 'runtime')
    .action(async (options: { target: string }) => {
      const { migrationStatus } = await import('@/db/client');
      const database =
        options.target === 'public'
          ? (await import('@/db/owner')).ownerDatabase
          : (await import('@/db/runtime')).runtimeDatabase;
      const opened = await database.open(); // opening applies what is pending
      const status = await migrationStatus(opened);
      console.log(`${options.target} database (${opened.driver}): ${status.applied}/${status.expected} migrations applied`);
      await database.close();
    });
}
