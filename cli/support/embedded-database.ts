/**
 * The CLI's way to the embedded PostgreSQL when DATABASE_URL is not set: the cluster a running
 * server (or another `rp` command) started in the data directory, shared while it runs; or, when
 * none runs, one this command starts and stops itself. Either way the command connects with
 * DATABASE_URL like any other, so the database code has one path.
 */
import type { Command } from 'commander';
import { settings } from '@/lib/config/settings';

/** Top-level commands that open a database (the gate, evidence and verify commands never do). */
const DATABASE_COMMANDS = new Set(['migrate', 'secrets', 'admin', 'audit', 'keys', 'worker', 'retention', 'replay']);

interface Stoppable {
  stop(): Promise<void>;
}

let started: Stoppable | null = null;

/** commander preAction hook: points DATABASE_URL at the embedded database the command needs. */
export async function attachEmbeddedDatabase(actionCommand: Command): Promise<void> {
  if (settings().database.url) return;
  const path = commandPath(actionCommand);
  const top = path[0];
  if (!top || !DATABASE_COMMANDS.has(top)) return;
  const options = actionCommand.opts<{ database?: boolean; target?: string }>();
  if (top === 'replay' && !options.database) return; // through the API
  const target = top === 'migrate' && options.target === 'public' ? 'public' : 'runtime';
  // A plain JavaScript module shared with the launcher (scripts/embedded-postgres.mjs).
  const embedded = await import('../../scripts/embedded-postgres.mjs');
  const dir = embedded.embeddedPostgresDir(settings().dataDir, target);
  const running = embedded.runningEmbeddedPostgres(dir);
  if (running) {
    process.env.DATABASE_URL = running.url;
  } else {
    const cluster = await embedded.startEmbeddedPostgres(dir, { purpose: `rp ${path.join(' ')}`, log: (line: string) => console.error(`rp: ${line}`) });
    started = cluster;
    process.env.DATABASE_URL = cluster.url;
    // Until this command ends, a server started on the same data directory is refused, naming it.
    // No signal handlers here: `rp worker` finishes its work in hand on Ctrl-C and then stops the
    // database (postAction); a command that is simply killed leaves it to the watchdog, which stops
    // PostgreSQL when this process is gone (scripts/embedded-postgres.mjs).
  }
  process.env.RP_DATABASE_ENGINE = 'embedded';
}

/** Stops the embedded database if this command started it (after the command, or on its error). */
export async function detachEmbeddedDatabase(): Promise<void> {
  const cluster = started;
  started = null;
  if (cluster) await cluster.stop();
}

function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names;
}
