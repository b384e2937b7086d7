/**
 * A Postgres cluster of the test's own (initdb + pg_ctl into a temporary directory, on a free
 * port), so a test can restart, stop and kill the database under load without touching anyone
 * else's. Postgres refuses to run as root: as root (CI, containers) the cluster runs as the
 * `postgres` OS user.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/ports';

export interface PostgresCluster {
  /** Admin URL (trust authentication on loopback). */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast|immediate`, resolved once it accepts connections again. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** The postmaster's pid (for kill -9). */
  postmasterPid(): number;
  destroy(): void;
}

export function postgresBinDir(): string | null {
  const candidates = [process.env.PG_BIN_DIR, ...['17', '16', '15', '14'].map((major) => `/usr/lib/postgresql/${major}/bin`)];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('No PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql or set PG_BIN_DIR.');
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-faults-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (tool: string, args: string[], allowFailure = false) => {
    const command = asRoot ? 'su' : path.join(bin, tool);
    const argv = asRoot ? ['postgres', '-s', '/bin/sh', '-c', [path.join(bin, tool), ...args].map(quote).join(' ')] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0 && !allowFailure) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
    return result;
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const ctlArgs = (...args: string[]) => ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', ...args];
  run('pg_ctl', ctlArgs('start'));
  // Asynchronous, so the load a test drives keeps going while Postgres stops and starts.
  const ctl = async (...args: string[]) => {
    const argv = ctlArgs(...args);
    if (asRoot) await runAsync('su', ['postgres', '-s', '/bin/sh', '-c', [path.join(bin, 'pg_ctl'), ...argv].map(quote).join(' ')]);
    else await runAsync(path.join(bin, 'pg_ctl'), argv);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: (mode) => ctl('restart', '-m', mode),
    stop: (mode = 'fast') => ctl('stop', '-m', mode),
    start: () => ctl('start'),
    postmasterPid: () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    destroy: () => {
      run('pg_ctl', ['-D', data, 'stop', '-m', 'immediate', '-w'], true);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const runAsync = promisify(execFile);

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}
