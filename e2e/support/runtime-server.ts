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
import { waitForOk } from './ports';

const root = path.resolve(import.meta.dirname, '..', '..');
export const RUNTIME_LAUNCHER = path.join(root, '.next-runtime', 'standalone', 'rp-server.mjs');

export interface RunningRuntime {
  url: string;
  pid: number;
  databaseUrl: string;
  dataDir: string;
  /** What the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startRuntime(options: { adminUrl: string; port: number; env?: Record<string, string>; databasePrefix?: string; nodeArgs?: string[] }): Promise<RunningRuntime> {
  if (!fs.existsSync(RUNTIME_LAUNCHER)) throw new Error('No runtime build: run "npm run build" first.');
  const database = await scratchPostgresDatabase(options.adminUrl, `${options.databasePrefix ?? 'rp_e2e_gate'}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`);
  // Migrate before the server starts, and point this process's data access at the same database.
  runtimeDatabase.configure({ url: database.url, maxConnections: 4 });
  await runtimeDatabase.open();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-runtime-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), RUNTIME_LAUNCHER], {
    cwd: path.dirname(RUNTIME_LAUNCHER),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RP_TARGET: 'runtime',
      PORT: String(options.port),
      RP_BIND: '127.0.0.1',
      DATABASE_URL: database.url,
      RP_DATA_DIR: dataDir,
      AUTH_SECRET: 'e2e-gate-session-secret-not-for-production',
      RP_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForOk(`${url}/api/ready`, 90_000);
  } catch (error) {
    child.kill('SIGTERM');
    await runtimeDatabase.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return {
    url,
    pid: child.pid!,
    databaseUrl: database.url,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await runtimeDatabase.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
