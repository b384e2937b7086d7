/**
 * `rp`: the CI gate client and the headless admin tool, in one binary. Each command lives in
 * cli/commands/<name>.ts and is registered here; commands load their dependencies lazily, so
 * `rp gate` in CI never loads database code.
 */
import { Command, CommanderError } from 'commander';
import { productVersion } from '@/lib/version';
import { registerAdmin } from './commands/admin';
import { registerAudit } from './commands/audit';
import { registerCatalog } from './commands/catalog';
import { registerDeployments } from './commands/deployments';
import { registerEvidence } from './commands/evidence';
import { registerGate } from './commands/gate';
import { registerKeys } from './commands/keys';
import { registerMigrate } from './commands/migrate';
import { registerReplay } from './commands/replay';
import { registerRetention } from './commands/retention';
import { registerSecrets } from './commands/secrets';
import { registerVerify } from './commands/verify';
import { registerWorker } from './commands/worker';
import { attachEmbeddedDatabase, detachEmbeddedDatabase } from './support/embedded-database';
import { proxyFromEnv } from './support/http';

const program = new Command('rp')
  .description('Release Passport: gate releases on evidence and verify signed passports.')
  .version(productVersion)
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (_program, actionCommand) => {
    // A proxy variable that cannot work is said at once, not retried as "cannot reach" until the deadline.
    proxyFromEnv();
    return attachEmbeddedDatabase(actionCommand);
  })
  .hook('postAction', () => detachEmbeddedDatabase());

// `rp audit export | head`: once the reader stops reading, further output has nowhere to go. The
// command still finishes and exits with its own code (a gate's deny stays a failure under
// `set -o pipefail`); without this, Node threw an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

registerMigrate(program);
registerGate(program);
registerEvidence(program);
registerCatalog(program);
registerDeployments(program);
registerVerify(program);
registerReplay(program);
registerSecrets(program);
registerAdmin(program);
registerAudit(program);
registerKeys(program);
registerWorker(program);
registerRetention(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  await detachEmbeddedDatabase().catch(() => {});
  // Help and version exit 0; any other commander error is a usage error (2).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  console.error(`rp: ${error instanceof Error ? error.message : String(error)}`);
  // Commands' own errors carry their exit code (usage 2, gate unreachable 3); anything else is 1.
  process.exit((error as { exitCode?: number }).exitCode ?? 1);
}
