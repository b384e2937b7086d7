/**
 * `npm run bench` (content/docs/operations/performance.md): the gate against the framework's own ceiling, side by side
 * in one run, on the runtime's production build and real Postgres.
 *
 *   1. builds the runtime (skip with --skip-build) and measures it on each engine (--engine=default,
 *      external or both, the default): the default engine is the embedded PostgreSQL the launcher
 *      starts from a fresh data directory; external is a scratch database on the Postgres of
 *      BENCH_DATABASE_URL / DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 *      The server runs with RP_BENCH=1 (which enables the bare one-INSERT route);
 *   2. warms the server up (BENCH_WARM_UP, 20 s of the gate and half that of the bare route, not
 *      counted), then measures with autocannon: the bare route at 50 connections (the ceiling), the gate at 1, 10
 *      and 50 concurrent clients (p50/p99 latency, throughput, errors) in BENCH_ROUNDS (3) rounds.
 *      The throughput ratio is computed per round (gate and bare route back to back) and the figure
 *      is the median of those ratios; each round prints the load average first, and p99 at 10
 *      clients also as a ratio to the bare route's p99 of the same round, so a busy machine reads
 *      as busy, not as a regression;
 *   3. starts the same build again with RP_WORKERS=2 on the same database and measures the bare
 *      route and the gate at 50 clients there, to show what a second core adds (content/docs/operations/performance.md);
 *   4. starts a fresh server process on the same database (its memory untouched by the load runs),
 *      reports its resident set at rest (and, on the default engine, the embedded PostgreSQL's), and
 *      uploads CycloneDX SBOMs to it: 5 MB to warm up, 20 MB three times, 60 MB once (time, and the
 *      growth of the server processes' peak resident set, VmHWM, which only grows, so the figure
 *      does not drift with the garbage collector: it must not grow with the file);
 *   5. prints a table and the budgets: gate throughput >= 50% of the bare route's (stretch: 65%),
 *      p99 < 50 ms at 10 clients, no errors at 50, the upload < 2 s with memory bounded; with both
 *      engines, a side-by-side summary. Exits 1 if a budget fails or an engine could not be measured.
 * --engine=default|external|both (or BENCH_ENGINE) picks the engines. Everything it starts it
 * stops, and the scratch database and data directory are removed.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import autocannon from 'autocannon';
import { getRuntimeDb, runtimeDatabase } from '@/db/runtime';
import { signedDsseEnvelope } from '@/lib/evidence/testing/fixtures';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { createApiToken } from '@/lib/tokens/store';
import { createWorkspace } from '@/lib/workspaces/members';
import { savePolicy } from '@/lib/policy/store';
import { embeddedPostgresDir, runningEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { launchRuntime, startRuntime, type LaunchedRuntime, type RunningRuntime } from '../e2e/support/runtime-server';

const root = path.resolve(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PORT = Number(process.env.BENCH_PORT ?? 3312);
/** Load run on a fresh server before the first round, not counted (see benchEngine). */
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP ?? 20);
const adminUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

interface Row {
  name: string;
  connections: number | string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  /** What the errors were (connection errors, timeouts, statuses). */
  detail: string;
  /** Each round's figures, when the row is a median of several. */
  rounds?: string;
  /**
   * CPU the server's Node processes used per request during the run, in ms (user and system time
   * from /proc, garbage-collection threads included): an absolute figure beside the ratio.
   */
  serverCpuMs: number;
  /**
   * CPU per request of the PostgreSQL processes on this machine (the embedded cluster, or the
   * server's) and of this load generator: on a shared machine the three split the cores, so a
   * route's throughput follows their sum, not the server's share alone.
   */
  databaseCpuMs: number;
  clientCpuMs: number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function load(name: string, serverPid: number, options: autocannon.Options & { connections: number }): Promise<Row> {
  // A short warm-up first (JIT, connection pool), not counted.
  await autocannon({ ...options, duration: 2 });
  const cpuBefore = cpuTicks(serverPid);
  const databaseBefore = postgresCpuTicks();
  const clientBefore = process.cpuUsage();
  const result = await autocannon({ ...options, duration: DURATION });
  const cpuTicksUsed = cpuTicks(serverPid) - cpuBefore;
  const databaseTicksUsed = postgresCpuTicks() - databaseBefore;
  const clientUsed = process.cpuUsage(clientBefore);
  const perRequest = (ms: number) => Math.round((ms / Math.max(result.requests.total, 1)) * 100) / 100;
  return {
    serverCpuMs: perRequest((cpuTicksUsed * 1000) / CLOCK_TICKS_PER_SECOND),
    databaseCpuMs: perRequest((databaseTicksUsed * 1000) / CLOCK_TICKS_PER_SECOND),
    clientCpuMs: perRequest((clientUsed.user + clientUsed.system) / 1000),
    name,
    connections: options.connections,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    // autocannon counts a timeout in `errors` too: adding `timeouts` would count it twice.
    errors: result.errors + result.non2xx,
    total: result.requests.total,
    detail: [
      result.errors > result.timeouts ? `${result.errors - result.timeouts} connection errors` : '',
      result.timeouts ? `${result.timeouts} timeouts` : '',
      ...Object.entries(result.statusCodeStats ?? {})
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, stat]) => `${stat.count} × HTTP ${status}`),
    ]
      .filter(Boolean)
      .join(', '),
  };
}

/** Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on every mainstream build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User and system CPU time of the server's Node processes so far, in clock ticks. */
function cpuTicks(pid: number): number {
  return nodeProcesses(pid).reduce((sum, id) => sum + processTicks(id), 0);
}

/** The same for every PostgreSQL process on the machine (a backend that exited is not counted: the bench's connections stay open). */
function postgresCpuTicks(): number {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .reduce((sum, entry) => {
      try {
        return fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres' ? sum + processTicks(Number(entry)) : sum;
      } catch {
        return sum; // it has exited
      }
    }, 0);
}

function processTicks(id: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // it has exited
  }
}

/** The median of each figure over the rounds (errors: the total). */
function median(runs: Row[]): Row {
  const middle = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const half = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[half]! : Math.round((sorted[half - 1]! + sorted[half]!) / 2);
  };
  return {
    name: runs[0]!.name,
    connections: runs[0]!.connections,
    requestsPerSecond: middle(runs.map((run) => run.requestsPerSecond)),
    p50: middle(runs.map((run) => run.p50)),
    p99: middle(runs.map((run) => run.p99)),
    serverCpuMs: middleOf(runs.map((run) => run.serverCpuMs)),
    databaseCpuMs: middleOf(runs.map((run) => run.databaseCpuMs)),
    clientCpuMs: middleOf(runs.map((run) => run.clientCpuMs)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    total: runs.reduce((sum, run) => sum + run.total, 0),
    detail: runs.map((run) => run.detail).filter(Boolean).join('; '),
    rounds: runs.length > 1 ? runs.map((run) => `${run.requestsPerSecond} req/s, p99 ${run.p99} ms`).join(' | ') : undefined,
  };
}

/** A process's direct children (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return []; // it has exited
  }
}

/** A field of /proc/<pid>/status in kB (0 once the process is gone). */
function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The server's Node processes: rp-server.mjs and the worker(s) that serve, not an embedded PostgreSQL (or its watchdog) among its children. */
function nodeProcesses(pid: number): number[] {
  const isNode = (id: number) => {
    try {
      return fs.readlinkSync(`/proc/${id}/exe`) === fs.realpathSync(process.execPath);
    } catch {
      return false;
    }
  };
  return [pid, ...childrenOf(pid).filter(isNode)];
}

/**
 * The peak resident set (VmHWM) of the server's Node processes. A high-water mark only grows, so
 * its growth over an upload is a stable figure where the current RSS drifts with the garbage
 * collector; measured on a fresh server, earlier load runs do not hide it.
 */
function peakKb(pid: number): number {
  return nodeProcesses(pid).reduce((sum, id) => sum + statusKb(id, 'VmHWM'), 0);
}

/** The resident set of the server's Node processes now. */
function residentKb(pid: number): number {
  return nodeProcesses(pid).reduce((sum, id) => sum + statusKb(id, 'VmRSS'), 0);
}

/**
 * The embedded PostgreSQL's memory: the proportional set size (Pss) of the postmaster and its
 * processes, which counts the shared buffers once, not once per process as their RSS would.
 */
function postgresPssKb(postmasterPid: number): number {
  const pssOf = (id: number) => {
    try {
      return Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${id}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  return [postmasterPid, ...childrenOf(postmasterPid)].reduce((sum, id) => sum + pssOf(id), 0);
}

/** A ratio as a percentage, rounded down, so that 49.96% never reads as a passing 50.0%. */
function percent(value: number): string {
  return `${(Math.floor(value * 1000) / 10).toFixed(1)}%`;
}

/** The median of a list of numbers. */
/** "3.10 ms (2.11 + 0.74 + 0.25)": the three processes' CPU per request and their sum. */
function cpuSum(row: Row): string {
  const total = row.serverCpuMs + row.databaseCpuMs + row.clientCpuMs;
  return `${total.toFixed(2)} ms (${row.serverCpuMs.toFixed(2)} + ${row.databaseCpuMs.toFixed(2)} + ${row.clientCpuMs.toFixed(2)})`;
}

function middleOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

/** A CycloneDX SBOM of about `megabytes` MB. */
function writeSbom(file: string, megabytes: number): number {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[');
  let size = 0;
  for (let i = 0; size < megabytes * 1024 * 1024; i++) {
    const component = JSON.stringify({
      type: 'library',
      name: `package-${i}`,
      version: `1.${i % 50}.${i % 7}`,
      purl: `pkg:npm/package-${i}@1.${i % 50}.${i % 7}`,
      licenses: [{ license: { id: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC'][i % 4] } }],
      hashes: [{ alg: 'SHA-256', content: crypto.createHash('sha256').update(String(i)).digest('hex') }],
      description: 'A dependency of the service, as the SBOM generator describes it, with some words to make it realistic.',
    });
    const chunk = (i === 0 ? '' : ',') + component;
    fs.writeSync(out, chunk);
    size += chunk.length;
  }
  fs.writeSync(out, ']}');
  fs.closeSync(out);
  return fs.statSync(file).size;
}

async function uploadSbom(server: LaunchedRuntime, token: string, file: string): Promise<{ seconds: number; baselineMb: number; peakMb: number; status: number }> {
  const baseline = peakKb(server.pid);
  const started = performance.now();
  const response = await fetch(`${server.url}/api/v1/evidence?kind=sbom&service=bench`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.cyclonedx+json', 'content-length': String(fs.statSync(file).size) },
    body: Readable.toWeb(fs.createReadStream(file)) as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  await response.text();
  const seconds = (performance.now() - started) / 1000;
  const peak = peakKb(server.pid);
  return { seconds, baselineMb: baseline / 1024, peakMb: peak / 1024, status: response.status };
}

/** The bare route on, and a limit far above the production default of 600 requests a minute for the bench's one token. */
const BENCH_SERVER_ENV = { RP_BENCH: '1', RP_RATE_LIMIT_API: '100000000/60s', RP_LOG_LEVEL: 'error' };

/** A second server on the first one's database and data directory, running `workers` processes. */
function startWorkers(first: RunningRuntime, port: number, workers: number): Promise<LaunchedRuntime> {
  return launchRuntime({
    port,
    env: { DATABASE_URL: first.databaseUrl, RP_DATA_DIR: first.dataDir, RP_WORKERS: String(workers), ...BENCH_SERVER_ENV },
  });
}

type Engine = 'default' | 'external';

/** One engine's headline figures, for the side-by-side summary. */
interface Summary {
  engine: Engine;
  passed: boolean;
  bare: number;
  gate50: number;
  ratio: number;
  ratios: number[];
  gate10p99: number;
  /** The gate's p99 at 10 clients over the bare route's, median of the per-round ratios. */
  latencyRatio: number;
  /** Server CPU per request at 50 clients (medians of the rounds), ms. */
  cpuMs: { gate: number; bare: number };
  errors50: number;
  upload20: number;
  /** The fresh server's Node processes at rest, and the embedded PostgreSQL's Pss (default engine). */
  restingMb: number;
  postgresMb?: number;
  /** The peak resident set of the server that took the load runs. */
  loadedPeakMb: number;
}

async function main(): Promise<void> {
  const engineArg = [...args].find((arg) => arg.startsWith('--engine='))?.slice('--engine='.length) ?? process.env.BENCH_ENGINE ?? 'both';
  if (!['default', 'external', 'both'].includes(engineArg)) throw new Error(`--engine (BENCH_ENGINE) is default, external or both, got "${engineArg}"`);
  if (!args.has('--skip-build')) {
    log('building the runtime (npm run build; --skip-build reuses the last build)...');
    const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), 'runtime'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('the runtime build failed');
  }
  const engines: Engine[] = engineArg === 'both' ? ['default', 'external'] : [engineArg as Engine];
  const summaries: Summary[] = [];
  const unmeasured: string[] = [];
  for (const engine of engines) {
    try {
      summaries.push(await benchEngine(engine));
    } catch (error) {
      // One engine that cannot run (no Postgres server here, say) does not keep the other unmeasured.
      console.error(`\nbench: the ${engine} engine could not be measured: ${(error as Error).stack ?? String(error)}`);
      unmeasured.push(engine);
    }
  }
  if (summaries.length > 1) printSummary(summaries);
  if (unmeasured.length > 0) console.log(`\nNOT MEASURED: the ${unmeasured.join(' and ')} engine (see the error above)`);
  process.exitCode = unmeasured.length === 0 && summaries.every((summary) => summary.passed) ? 0 : 1;
}

function printSummary(summaries: Summary[]): void {
  const lines: string[][] = [
    ['', ...summaries.map((summary) => `${summary.engine} engine`)],
    ['bare route at 50 clients, req/s', ...summaries.map((summary) => String(summary.bare))],
    ['gate at 50 clients, req/s', ...summaries.map((summary) => String(summary.gate50))],
    ['gate / bare route (median of rounds)', ...summaries.map((summary) => `${percent(summary.ratio)} (${summary.ratios.map(percent).join(', ')})`)],
    ['gate p99 at 10 clients (x the bare route\'s)', ...summaries.map((summary) => `${summary.gate10p99} ms (${summary.latencyRatio.toFixed(2)}x)`)],
    ['server CPU per request at 50 clients, gate / bare route', ...summaries.map((summary) => `${summary.cpuMs.gate.toFixed(2)} / ${summary.cpuMs.bare.toFixed(2)} ms`)],
    ['errors at 50 clients', ...summaries.map((summary) => String(summary.errors50))],
    ['20 MB SBOM upload, slowest of 3', ...summaries.map((summary) => `${summary.upload20.toFixed(2)} s`)],
    ['fresh server at rest (Node processes, RSS)', ...summaries.map((summary) => `${summary.restingMb.toFixed(0)} MB`)],
    ['embedded PostgreSQL at rest (Pss)', ...summaries.map((summary) => (summary.postgresMb === undefined ? '(a server of its own)' : `${summary.postgresMb.toFixed(0)} MB`))],
    ['peak resident set after the load runs', ...summaries.map((summary) => `${summary.loadedPeakMb.toFixed(0)} MB`)],
    ['budgets', ...summaries.map((summary) => (summary.passed ? 'all met' : 'NOT all met'))],
  ];
  const widths = lines[0]!.map((_, index) => Math.max(...lines.map((line) => line[index]!.length)));
  console.log(`\nthe engines side by side (load average now ${os.loadavg()[0]!.toFixed(2)}):`);
  for (const line of lines) console.log(`  ${line.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ')}`);
}

/** --profile: a V8 CPU profile of the server (.cache/bench-profile), to see where a request's time goes. */
const nodeArgs = args.has('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, '.cache', 'bench-profile')}`] : [];

/**
 * The default engine: the launcher on a fresh data directory, running its embedded PostgreSQL; this
 * process reaches the same database the way `rp` does, through the URL the launcher records.
 */
async function startOnEmbedded(port: number): Promise<RunningRuntime> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-bench-'));
  fs.chmodSync(dataDir, 0o711); // run as root, PostgreSQL's own user must pass through
  const server = await launchRuntime({ port, nodeArgs, env: { DATABASE_URL: '', RP_DATA_DIR: dataDir, ...BENCH_SERVER_ENV } });
  const running = runningEmbeddedPostgres(embeddedPostgresDir(dataDir, 'runtime'));
  if (!running) throw new Error('the launcher runs no embedded PostgreSQL');
  runtimeDatabase.configure({ url: running.url, maxConnections: 4 });
  return {
    ...server,
    databaseUrl: running.url,
    dataDir,
    stop: async () => {
      await runtimeDatabase.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function benchEngine(engine: Engine): Promise<Summary> {
  const where = engine === 'default' ? 'the embedded PostgreSQL (the default engine)' : `a scratch database on the Postgres at ${new URL(adminUrl).host}`;
  log(`\n=== ${engine} engine: starting the runtime on 127.0.0.1:${PORT} with ${where}...`);
  const server =
    engine === 'default'
      ? await startOnEmbedded(PORT)
      : await startRuntime({ adminUrl, port: PORT, databasePrefix: 'rp_bench', env: BENCH_SERVER_ENV, nodeArgs });
  const sbomFile = path.join(os.tmpdir(), `rp-bench-sbom-${process.pid}.json`);
  try {
    const db = await getRuntimeDb();
    const workspace = await createWorkspace(db, { slug: 'bench', name: 'Benchmark' }, TEST_AUDIT);
    const { token } = await createApiToken(
      db,
      workspace.id,
      { name: 'bench', scopes: ['gate:evaluate', 'evidence:write', 'passport:read'], expiresAt: new Date(Date.now() + 3_600_000) },
      TEST_AUDIT,
    );
    // Provenance counts only when signed by a trusted key: the bench signs it as cosign attest --key would.
    const provenanceKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await savePolicy(db, workspace.id, { serviceId: null, environmentId: null }, {
      document: {
        mode: 'enforce',
        rules: [
          { id: 'sbom', type: 'sbom-present' },
          { id: 'fresh-sbom', type: 'evidence-required', kind: 'sbom', maxAgeHours: 24 },
          { id: 'licenses', type: 'license-deny', licenses: ['AGPL-3.0-only', 'SSPL-1.0'] },
          { id: 'no-high', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
          { id: 'provenance', type: 'provenance-subject', trustedKeys: [{ name: 'bench', publicKey: provenanceKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
        ],
      },
    });
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const evidence: string[] = [];
    const image = 'b'.repeat(64);
    for (const [kind, document] of [
      ['sbom', { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'left-pad', licenses: [{ license: { id: 'MIT' } }] }] }],
      ['sarif', { version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [] }] }],
      [
        'provenance',
        signedDsseEnvelope({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'bench', digest: { sha256: image } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} }, provenanceKey.privateKey),
      ],
    ] as const) {
      const response = await fetch(`${server.url}/api/v1/evidence?kind=${kind}`, { method: 'POST', headers: auth, body: JSON.stringify(document) });
      if (response.status !== 201) throw new Error(`uploading ${kind} evidence answered ${response.status}: ${await response.text()}`);
      evidence.push(((await response.json()) as { sha256: string }).sha256);
    }
    const gateBody = JSON.stringify({ service: 'bench', environment: 'staging', sourceSha: 'c'.repeat(40), imageDigest: `sha256:${image}`, evidence });
    const check = await fetch(`${server.url}/api/v1/gate/evaluate`, { method: 'POST', headers: auth, body: gateBody });
    const answer = (await check.json()) as { decision?: string };
    if (check.status !== 200 || answer.decision !== 'allow') throw new Error(`the gate answered ${check.status}: ${JSON.stringify(answer)}`);

    // The bare route and the gate are measured in alternating rounds, each pair back to back, and
    // compared within its round: on a shared machine the load drifts from one minute to the next,
    // and a slow run of either side would otherwise decide the comparison.
    const bareOptions = (connections: number) => ({ url: `${server.url}/api/bench/insert`, method: 'POST' as const, connections });
    const gateOptions = (connections: number) => ({ url: `${server.url}/api/v1/gate/evaluate`, method: 'POST' as const, headers: auth, body: gateBody, connections });
    // A fresh server is still compiling: V8's optimizing compiler took 5% of a core over the gate's
    // second 12 s of load after a start, and 1% half a minute later (performance.md). A server in
    // service has run for days, so both routes run at 50 clients first, not counted.
    log(`warming up: ${WARM_UP_SECONDS} s of the gate and ${WARM_UP_SECONDS / 2} s of the bare route at 50 clients, not counted...`);
    await autocannon({ ...gateOptions(50), duration: WARM_UP_SECONDS });
    await autocannon({ ...bareOptions(50), duration: WARM_UP_SECONDS / 2 });
    const rounds: Record<'bare50' | 'gate50' | 'bare10' | 'gate10' | 'gate1', Row[]> = { bare50: [], gate50: [], bare10: [], gate10: [], gate1: [] };
    const roundNotes: string[] = [];
    const ratios: number[] = [];
    const latencyRatios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const loadAverage = os.loadavg()[0]!.toFixed(2);
      log(`round ${round}/${ROUNDS} (load average ${loadAverage}): the bare route (one INSERT, no wrapper) and the gate at 50 clients, then both at 10${round === 1 ? ', then the gate at 1' : ''}...`);
      const bare50 = await load('bare route, one INSERT', server.pid, bareOptions(50));
      const gate50 = await load('gate evaluate', server.pid, gateOptions(50));
      const bare10 = await load('bare route, one INSERT', server.pid, bareOptions(10));
      const gate10 = await load('gate evaluate', server.pid, gateOptions(10));
      if (round === 1) rounds.gate1.push(await load('gate evaluate', server.pid, gateOptions(1)));
      rounds.bare50.push(bare50);
      rounds.gate50.push(gate50);
      rounds.bare10.push(bare10);
      rounds.gate10.push(gate10);
      const ratio = gate50.requestsPerSecond / bare50.requestsPerSecond;
      const latencyRatio = gate10.p99 / Math.max(bare10.p99, 1);
      ratios.push(ratio);
      latencyRatios.push(latencyRatio);
      roundNotes.push(
        `round ${round} (load average ${loadAverage} before it): gate / bare route throughput at 50 clients ${percent(ratio)} (${gate50.requestsPerSecond} / ${bare50.requestsPerSecond} req/s); ` +
          `gate p99 at 10 clients ${gate10.p99} ms = ${latencyRatio.toFixed(2)}x the bare route's ${bare10.p99} ms; ` +
          `CPU per request at 50 clients (server + PostgreSQL + load generator): gate ${cpuSum(gate50)}, bare route ${cpuSum(bare50)}`,
      );
    }
    const rows: Row[] = [median(rounds.bare50), median(rounds.bare10), median(rounds.gate1), median(rounds.gate10), median(rounds.gate50)];

    // `rp gate` sends an Idempotency-Key on every call (a new one per CI run), which the gate reads
    // in its first round trip and records with the decision together with its answer: measured
    // once each, beside the budgeted rows, so the figures say what a pipeline's call costs.
    log('the gate with a new Idempotency-Key on every request, as rp gate sends it...');
    const keyedOptions = (connections: number) => ({
      ...gateOptions(connections),
      requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': crypto.randomUUID() } }) }],
    });
    rows.push(await load('gate evaluate, Idempotency-Key', server.pid, keyedOptions(10)));
    rows.push(await load('gate evaluate, Idempotency-Key', server.pid, keyedOptions(50)));

    log('the same build with RP_WORKERS=2 (two server processes behind one port)...');
    const workers = await startWorkers(server, PORT + 1, 2);
    try {
      rows.push(await load('bare route, RP_WORKERS=2', workers.pid, { url: `${workers.url}/api/bench/insert`, method: 'POST', connections: 50 }));
      rows.push(await load('gate evaluate, RP_WORKERS=2', workers.pid, { url: `${workers.url}/api/v1/gate/evaluate`, method: 'POST', headers: auth, body: gateBody, connections: 50 }));
    } finally {
      await workers.stop();
    }

    const loadedPeakMb = peakKb(server.pid) / 1024;

    log('generating SBOMs of 5, 20 and 60 MB...');
    const sizes = { warm: writeSbom(`${sbomFile}.5`, 5), size: writeSbom(sbomFile, 20), large: writeSbom(`${sbomFile}.60`, 60) };
    const size = sizes.size;
    // A fresh server process on the same database for the uploads: the load runs raised the first
    // one's peak resident set, which would hide an upload's growth under it.
    log('a fresh server process for the uploads...');
    const fresh = await startWorkers(server, PORT + 2, 1);
    let warmUp: Awaited<ReturnType<typeof uploadSbom>>;
    const uploads: Awaited<ReturnType<typeof uploadSbom>>[] = [];
    let large: Awaited<ReturnType<typeof uploadSbom>>;
    let restingMb: number;
    let postgresMb: number | undefined;
    try {
      // Let its start-up warm-up finish, then read its memory at rest.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      restingMb = residentKb(fresh.pid) / 1024;
      const postmaster = engine === 'default' ? runningEmbeddedPostgres(embeddedPostgresDir(server.dataDir, 'runtime'))?.postmasterPid : undefined;
      postgresMb = postmaster ? postgresPssKb(postmaster) / 1024 : undefined;
      log('uploading 5 MB once to warm up...');
      warmUp = await uploadSbom(fresh, token, `${sbomFile}.5`);
      for (let i = 0; i < 3; i++) {
        log(`uploading 20 MB (${i + 1}/3)...`);
        uploads.push(await uploadSbom(fresh, token, sbomFile));
      }
      log('uploading 60 MB...');
      large = await uploadSbom(fresh, token, `${sbomFile}.60`);
    } finally {
      await fresh.stop();
    }

    const gate = (connections: number) => rows.find((row) => row.name === 'gate evaluate' && row.connections === connections)!;
    // The median of the per-round ratios: a ratio of medians mixes rounds of different load.
    const ratio = middleOf(ratios);
    const latencyRatio = middleOf(latencyRatios);
    const worstUpload = uploads.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    const peakGrowth = Math.max(...uploads.map((upload) => upload.peakMb - upload.baselineMb));
    const largeGrowth = large.peakMb - large.baselineMb;

    console.log(`\nRelease Passport benchmark, ${engine} engine (${where}): ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${DURATION} s per run\n`);
    const table = [
      ['route', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'CPU ms/req: server', 'PostgreSQL', 'load gen.'],
      ...rows.map((row) => [
        row.name,
        String(row.connections),
        String(row.requestsPerSecond),
        String(row.p50),
        String(row.p99),
        String(row.errors),
        String(row.total),
        row.serverCpuMs.toFixed(2),
        row.databaseCpuMs.toFixed(2),
        row.clientCpuMs.toFixed(2),
      ]),
    ];
    const widths = table[0]!.map((_, index) => Math.max(...table.map((line) => line[index]!.length)));
    for (const line of table) console.log(line.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  '));
    for (const row of rows.filter((item) => item.detail)) console.log(`  ${row.name} at ${row.connections}: ${row.detail}`);
    if (ROUNDS > 1) {
      console.log(`\neach figure above is the median of ${ROUNDS} alternating rounds (BENCH_ROUNDS); the rounds:`);
      for (const row of rows.filter((item) => item.rounds)) console.log(`  ${row.name} at ${row.connections}: ${row.rounds}`);
    }
    for (const note of roundNotes) console.log(`  ${note}`);
    const describeUpload = (label: string, upload: Awaited<ReturnType<typeof uploadSbom>>) =>
      console.log(`  ${label}: ${upload.seconds.toFixed(2)} s (HTTP ${upload.status}), server peak resident set (VmHWM) ${upload.baselineMb.toFixed(0)} MB before, ${upload.peakMb.toFixed(0)} MB after (+${(upload.peakMb - upload.baselineMb).toFixed(0)} MB)`);
    const single = gate(50).requestsPerSecond;
    const clustered = rows.find((row) => row.name === 'gate evaluate, RP_WORKERS=2')!.requestsPerSecond;
    console.log(`\nRP_WORKERS=2 on ${os.cpus().length} cores (Postgres and the load generator share them): gate at 50 clients ${single} -> ${clustered} req/s (${clustered >= single ? '+' : ''}${Math.round((clustered / single - 1) * 100)}%)`);
    console.log(
      `\nmemory: the server that took the load runs peaked at ${loadedPeakMb.toFixed(0)} MB (VmHWM of its Node processes); a fresh one at rest holds ${restingMb.toFixed(0)} MB (RSS)` +
        (postgresMb === undefined ? '' : `, and the embedded PostgreSQL ${postgresMb.toFixed(0)} MB (Pss of its processes)`),
    );
    console.log('\nSBOM uploads to the fresh server (CycloneDX, streamed to the server and on to storage):');
    describeUpload(`warm-up ${(sizes.warm / 1048576).toFixed(0)} MB`, warmUp);
    for (const [index, upload] of uploads.entries()) describeUpload(`${(size / 1048576).toFixed(0)} MB run ${index + 1}`, upload);
    describeUpload(`${(sizes.large / 1048576).toFixed(0)} MB`, large);
    const budgets = [
      [`gate throughput at 50 clients >= 50% of the bare route's (median of per-round ratios)`, `${percent(ratio)} (rounds: ${ratios.map(percent).join(', ')})`, ratio >= 0.5],
      ['gate p99 at 10 clients < 50 ms (median of rounds)', `${gate(10).p99} ms (rounds: ${rounds.gate10.map((run) => run.p99).join(', ')} ms; ${latencyRatio.toFixed(2)}x the bare route's p99 at 10 clients, median of per-round ratios)`, gate(10).p99 < 50],
      ['no errors at 50 clients', String(gate(50).errors), gate(50).errors === 0],
      ['20 MB SBOM upload < 2 s', `${worstUpload.seconds.toFixed(2)} s`, worstUpload.seconds < 2 && uploads.every((upload) => upload.status === 201)],
      [
        'upload memory bounded (does not grow with the file: 60 MB peak growth under the file and at most the 20 MB growth + 16 MB)',
        `+${peakGrowth.toFixed(0)} MB for 20 MB, +${largeGrowth.toFixed(0)} MB for 60 MB`,
        largeGrowth < sizes.large / 1048576 && largeGrowth <= peakGrowth + 16 && large.status === 201,
      ],
    ] as const;
    console.log(`\nbudgets, ${engine} engine (content/docs/operations/performance.md):`);
    for (const [name, value, ok] of budgets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}: ${value}`);
    console.log(`  ${ratio >= 0.65 ? 'MET ' : 'not yet'}  stretch: gate throughput at 50 clients >= 65% of the bare route's: ${percent(ratio)}`);
    const failures = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":50'));
    if (failures.length > 0) {
      const kinds = new Map<string, number>();
      for (const line of failures) {
        const message = (/"message":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line).slice(0, 300);
        kinds.set(message, (kinds.get(message) ?? 0) + 1);
      }
      console.log(`\nserver errors logged: ${[...kinds.entries()].map(([message, count]) => `${count} × ${message}`).join('; ')}`);
    }
    return {
      engine,
      passed: budgets.every(([, , ok]) => ok),
      bare: rows[0]!.requestsPerSecond,
      gate50: gate(50).requestsPerSecond,
      ratio,
      ratios,
      gate10p99: gate(10).p99,
      latencyRatio,
      cpuMs: { gate: gate(50).serverCpuMs, bare: rows[0]!.serverCpuMs },
      errors50: gate(50).errors,
      upload20: worstUpload.seconds,
      restingMb,
      postgresMb,
      loadedPeakMb,
    };
  } finally {
    for (const suffix of ['', '.5', '.60']) fs.rmSync(`${sbomFile}${suffix}`, { force: true });
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
