/**
 * The flags every command that calls the server takes: where it is, the token, and how long to
 * wait (per request, and for all retries of one call). Loaded eagerly, so it imports nothing.
 */
import type { Command } from 'commander';

export function connectionFlags(command: Command, tokenHelp: string): Command {
  return command
    .option('--url <url>', 'Release Passport server (default: $RP_URL)')
    .option('--token <token>', `${tokenHelp} (default: $RP_TOKEN)`)
    .option('--timeout <seconds>', 'seconds one request may take (default: $RP_TIMEOUT or 60)')
    .option('--deadline <seconds>', 'seconds the command may keep retrying on 503, 429 and connection errors, all calls and waits included (default: $RP_DEADLINE or 300); exit 3 after it');
}
