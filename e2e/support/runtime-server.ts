/**
 * The runtime's production build as a real server on a scratch Postgres database, for the gate's
 * end-to-end tests and `npm run bench`: creates the database, starts `rp-server.mjs` with it, and
 * opens the same database in this process (Postgres admits both), so tests and the benchmark can
 * create workspaces, tokens and policies through the product's own data-access functions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runtimeDatabase } from '@/db/runtime';
import { scratchPostgresDatabase } from '@/db/testing/templates';
import { assertPortFree, waitForOk } from './ports';
import { stopProcess } from './process';

const root = path.resolve(import.meta.dirname, '..', '..');
export const RUNTIME_LAUNCHER = path.join(root, '.next-runtime', 'standalone', 'rp-server.mjs');

/** A running production server of the runtime build (one launcher, any number of RP_WORKERS). */
export interface LaunchedRuntime {
  url: string;
  /** The launcher's process: it supervises the worker process(es) that serve. */
  pid: number;
  /** What the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A launched runtime on a scratch database of its own, which `stop()` drops. */
export interface RunningRuntime extends LaunchedRuntime {
  databaseUrl: string;
  dataDir: string;
}

/** A launcher process as spawned, before anything is known about whether it serves. */
export interface SpawnedLauncher {
  pid: number;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Its exit code, or -1 when it is still running after `ms`. */
  exited(ms: number): Promise<number | null>;
  /** SIGKILL, for a test's cleanup. */
  kill(): void;
  /** SIGTERM, then what stopProcess does. */
  stop(): Promise<void>;
}

/**
 * Spawns a build's `rp-server.mjs` (the runtime's unless `launcher` names another) with the
 * production environment and `env` on top (DATABASE_URL, RP_DATA_DIR, PORT...), without waiting:
 * for tests of a start that fails or serves before it is ready.
 */
export function spawnLauncher(options: { env: Record<string, string>; launcher?: string; nodeArgs?: string[] }): SpawnedLauncher {
  const launcher = options.launcher ?? RUNTIME_LAUNCHER;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), launcher], {
    cwd: path.dirname(launcher),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RP_TARGET: 'runtime',
      RP_BIND: '127.0.0.1',
      AUTH_SECRET: 'e2e-gate-session-secret-not-for-production',
      RP_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    output: () => output,
    exited: (ms) => Promise.race([exit, new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms))]),
    kill: () => child.kill('SIGKILL'),
    stop: () => stopProcess(child),
  };
}

/**
 * Starts `rp-server.mjs` on `port` with the production environment and `env` on top (which must name
 * DATABASE_URL and RP_DATA_DIR), and waits for /api/ready. Stops it again if it never gets ready.
 */
export async function launchRuntime(options: { port: number; env: Record<string, string>; nodeArgs?: string[] }): Promise<LaunchedRuntime> {
  if (!fs.existsSync(RUNTIME_LAUNCHER)) throw new Error('No runtime build: run "npm run build" first.');
  await assertPortFree(options.port);
  const launched = spawnLauncher({ env: { PORT: String(options.port), ...options.env }, nodeArgs: options.nodeArgs });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForOk(`${url}/api/ready`, 90_000);
  } catch (error) {
    await launched.stop();
    throw new Error(`${(error as Error).message}\n${launched.output()}`, { cause: error });
  }
  return { url, pid: launched.pid, output: launched.output, stop: launched.stop };
}

export async function startRuntime(options: { adminUrl: string; port: number; env?: Record<string, string>; databasePrefix?: string; nodeArgs?: string[] }): Promise<RunningRuntime> {
  if (!fs.existsSync(RUNTIME_LAUNCHER)) throw new Error('No runtime build: run "npm run build" first.');
  const database = await scratchPostgresDatabase(options.adminUrl, `${options.databasePrefix ?? 'rp_e2e_gate'}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`);
  // Migrate before the server starts, and point this process's data access at the same database.
  runtimeDatabase.configure({ url: database.url, maxConnections: 4 });
  await runtimeDatabase.open();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-runtime-'));
  const cleanUp = async () => {
    await runtimeDatabase.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let server: LaunchedRuntime;
  try {
    server = await launchRuntime({ port: options.port, nodeArgs: options.nodeArgs, env: { DATABASE_URL: database.url, RP_DATA_DIR: dataDir, ...options.env } });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    ...server,
    databaseUrl: database.url,
    dataDir,
    stop: async () => {
      await server.stop();
      await cleanUp();
    },
  };
}
