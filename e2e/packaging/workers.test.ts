/**
 * One machine, every core (issue 8): RP_WORKERS=N runs N server processes behind one port and
 * replaces one that dies, on the embedded PostgreSQL (the default) and on a PostgreSQL server
 * (TEST_DATABASE_URL). Needs the runtime build.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '@/db/testing/templates';
import { hashToken } from '@/lib/tokens/format';
import { freePort, waitForOk } from '../support/ports';

const root = path.resolve(import.meta.dirname, '..', '..');
const launcher = path.join(root, '.next-runtime', 'standalone', 'rp-server.mjs');
const adminUrl = process.env.TEST_DATABASE_URL!;
const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-workers-'));
// The data directories are folders of this one: run as root, PostgreSQL's own user must pass through.
fs.chmodSync(dataDir, 0o711);
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The supervisor's server processes (the embedded PostgreSQL's watchdog is its child too, and not one of them). */
function workerPids(primary: number): number[] {
  const result = spawnSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' });
  const isPostgres = (pid: number) => {
    try {
      // PostgreSQL runs under a small shell watchdog (scripts/embedded-postgres.mjs): neither is a worker.
      return ['postgres', 'sh'].includes(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      return false; // already gone
    }
  };
  return result.stdout.split('\n').filter(Boolean).map(Number).filter((pid) => !isPostgres(pid));
}

async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('RP_WORKERS', () => {
  it('runs N server processes on the embedded PostgreSQL, and stops the database after them', async () => {
    const port = await freePort();
    const ownDir = path.join(dataDir, 'embedded-workers');
    const server = spawn(process.execPath, [launcher], {
      env: { ...process.env, RP_WORKERS: '2', DATABASE_URL: '', RP_DATA_DIR: ownDir, PORT: String(port), AUTH_SECRET: 'workers-test-secret' },
      stdio: 'pipe',
    });
    children.push(server);
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000);
    await eventually(() => workerPids(server.pid!).length === 2);
    expect(output).toMatch(/embedded PostgreSQL on 127\.0\.0\.1:\d+/);
    const owner = JSON.parse(fs.readFileSync(path.join(ownDir, 'runtime', 'postgres', 'owner.json'), 'utf8')) as { pid: number; postmasterPid: number; url: string };
    expect(owner.pid).toBe(server.pid);
    // One first-start sign-in link on the screen, and it is the one that works: each process
    // printed its own before, each replacing the link printed just before it.
    const links = [...output.matchAll(/\/login\/link#([\w-]+)/g)].map((match) => match[1]!);
    expect(links).toHaveLength(1);
    const database = postgres(owner.url, { max: 1, onnotice: () => {} });
    try {
      const usable = await database<{ token_hash: string }[]>`select token_hash from sign_in_links where used_at is null and expires_at > now()`;
      expect(usable.map((row) => row.token_hash)).toEqual([hashToken(links[0]!)]);
    } finally {
      await database.end();
    }
    // Both processes answer readiness, which writes through the database.
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/api/ready`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    server.kill('SIGTERM');
    expect(await new Promise<number | null>((resolve) => server.once('exit', resolve))).toBe(0);
    expect(() => process.kill(owner.postmasterPid, 0)).toThrow();
    expect(fs.existsSync(path.join(ownDir, 'runtime', 'postgres', 'owner.json'))).toBe(false);
  }, 120_000);

  it('refuses to listen beyond this machine without RP_PUBLIC_URL, naming the setting', () => {
    const start = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [launcher], { env: { ...process.env, RP_WORKERS: '', DATABASE_URL: '', RP_DATA_DIR: dataDir, PORT: '0', RP_PUBLIC_URL: '', ...extra }, encoding: 'utf8', timeout: 20_000 });
    for (const bind of ['0.0.0.0', '::', '10.1.2.3']) {
      const result = start({ RP_BIND: bind });
      expect(result.status, bind).toBe(78);
      expect(result.stderr).toContain('RP_PUBLIC_URL is not set');
    }
    const invalid = start({ RP_BIND: '0.0.0.0', RP_PUBLIC_URL: 'passport.example.com' });
    expect(invalid.status).toBe(78);
    expect(invalid.stderr).toContain('RP_PUBLIC_URL must be an http(s) address');
  });

  it('stops, naming the setting, when the server refuses one at start-up (a plain-http OIDC issuer), instead of restarting it', async () => {
    const port = await freePort();
    const result = spawnSync(process.execPath, [launcher], {
      env: { ...process.env, RP_WORKERS: '', DATABASE_URL: '', RP_DATA_DIR: path.join(dataDir, 'refused-setting'), PORT: String(port), AUTH_SECRET: 'workers-test-secret', RP_OIDC_ISSUER: 'http://login.acme.test', RP_OIDC_CLIENT_ID: 'rp' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('RP_OIDC_ISSUER must be an https URL (http only for localhost)');
    expect(result.stderr).not.toContain('starting another');
    // Refused before anything was started or written.
    expect(fs.existsSync(path.join(dataDir, 'refused-setting'))).toBe(false);
  }, 120_000);

  it('serves from one supervised worker by default, replaces it when it dies, and stops when it cannot start', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [launcher], {
      env: { ...process.env, RP_WORKERS: '', DATABASE_URL: '', RP_DATA_DIR: path.join(dataDir, 'single'), PORT: String(port), AUTH_SECRET: 'workers-test-secret' },
      stdio: 'pipe',
    });
    children.push(server);
    let output = '';
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000);
    await eventually(() => workerPids(server.pid!).length === 1);
    const [first] = workerPids(server.pid!);
    process.kill(first!, 'SIGKILL');
    await eventually(() => {
      const pids = workerPids(server.pid!);
      return pids.length === 1 && pids[0] !== first;
    });
    await waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000);
    expect(output).toContain(`worker ${first} exited (SIGKILL); starting another`);

    // A second server on the same embedded data directory stops before it listens, naming the holder.
    const sameData = spawnSync(process.execPath, [launcher], {
      env: { ...process.env, RP_WORKERS: '', DATABASE_URL: '', RP_DATA_DIR: path.join(dataDir, 'single'), PORT: String(await freePort()), AUTH_SECRET: 'workers-test-secret' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(sameData.status).toBe(1);
    expect(sameData.stderr).toMatch(/The embedded database in .* is in use by process \d+/);

    // A second server on the same port fails before it listens: no restart loop, a failed exit.
    const second = spawnSync(process.execPath, [launcher], {
      env: { ...process.env, RP_WORKERS: '', DATABASE_URL: '', RP_DATA_DIR: path.join(dataDir, 'second'), PORT: String(port), AUTH_SECRET: 'workers-test-secret' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('exited (1) before it was listening; stopping');

    server.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(0);
    expect(workerPids(server.pid!)).toEqual([]);
  }, 180_000);

  it('runs N server processes behind one port on a PostgreSQL server and replaces one that dies', async () => {
    const database = `rp_workers_${process.pid}`;
    execFileSync('psql', [adminUrl, '-qc', `drop database if exists ${database}`, '-c', `create database ${database}`]);
    try {
      const port = await freePort();
      const server = spawn(process.execPath, [launcher], {
        env: { ...process.env, RP_WORKERS: '2', DATABASE_URL: withDatabase(adminUrl, database), RP_DATA_DIR: dataDir, PORT: String(port), AUTH_SECRET: 'workers-test-secret' },
        stdio: 'pipe',
      });
      children.push(server);
      await waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000);
      await eventually(() => workerPids(server.pid!).length === 2);

      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`http://127.0.0.1:${port}/api/health`)));
      expect(answers.every((answer) => answer.ok)).toBe(true);

      const [victim] = workerPids(server.pid!);
      process.kill(victim!, 'SIGKILL');
      await eventually(() => {
        const pids = workerPids(server.pid!);
        return pids.length === 2 && !pids.includes(victim!);
      });
      await waitForOk(`http://127.0.0.1:${port}/api/health`);
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    } finally {
      execFileSync('psql', [adminUrl, '-qc', `drop database if exists ${database} with (force)`]);
    }
  }, 120_000);
});
