/**
 * The embedded PostgreSQL, the default engine, as a user meets it (issue 16): the launcher of the
 * runtime build starts it from the data directory and stops it after the server; `rp` commands run
 * beside the server on the same database, or start it themselves when no server runs; a second
 * server on the same data directory is refused; after kill -9 of PostgreSQL the launcher starts it
 * again; after kill -9 of the launcher PostgreSQL stops by itself (its watchdog), and an orphan
 * whose watchdog died too is stopped by the next start, with every committed write kept; data of PGlite or of another major version is refused with the way forward.
 * Needs the runtime build (npm test builds it first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPostgresDir, startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { freePort, waitForOk } from '../support/ports';

const root = path.resolve(import.meta.dirname, '..', '..');
const launcher = path.join(root, '.next-runtime', 'standalone', 'rp-server.mjs');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-engine-'));
// The data directories are folders of this one: run as root, PostgreSQL's own user must pass through.
fs.chmodSync(scratch, 0o711);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  // An orphan a test left behind (it failed half-way) must not outlive the run.
  spawnSync('pkill', ['-f', scratch]);
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Owner {
  pid: number;
  purpose: string;
  postmasterPid: number;
  url: string;
}

const ownerFile = (dataDir: string) => path.join(embeddedPostgresDir(dataDir, 'runtime'), 'owner.json');
const owner = (dataDir: string): Owner => JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8')) as Owner;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function eventually(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

async function startServer(dataDir: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [launcher], {
    env: { ...process.env, DATABASE_URL: '', RP_WORKERS: '', RP_DATA_DIR: dataDir, PORT: String(port), AUTH_SECRET: 'engine-test-secret-0123456789abcdef', ...extra },
    stdio: 'pipe',
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stoppedEarly = exited(child).then((code) => Promise.reject(new Error(`the launcher exited (${code}) before it was ready`)));
  await Promise.race([waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000), stoppedEarly]).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  stoppedEarly.catch(() => {});
  return { child, port, output: () => output };
}

function rp(dataDir: string, args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], {
    env: { ...process.env, DATABASE_URL: '', RP_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}


describe('the embedded PostgreSQL under the launcher', () => {
  it('is started with the server, shared with rp commands while it runs, and stopped after it', async () => {
    const dataDir = path.join(scratch, 'shared');
    const server = await startServer(dataDir);
    const running = owner(dataDir);
    expect(running).toMatchObject({ pid: server.child.pid, purpose: 'rp-server (runtime)' });
    expect(fs.statSync(path.join(embeddedPostgresDir(dataDir), 'password')).mode & 0o077).toBe(0);
    if (process.getuid?.() === 0) expect(server.output()).toMatch(/running as root, so PostgreSQL runs as the unprivileged user "\w[\w-]*"/);

    // rp admin and rp audit beside the running server, on its database.
    const created = rp(dataDir, ['admin', 'create-workspace', 'beside', '--name', 'Beside the server']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const verified = rp(dataDir, ['audit', 'verify']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/ok\s+workspace beside/);
    expect(owner(dataDir).pid).toBe(server.child.pid); // still the server's

    // A second server on the same data directory stops before it listens, naming the first.
    const second = spawnSync(process.execPath, [launcher], {
      env: { ...process.env, DATABASE_URL: '', RP_DATA_DIR: dataDir, PORT: String(await freePort()), AUTH_SECRET: 'engine-test-secret-0123456789abcdef' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${server.child.pid} (rp-server (runtime))`);

    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
    expect(alive(running.postmasterPid)).toBe(false);
    expect(fs.existsSync(ownerFile(dataDir))).toBe(false);

    // No server: the command starts the database itself, and stops it again.
    const alone = rp(dataDir, ['audit', 'verify']);
    expect(alone.status).toBe(0);
    expect(alone.stdout).toMatch(/ok\s+workspace beside/);
    expect(fs.existsSync(ownerFile(dataDir))).toBe(false);
    expect(spawnSync('pgrep', ['-f', path.join(dataDir, 'runtime', 'postgres', 'pgdata')]).status).toBe(1);
  }, 180_000);

  it('starts PostgreSQL again when it is killed under a running server', async () => {
    const dataDir = path.join(scratch, 'postgres-killed');
    const server = await startServer(dataDir);
    const before = owner(dataDir);
    process.kill(before.postmasterPid, 'SIGKILL');
    await eventually(() => server.output().includes('the embedded PostgreSQL is back'));
    const after = owner(dataDir);
    expect(after.postmasterPid).not.toBe(before.postmasterPid);
    expect(after.url).toBe(before.url); // same port: the workers' DATABASE_URL stays right
    await waitForOk(`http://127.0.0.1:${server.port}/api/ready`, 30_000);
    expect(rp(dataDir, ['admin', 'create-workspace', 'after-crash']).status).toBe(0);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
    expect(alive(after.postmasterPid)).toBe(false);
  }, 180_000);

  it('stops PostgreSQL when the launcher is killed outright, and the next start has every committed write', async () => {
    const dataDir = path.join(scratch, 'launcher-killed');
    const first = await startServer(dataDir);
    expect(rp(dataDir, ['admin', 'create-workspace', 'before-kill']).status).toBe(0);
    const postmaster = owner(dataDir).postmasterPid;
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The watchdog between them sees the launcher's pipe close and asks for a fast shutdown.
    await eventually(() => !alive(postmaster), 20_000);

    const second = await startServer(dataDir);
    expect(owner(dataDir).pid).toBe(second.child.pid);
    const verified = rp(dataDir, ['audit', 'verify']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/ok\s+workspace before-kill/);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 180_000);

  it('stops a PostgreSQL orphaned with its watchdog gone before starting again, losing nothing committed', async () => {
    const dataDir = path.join(scratch, 'orphaned');
    const first = await startServer(dataDir);
    expect(rp(dataDir, ['admin', 'create-workspace', 'before-orphan']).status).toBe(0);
    const orphan = owner(dataDir).postmasterPid;
    // The watchdog is a shell and the subshell reading the launcher's pipe: both go.
    const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const watchdog = parentOf(orphan);
    const reader = fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((pid) => {
        try {
          return parentOf(pid) === watchdog && pid !== orphan;
        } catch {
          return false;
        }
      });
    for (const pid of [...reader, watchdog]) process.kill(pid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await exited(first.child);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(alive(orphan)).toBe(true); // nothing left to stop it

    const second = await startServer(dataDir);
    expect(second.output()).toContain(`stopping PostgreSQL (pid ${orphan}) left running by a launcher that is gone`);
    expect(alive(orphan)).toBe(false);
    const verified = rp(dataDir, ['audit', 'verify']);
    expect(verified.stdout).toMatch(/ok\s+workspace before-orphan/);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 180_000);
});

describe('data the embedded PostgreSQL cannot open', () => {
  it('refuses the data of the earlier PGlite default, leaving it untouched and naming the way forward', async () => {
    const dataDir = path.join(scratch, 'pglite');
    const pglite = path.join(dataDir, 'runtime', 'pglite');
    fs.mkdirSync(pglite, { recursive: true });
    fs.writeFileSync(path.join(pglite, 'PG_VERSION'), '17\n');
    await expect(startEmbeddedPostgres(embeddedPostgresDir(dataDir), { log: () => {} })).rejects.toThrow(
      /holds data of the earlier embedded database \(PGlite\).*left untouched.*upgrade\.md/s,
    );
    expect(fs.readdirSync(pglite)).toEqual(['PG_VERSION']);
    expect(fs.existsSync(ownerFile(dataDir))).toBe(false); // a refused start keeps no ownership
  });

  it('refuses a data directory of another PostgreSQL major version, naming both versions', async () => {
    const dataDir = path.join(scratch, 'old-major');
    const pgdata = path.join(embeddedPostgresDir(dataDir), 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true });
    fs.writeFileSync(path.join(pgdata, 'PG_VERSION'), '15\n');
    await expect(startEmbeddedPostgres(embeddedPostgresDir(dataDir), { log: () => {} })).rejects.toThrow(/made by PostgreSQL 15; this release runs PostgreSQL 18.*pg_dump/s);
  });

  it('takes over from a starter that died, and refuses one that lives', async () => {
    const dataDir = path.join(scratch, 'ownership');
    const dir = embeddedPostgresDir(dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(holder);
    fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: holder.pid, purpose: 'rp worker' }));
    await expect(startEmbeddedPostgres(dir, { log: () => {} })).rejects.toThrow(`in use by process ${holder.pid} (rp worker)`);
    holder.kill('SIGKILL');
    await exited(holder);
    const cluster = await startEmbeddedPostgres(dir, { log: () => {} });
    try {
      expect(owner(dataDir).pid).toBe(process.pid);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
