/**
 * `rp replay <passport-id>`: re-evaluates a stored passport's inputs and reports a match or the
 * difference. By default through the API: the server replays with its code, and this CLI
 * re-evaluates the same inputs with its own (an independent check). With --database it reads the
 * passport from the database directly (an operator on the server; DATABASE_URL or the embedded
 * database, shared with a running server or started for the command).
 */
import type { Command } from 'commander';
import { connectionFlags } from '../support/flags';
import type { ConnectionOptions } from '../support/api';

interface ReplayOptions extends ConnectionOptions {
  database?: boolean;
  workspace?: string;
  json?: boolean;
}

interface ReplayReport {
  match: boolean;
  passportId: string;
  replayedId: string;
  differences: Array<{ path: string; stored: unknown; replayed: unknown }>;
}

export function registerReplay(program: Command): void {
  const command = program
    .command('replay <passport-id>')
    .description('re-evaluate a passport\'s stored inputs and compare with the passport')
    .option('--database', 'read the passport from the database instead of the API (operators)')
    .option('--workspace <slug>', 'the workspace (with --database)')
    .option('--json', 'print the result as JSON');
  connectionFlags(command, 'API token with passport:read').action(async (passportId: string, options: ReplayOptions) => {
      const { replayDetails } = await import('@/lib/passport/replay');
      const reports: Array<{ by: string; result: ReplayReport }> = [];
      if (options.database) {
        const { UsageError } = await import('../support/api');
        if (!options.workspace) throw new UsageError('--database needs --workspace <slug>');
        const { replayFromDatabase } = await import('../support/replay-database');
        reports.push({ by: 'database', result: await replayFromDatabase(options.workspace, passportId) });
      } else {
        const { apiClient } = await import('../support/api');
        const client = apiClient(options);
        const details = await client.json<Parameters<typeof replayDetails>[0]>('GET', `/api/v1/passports/${passportId}`);
        reports.push({ by: 'server', result: await client.json<ReplayReport>('POST', `/api/v1/passports/${passportId}/replay`) });
        reports.push({ by: 'this CLI', result: replayDetails(details) });
      }
      if (options.json) {
        console.log(JSON.stringify(Object.fromEntries(reports.map(({ by, result }) => [by, result])), null, 2));
      } else {
        for (const { by, result } of reports) {
          if (result.match) {
            console.log(`MATCH (${by}): the stored inputs re-evaluate to passport ${result.replayedId}`);
          } else {
            console.log(`DIFFERENT (${by}): the stored inputs re-evaluate to ${result.replayedId}, not ${result.passportId}`);
            for (const difference of result.differences) {
              console.log(`  ${difference.path}: stored ${JSON.stringify(difference.stored)}, replayed ${JSON.stringify(difference.replayed)}`);
            }
          }
        }
      }
      process.exitCode = reports.every(({ result }) => result.match) ? 0 : 1;
    });
}
