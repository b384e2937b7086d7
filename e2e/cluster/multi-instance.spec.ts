/**
 * Beyond one machine (issue 8, docs/architecture.md): two runtime processes on the same Postgres and
 * Redis behind a real load balancer (nginx from Debian). Gate calls spread over both, the rate
 * limit is one limit shared through Redis, a session made on one is valid on the other, and the
 * background jobs both embedded workers compete for run once. Needs the runtime build, Postgres
 * (TEST_DATABASE_URL), Redis (TEST_REDIS_URL) and nginx; .ci/run provides all of them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import postgres from 'postgres';
import { freePort, waitForOk } from '../support/ports';
import { keepScreenshot } from '../support/screenshots';

const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => fs.existsSync(candidate));
const standalone = path.resolve('.next-runtime', 'standalone');

test.describe.configure({ mode: 'serial' });
test.skip(!adminUrl || !redisUrl || !nginx, 'needs TEST_DATABASE_URL, TEST_REDIS_URL and nginx (.ci/run sets them up)');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cluster-'));
const database = `rp_cluster_${process.pid}`;
const children: ChildProcess[] = [];
const PASSWORD = crypto.randomBytes(12).toString('base64url');
const RATE_LIMIT = 25;
let databaseUrl = '';
let instances: Array<{ name: string; port: number; url: string }> = [];
let balancer = '';
let accessLog = '';
let gateToken = '';
let limitToken = '';

// Quiet psql: "does not exist, skipping" notices are not news.
const psqlEnv = { ...process.env, PGOPTIONS: '--client-min-messages=warning' };

function rp(args: string[], input?: string): string {
  return execFileSync(process.execPath, ['rp.mjs', ...args], {
    cwd: standalone,
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, RP_DATA_DIR: path.join(work, 'cli') },
  });
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const url = new URL(adminUrl!);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
  execFileSync('psql', [adminUrl!, '-qc', `drop database if exists ${database} with (force)`, '-c', `create database ${database}`], { env: psqlEnv });

  rp(['migrate']);
  rp(['admin', 'create-user', 'ops@cluster.test', '--name', 'Ops', '--password-stdin'], PASSWORD + '\n');
  rp(['admin', 'create-workspace', 'cluster', '--name', 'Cluster', '--admin', 'ops@cluster.test']);
  const token = (name: string) =>
    JSON.parse(rp(['admin', 'create-token', 'cluster', '--name', name, '--scopes', 'gate:evaluate,passport:read', '--expires-in', '1d', '--json'])).token as string;
  gateToken = token('cluster gate');
  limitToken = token('cluster rate limit');

  const shared = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl!,
    AUTH_SECRET: crypto.randomBytes(32).toString('base64url'),
    RP_SECRETS_KEY: crypto.randomBytes(32).toString('base64'),
    RP_BLOB_DIR: path.join(work, 'blobs'), // stands in for the shared S3 bucket
    RP_TRUSTED_PROXIES: '127.0.0.1',
    RP_RATE_LIMIT_API: `${RATE_LIMIT}/60s`,
    RP_RATE_LIMIT_PREFIX: `rp-cluster-${process.pid}`,
  };
  instances = [];
  for (const name of ['a', 'b']) {
    const port = await freePort();
    const child = spawn(process.execPath, ['rp-server.mjs'], {
      cwd: standalone,
      env: { ...process.env, ...shared, PORT: String(port), RP_DATA_DIR: path.join(work, name) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => fs.appendFileSync(path.join(work, `${name}.log`), chunk));
    child.stderr?.on('data', (chunk) => fs.appendFileSync(path.join(work, `${name}.log`), chunk));
    children.push(child);
    instances.push({ name, port, url: `http://localhost:${port}` });
  }
  await Promise.all(instances.map((instance) => waitForOk(`http://127.0.0.1:${instance.port}/api/ready`, 120_000)));

  const lbPort = await freePort();
  accessLog = path.join(work, 'access.log');
  fs.writeFileSync(
    path.join(work, 'nginx.conf'),
    `pid ${work}/nginx.pid;
error_log ${work}/error.log;
daemon off;
events {}
http {
  log_format upstreams '$upstream_addr $status $request_uri';
  access_log ${accessLog} upstreams;
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  upstream release_passport { ${instances.map((i) => `server 127.0.0.1:${i.port};`).join(' ')} }
  server {
    listen 127.0.0.1:${lbPort};
    location / {
      proxy_pass http://release_passport;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      include ${path.resolve('deploy/nginx/strip-internal-headers.conf')};
    }
  }
}
`,
  );
  const lb = spawn(nginx!, ['-p', work, '-c', path.join(work, 'nginx.conf')], { stdio: 'ignore' });
  children.push(lb);
  balancer = `http://localhost:${lbPort}`;
  await waitForOk(`http://127.0.0.1:${lbPort}/api/health`);
});

test.afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  execFileSync('psql', [adminUrl!, '-qc', `drop database if exists ${database} with (force)`], { env: psqlEnv });
  fs.rmSync(work, { recursive: true, force: true });
});

function upstreamCounts(pathPrefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(accessLog, 'utf8').split('\n')) {
    const [upstream, , uri] = line.split(' ');
    if (upstream && uri?.startsWith(pathPrefix)) counts.set(upstream, (counts.get(upstream) ?? 0) + 1);
  }
  return counts;
}

test('gate calls through the load balancer are answered by both instances', async ({ request }) => {
  const answers = [];
  for (let i = 0; i < 12; i++) {
    answers.push(
      await request.post(`${balancer}/api/v1/gate/evaluate`, {
        headers: { authorization: `Bearer ${gateToken}` },
        data: { service: 'api', environment: 'staging', sourceSha: crypto.randomBytes(20).toString('hex'), imageDigest: `sha256:${crypto.randomBytes(32).toString('hex')}` },
      }),
    );
  }
  expect(answers.map((answer) => answer.status())).toEqual(Array(12).fill(200));
  const passports = await Promise.all(answers.map(async (answer) => (await answer.json()).passport.id as string));
  expect(new Set(passports).size).toBe(12);
  // Every passport is readable through either instance: one database behind both.
  for (const instance of instances) {
    const read = await request.get(`${instance.url}/api/v1/passports/${passports[0]}`, { headers: { authorization: `Bearer ${gateToken}` } });
    expect(read.status(), instance.name).toBe(200);
  }
  const counts = upstreamCounts('/api/v1/gate/evaluate');
  expect([...counts.keys()].sort()).toEqual(instances.map((instance) => `127.0.0.1:${instance.port}`).sort());
  for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(3);
});

test('the rate limit is one limit for the whole cluster (shared through Redis)', async ({ request }) => {
  const statuses: number[] = [];
  for (let i = 0; i < RATE_LIMIT + 15; i++) {
    const answer = await request.get(`${balancer}/api/v1/whoami`, { headers: { authorization: `Bearer ${limitToken}` } });
    statuses.push(answer.status());
    if (answer.status() === 429) expect(Number(answer.headers()['retry-after'])).toBeGreaterThan(0);
  }
  // With limits kept per process, each instance would have allowed RATE_LIMIT on its own.
  expect(statuses.filter((status) => status === 200)).toHaveLength(RATE_LIMIT);
  expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  expect(upstreamCounts('/api/v1/whoami').size).toBe(2);
});

test('a session made on one instance is valid on the other', async ({ page }, testInfo) => {
  const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
  await page.goto(`${first.url}/login`);
  await page.getByLabel('Email').fill('ops@cluster.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).first().click();
  await expect(page).toHaveURL(/\/console/);
  // Cookies are per host, not per port: the same browser now talks to the other process.
  for (const instance of [first, second]) {
    const whoami = await page.request.get(`${instance.url}/api/v1/whoami`, { headers: { 'rp-workspace': 'cluster' } });
    expect(whoami.status(), instance.name).toBe(200);
    expect(JSON.stringify(await whoami.json())).toContain('ops@cluster.test');
  }
  await page.goto(`${second.url}/console/cluster`);
  await expect(page).toHaveURL(new RegExp(`${second.port}/console/cluster`));
  await keepScreenshot(page, testInfo, 'cluster-console-on-second-instance');
});

test('a token revoked on one instance is refused by the other at once, not when its cached lookup expires', async ({ page, request }, testInfo) => {
  const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
  const token = JSON.parse(rp(['admin', 'create-token', 'cluster', '--name', 'short lived', '--scopes', 'gate:evaluate', '--expires-in', '1d', '--json'])).token as string;
  const whoamiOnFirst = () => request.get(`${first.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  await page.goto(`${second.url}/login`);
  await page.getByLabel('Email').fill('ops@cluster.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).first().click();
  await expect(page).toHaveURL(/\/console/);
  await page.goto(`${second.url}/settings/cluster/tokens`);
  // The first use records its time, an update of the token that drops it from the caches; the
  // uses after that are served from the first instance's cache (kept up to 5 s).
  for (let i = 0; i < 3; i++) {
    expect((await whoamiOnFirst()).status()).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await page.getByRole('button', { name: 'Revoke short lived' }).click();
  await expect(page.getByRole('row', { name: /short lived/ })).toContainText('revoked');
  await keepScreenshot(page, testInfo, 'cluster-token-revoked-on-second-instance');

  const revokedAt = Date.now();
  let status = 0;
  while (Date.now() - revokedAt < 5_000) {
    status = (await whoamiOnFirst()).status();
    if (status === 401) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe(401);
  // The database's NOTIFY reached the other process: well within the cache's 5 s lifetime.
  expect(Date.now() - revokedAt).toBeLessThan(1_500);
});

test('background jobs the two embedded workers compete for run once', async () => {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    let rows: Array<{ name: string; runs: number; last_status: string | null }> = [];
    const deadline = Date.now() + 30_000;
    do {
      rows = await sql`select name, runs, last_status from jobs order by name`;
      if (rows.length > 0 && rows.every((row) => row.runs >= 1 && row.last_status)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    expect(rows.length).toBeGreaterThan(0);
    // Both processes started at once and both tried; every job ran exactly once (hourly / 5-minute jobs).
    for (const row of rows) expect(row.runs, row.name).toBe(1);
  } finally {
    await sql.end();
  }
});
