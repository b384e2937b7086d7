/**
 * The gate under real faults (issue 14): its own Postgres cluster restarted fast and immediate and
 * stopped for 20 s under steady load from 10 CI clients; the server stopped with SIGTERM under
 * keep-alive load and killed with SIGKILL. Asserts what an operator relies on: no 500, no hang,
 * 503 database-unavailable within 2 s while the database is away, 2xx within 5 s of it accepting
 * connections again, readiness telling the truth, every acknowledged decision in the database with
 * its audit event and the audit chain intact, no orphan process. Prints the figures.
 *
 * Needs the runtime build and PostgreSQL's server binaries (initdb, pg_ctl).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { createApiToken } from '@/lib/tokens/store';
import { createWorkspace } from '@/lib/workspaces/members';
import { freePort, waitForOk } from '../support/ports';
import { launchRuntime, RUNTIME_LAUNCHER, spawnLauncher, startRuntime, type RunningRuntime } from '../support/runtime-server';
import { secondsToRecover, startGateLoad, statusCounts, type GateAnswer } from './gate-load';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from './pg-cluster';

const root = path.resolve(import.meta.dirname, '..', '..');
const PUBLIC_LAUNCHER = path.join(root, '.next-public', 'standalone', 'rp-server.mjs');
const runnable = fs.existsSync(RUNTIME_LAUNCHER) && postgresBinDir() !== null;
if (process.env.CI && !runnable) throw new Error('CI must run the fault suite: it needs the runtime build and PostgreSQL server binaries.');

// Load well past the per-token limit: the faults are the subject, not the rate limiter.
const SERVER_ENV = { RP_SHUTDOWN_TIMEOUT: '5', RP_RATE_LIMIT_API: '1000000/60s' };
let cluster: PostgresCluster;
let server: RunningRuntime;
let token: string;
const acknowledged: GateAnswer[] = [];
const figures: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const body = JSON.stringify({ service: 'checkout', environment: 'staging', sourceSha: 'f'.repeat(40), imageDigest: `sha256:${'e'.repeat(64)}`, evidence: [] });

beforeAll(async () => {
  if (!runnable) return;
  cluster = await startPostgresCluster();
  server = await startRuntime({ adminUrl: cluster.url, port: await freePort(), databasePrefix: 'rp_faults', env: SERVER_ENV });
  const db = await getRuntimeDb();
  const workspace = await createWorkspace(db, { slug: 'faults', name: 'Faults' }, TEST_AUDIT);
  token = (await createApiToken(db, workspace.id, { name: 'ci', scopes: ['gate:evaluate', 'evidence:write', 'passport:read'], expiresAt: new Date(Date.now() + 3_600_000) }, TEST_AUDIT)).token;
}, 180_000);

afterAll(async () => {
  if (figures.length) console.log(`\nGate under faults (10 clients):\n${figures.map((line) => `  ${line}`).join('\n')}\n`);
  await server?.stop().catch(() => {});
  cluster?.destroy();
}, 60_000);

/**
 * For a failure message: the server's error lines and every line it logged about the unexpected
 * answers (found by their request ids), which say why it answered what it did.
 */
function serverErrors(answers: GateAnswer[] = []): string {
  const ids = unexpected(answers).map((answer) => answer.requestId);
  const lines = server.output().split('\n').filter((line) => /"level":(50|60)|Error/.test(line) || ids.some((id) => line.includes(id)));
  return `server errors and the lines about unexpected answers:\n${lines.slice(-20).map((line) => line.slice(0, 1500)).join('\n')}`;
}

/** Answers that are neither a 2xx nor a 503 database-unavailable (or not-ready) problem. */
function unexpected(answers: GateAnswer[]): GateAnswer[] {
  return answers.filter((answer) => !(answer.status === 200 || (answer.status === 503 && answer.code === 'database-unavailable')));
}

/** A server launcher (rp-server.mjs of a build) started with the production environment and `env`, its output collected. */
async function underLoad(name: string, fault: () => Promise<number>): Promise<{ answers: GateAnswer[]; recovered: number | null }> {
  const load = startGateLoad({ url: server.url, token, body, clients: 10, label: name.replace(/\W+/g, '-') });
  await sleep(1_000);
  const back = await fault();
  // Keep the load on until the gate answers again (or 10 s have passed), then a little longer.
  for (let waited = 0; waited < 10_000 && secondsToRecover(load.answers, back) === null; waited += 100) await sleep(100);
  await sleep(500);
  const answers = await load.stop();
  acknowledged.push(...answers.filter((answer) => answer.status === 200));
  const recovered = secondsToRecover(answers, back);
  const longest = Math.max(...answers.map((answer) => answer.endedAt - answer.startedAt)) / 1000;
  figures.push(`${name}: ${answers.length} requests ${JSON.stringify(statusCounts(answers))}, longest wait ${longest.toFixed(1)} s, 2xx again ${recovered?.toFixed(1) ?? 'never'} s after Postgres accepted connections`);
  return { answers, recovered };
}

describe.skipIf(!runnable)('the gate while its database fails (own Postgres cluster, production build)', () => {
  it('answers every request through `pg_ctl restart -m fast`: 2xx or 503, no hang, 2xx within 5 s of Postgres being back', async () => {
    const { answers, recovered } = await underLoad('restart -m fast', async () => {
      await cluster.restart('fast');
      return Date.now();
    });
    expect(unexpected(answers), serverErrors(answers)).toEqual([]);
    expect(Math.max(...answers.map((answer) => answer.endedAt - answer.startedAt))).toBeLessThan(15_000);
    expect(recovered).not.toBeNull();
    expect(recovered!).toBeLessThanOrEqual(5);
  }, 60_000);

  it('answers every request through `pg_ctl restart -m immediate` (a crash) the same way', async () => {
    const { answers, recovered } = await underLoad('restart -m immediate', async () => {
      await cluster.restart('immediate');
      return Date.now();
    });
    expect(unexpected(answers), serverErrors(answers)).toEqual([]);
    expect(recovered).not.toBeNull();
    expect(recovered!).toBeLessThanOrEqual(5);
  }, 60_000);

  it('answers 503 database-unavailable within 2 s while Postgres is stopped for 20 s, says not ready, and recovers within 5 s', async () => {
    let readyWhileDown: number | null = null;
    let stoppedAt = 0;
    const { answers, recovered } = await underLoad('stopped 20 s', async () => {
      await cluster.stop('fast');
      stoppedAt = Date.now();
      await sleep(3_000);
      readyWhileDown = (await fetch(`${server.url}/api/ready`)).status;
      await sleep(17_000);
      await cluster.start();
      return Date.now();
    });
    expect(readyWhileDown).toBe(503);
    expect(unexpected(answers), serverErrors(answers)).toEqual([]);
    const whileDown = answers.filter((answer) => answer.startedAt >= stoppedAt + 1_000 && answer.endedAt <= stoppedAt + 19_000);
    expect(whileDown.length).toBeGreaterThan(10);
    expect(whileDown.every((answer) => answer.status === 503)).toBe(true);
    expect(Math.max(...whileDown.map((answer) => answer.endedAt - answer.startedAt))).toBeLessThanOrEqual(2_000);
    expect(recovered).not.toBeNull();
    expect(recovered!).toBeLessThanOrEqual(5);
    expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);
  }, 90_000);

  it('starts while Postgres is stopped: alive, not ready and 503 (never 500) until it is back, then serves the gate', async () => {
    await cluster.stop('fast');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // A second server of the same installation (its data directory holds the keys that open the
    // workspace's signing key); launchRuntime resolves once /api/ready says ready, which needs the database.
    const launching = launchRuntime({ port, env: { DATABASE_URL: server.databaseUrl, RP_DATA_DIR: server.dataDir, ...SERVER_ENV } });
    launching.catch(() => {});
    try {
      await waitForOk(`${url}/api/health`, 60_000);
      const ready = await fetch(`${url}/api/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { detail: string }).detail).toMatch(/database cannot be reached/);
      const refused = await fetch(`${url}/api/v1/gate/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(((await refused.json()) as { code: string }).code).toBe('database-unavailable');
      const back = Date.now();
      await cluster.start();
      const late = await launching;
      try {
        figures.push(`started without its database: ready ${((Date.now() - back) / 1000).toFixed(1)} s after Postgres was started`);
        const requestId = crypto.randomUUID();
        const startedAt = Date.now();
        const answered = await fetch(`${late.url}/api/v1/gate/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': requestId }, body });
        expect(answered.status, `${await answered.clone().text()}\n${late.output().slice(-3000)}`).toBe(200);
        const passportId = ((await answered.json()) as { passport: { id: string } }).passport.id;
        acknowledged.push({ requestId, startedAt, endedAt: Date.now(), status: 200, passportId });
        expect(late.output()).toContain('the database cannot be reached at start');
      } finally {
        await late.stop();
      }
    } finally {
      await cluster.start().catch(() => {});
    }
  }, 150_000);

  it('stops with the reason, not a server answering 500, when the database refuses the start (a role that may not create tables)', async () => {
    const database = `rp_limited_${process.pid}`;
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe('create role rp_limited login').catch(() => {});
      await admin.unsafe(`create database ${database}`);
    } finally {
      await admin.end();
    }
    const url = new URL(cluster.url);
    url.username = 'rp_limited';
    url.pathname = `/${database}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-faults-refused-'));
    const launched = spawnLauncher({ env: { DATABASE_URL: url.toString(), RP_DATA_DIR: dataDir, PORT: String(await freePort()) } });
    try {
      const code = await launched.exited(60_000);
      expect(code, launched.output()).toBe(78);
      expect(launched.output()).toMatch(/rp-server: the start could not finish: permission denied for database rp_limited_\d+ \(SQLSTATE 42501\) in: CREATE SCHEMA .*must own the database/);
      expect(launched.output()).toContain('unable to start (the reason is above)');
    } finally {
      launched.kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('the public site starts while its database is stopped: its pages and liveness answer, readiness says why not, then it is ready', async () => {
    expect(fs.existsSync(PUBLIC_LAUNCHER), 'the public build (npm test builds it)').toBe(true);
    const database = `rp_public_faults_${process.pid}`;
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${database}`);
    } finally {
      await admin.end();
    }
    await cluster.stop('fast');
    const url = new URL(cluster.url);
    url.pathname = `/${database}`;
    const port = await freePort();
    const site = `http://127.0.0.1:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-faults-public-'));
    const launched = spawnLauncher({ launcher: PUBLIC_LAUNCHER, env: { RP_TARGET: 'public', DATABASE_URL: url.toString(), RP_DATA_DIR: dataDir, PORT: String(port) } });
    try {
      await waitForOk(`${site}/api/health`, 60_000);
      for (const page of ['/', '/pricing', '/docs']) expect((await fetch(`${site}${page}`)).status, `${page}\n${launched.output()}`).toBe(200);
      const ready = await fetch(`${site}/api/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { detail: string }).detail).toMatch(/database cannot be reached/);
      await cluster.start();
      await waitForOk(`${site}/api/ready`, 30_000);
      expect(launched.output()).toContain('the database cannot be reached at start');
    } finally {
      launched.kill();
      await cluster.start().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

});

describe.skipIf(!runnable)('stopping the server under load (production build)', () => {
  it('drains on SIGTERM: in-flight requests answered, keep-alive connections closed, every process gone within the timeout', async () => {
    const port = await freePort();
    const launched = await launchRuntime({ port, env: { ...SERVER_ENV, DATABASE_URL: server.databaseUrl, RP_DATA_DIR: server.dataDir } });
    const tree = processTree(launched.pid);
    expect(tree.length).toBeGreaterThanOrEqual(2); // the launcher and its server worker
    const load = startGateLoad({ url: launched.url, token, body, clients: 10, label: 'sigterm' });
    await sleep(1_500);
    const signalledAt = Date.now();
    process.kill(launched.pid, 'SIGTERM');
    while (tree.some(isAlive) && Date.now() - signalledAt < 10_000) await sleep(50);
    const stoppedIn = (Date.now() - signalledAt) / 1000;
    const answers = await load.stop();
    figures.push(`SIGTERM under keep-alive load: every process gone in ${stoppedIn.toFixed(1)} s; ${JSON.stringify(statusCounts(answers))}`);
    expect(tree.filter(isAlive)).toEqual([]);
    expect(stoppedIn).toBeLessThanOrEqual(7);
    // Before the signal everything was answered; after it, a request is answered or finds the port closed.
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 0)).toEqual([]);
    expect(answers.filter((answer) => answer.status === 0 && answer.startedAt < signalledAt - 100)).toEqual([]);
    await launched.stop();
  }, 60_000);

  it('takes its worker down with it when the launcher is killed with SIGKILL', async () => {
    const port = await freePort();
    const launched = await launchRuntime({ port, env: { ...SERVER_ENV, DATABASE_URL: server.databaseUrl, RP_DATA_DIR: server.dataDir } });
    const tree = processTree(launched.pid);
    const load = startGateLoad({ url: launched.url, token, body, clients: 5, label: 'sigkill' });
    await sleep(1_000);
    process.kill(launched.pid, 'SIGKILL');
    const killedAt = Date.now();
    while (tree.some(isAlive) && Date.now() - killedAt < 5_000) await sleep(50);
    await load.stop();
    figures.push(`SIGKILL of the launcher: workers gone in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    expect(tree.filter(isAlive)).toEqual([]);
    await launched.stop();
  }, 60_000);

  it('stops with npm start’s launcher too: start.mjs killed outright takes the server with it', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-faults-start-'));
    const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs'), 'runtime'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: server.databaseUrl, RP_DATA_DIR: dataDir, AUTH_SECRET: 'faults-session-secret-not-for-production', RP_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      for (let waited = 0; waited < 60_000; waited += 250) {
        if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) break;
        await sleep(250);
      }
      const tree = processTree(child.pid!);
      expect(tree.length).toBeGreaterThanOrEqual(3); // start.mjs, the launcher, its worker
      child.kill('SIGKILL');
      const killedAt = Date.now();
      while (tree.some(isAlive) && Date.now() - killedAt < 10_000) await sleep(50);
      expect(tree.filter(isAlive)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
  it('keeps answering when Redis (the shared rate limits) goes away: limits fall back to memory', async () => {
    const redisPort = await freePort();
    const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      for (let waited = 0; waited < 5_000; waited += 100) {
        if (spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break;
        await sleep(100);
      }
      const launched = await launchRuntime({ port: await freePort(), env: { ...SERVER_ENV, DATABASE_URL: server.databaseUrl, RP_DATA_DIR: server.dataDir, REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
      try {
        const load = startGateLoad({ url: launched.url, token, body, clients: 10, label: 'redis-stop' });
        await sleep(1_000);
        redis.kill('SIGKILL');
        await sleep(3_000);
        const answers = await load.stop();
        acknowledged.push(...answers.filter((answer) => answer.status === 200));
        figures.push(`Redis killed under load: ${JSON.stringify(statusCounts(answers))}`);
        expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
      } finally {
        await launched.stop();
      }
    } finally {
      redis.kill('SIGKILL');
    }
  }, 60_000);

  it('replaces a server worker killed with SIGKILL under load; the requests it held fail, nothing else does', async () => {
    const launched = await launchRuntime({ port: await freePort(), env: { ...SERVER_ENV, DATABASE_URL: server.databaseUrl, RP_DATA_DIR: server.dataDir } });
    try {
      const [worker] = processTree(launched.pid).slice(1);
      const load = startGateLoad({ url: launched.url, token, body, clients: 10, label: 'worker-kill' });
      await sleep(1_000);
      const killedAt = Date.now();
      process.kill(worker!, 'SIGKILL');
      for (let waited = 0; waited < 30_000 && secondsToRecover(load.answers, killedAt + 100) === null; waited += 100) await sleep(100);
      await sleep(500);
      const answers = await load.stop();
      acknowledged.push(...answers.filter((answer) => answer.status === 200));
      const recovered = secondsToRecover(answers, killedAt + 100);
      const longest = Math.max(...answers.map((answer) => answer.endedAt - answer.startedAt)) / 1000;
      figures.push(`server worker killed with SIGKILL: ${JSON.stringify(statusCounts(answers))}, answering again after ${recovered?.toFixed(1) ?? 'never'} s, longest wait ${longest.toFixed(1)} s`);
      expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 0)).toEqual([]);
      expect(recovered).not.toBeNull();
    } finally {
      await launched.stop();
    }
  }, 60_000);
});

describe.skipIf(!runnable)('after every fault', () => {
  it('kept every decision it acknowledged, each with its audit event, and the audit chain verifies', async () => {
    const db = await getRuntimeDb();
    expect(acknowledged.length).toBeGreaterThan(50);
    const requestIds = acknowledged.map((answer) => answer.requestId);
    const audited = rowsOf<{ request_id: string; resource_id: string }>(
      await db.execute(sql`select request_id, resource_id from audit_events where action = 'gate.evaluate' and request_id = any(${`{${requestIds.join(',')}}`}::text[])`),
    );
    const byRequest = new Map(audited.map((row) => [row.request_id, row.resource_id]));
    const missing = acknowledged.filter((answer) => byRequest.get(answer.requestId) !== answer.passportId);
    expect(missing.length, `${missing.length} of ${acknowledged.length} acknowledged decisions lack their audit event, e.g. ${JSON.stringify(missing.slice(0, 3))}`).toBe(0);
    const passportIds = [...new Set(acknowledged.map((answer) => answer.passportId!))];
    const stored = rowsOf<{ n: number | string }>(await db.execute(sql`select count(*) as n from passports where id = any(${`{${passportIds.join(',')}}`}::text[])`));
    expect(Number(stored[0]!.n)).toBe(passportIds.length);
    const verify = spawnSync(process.execPath, [path.join(root, 'cli/rp.mjs'), 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: server.databaseUrl }, timeout: 60_000 });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 60_000);
});

/** `pid` and every process below it, from /proc. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
