/**
 * `rp` when the server is briefly unavailable, slow, gone, or loses an answer: the real CLI (a
 * child process) against an HTTP server that injects the fault and otherwise serves the real
 * route handlers on the test database. Retries with backoff on 503/429/connection errors within
 * --deadline, a per-request --timeout, exit 3 with what failed and how often, and a gate retry after
 * a lost answer gets the same decision and passport (one decision recorded).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadRoute } from '@/app/api/v1/evidence/route.runtime';
import { POST as evaluateRoute } from '@/app/api/v1/gate/evaluate/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { gateDecisions } from '@/db/schema/runtime';
import { cyclonedx } from '@/lib/evidence/testing/fixtures';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { startTestHttpServer } from '@/lib/testing/http-server';
import { testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { backoffMs, retryAfterMs } from './support/api';
import { gateIdempotencyKey } from './commands/gate';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cli-retry-'));
const sbomFile = path.join(dir, 'sbom.json');
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;

interface Seen {
  method: string;
  path: string;
  at: number;
  idempotencyKey: string | null;
}

/** Per request: answer with a fault, or null to let the real route handler answer. */
type Fault = (seen: Seen, index: number) => { status: number; headers?: Record<string, string>; body?: unknown } | 'hang' | 'drop-after-handling' | null;

async function faultyServer(fault: Fault): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const handle = async (incoming: http.IncomingMessage, outgoing: http.ServerResponse) => {
    const entry: Seen = { method: incoming.method!, path: incoming.url!, at: Date.now(), idempotencyKey: (incoming.headers['idempotency-key'] as string | undefined) ?? null };
    seen.push(entry);
    const planned = fault(entry, seen.filter((other) => other.path.split('?')[0] === entry.path.split('?')[0]).length - 1);
    if (planned === 'hang') return;
    if (planned && typeof planned === 'object') {
      incoming.resume();
      outgoing.writeHead(planned.status, { 'content-type': 'application/problem+json', ...planned.headers });
      outgoing.end(JSON.stringify(planned.body ?? { code: 'injected', detail: `injected ${planned.status}` }));
      return;
    }
    const request = new Request(`http://localhost${incoming.url}`, {
      method: incoming.method,
      headers: incoming.headers as Record<string, string>,
      body: Readable.toWeb(incoming) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const route = incoming.url!.startsWith('/api/v1/gate/evaluate') ? evaluateRoute : uploadRoute;
    const response = await route(request);
    const body = Buffer.from(await response.arrayBuffer());
    // The decision is recorded, then the connection dies before the answer leaves: a lost answer.
    if (planned === 'drop-after-handling') return void incoming.socket.destroy();
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(body);
  };
  const server = await startTestHttpServer((incoming, outgoing) => void handle(incoming, outgoing));
  return { url: server.url, seen, close: server.close };
}

function rp(args: string[], url: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], {
      cwd: dir,
      env: { ...process.env, RP_URL: url, RP_TOKEN: token, GITHUB_SHA: '', CI_COMMIT_SHA: '', GITHUB_RUN_ID: '', CI_JOB_ID: '', RP_IDEMPOTENCY_KEY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

const gateArgs = (service: string) => ['gate', '--service', service, '--environment', 'staging', '--source-sha', 'e'.repeat(40), '--image-digest', `sha256:${'56'.repeat(32)}`];

async function decisionsOf(service: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(gateDecisions)
    .where(and(eq(gateDecisions.workspaceId, workspace.id), sql`${gateDecisions.inputs}->'release'->>'service' = ${service}`));
  return Number(row!.count);
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dir } });
  setBlobStore(new FilesystemBlobStore(path.join(dir, 'blobs')));
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'retries');
  token = (await testToken(db, workspace)).token;
  fs.writeFileSync(sbomFile, JSON.stringify(cyclonedx([{ name: 'left-pad', license: 'MIT' }])));
});

afterAll(() => {
  setBlobStore(undefined);
  configureSecrets();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('rp gate against a server that fails for a while', () => {
  it('retries an upload refused with 503, and after a lost gate answer gets the same decision and passport: one decision recorded', async () => {
    const server = await faultyServer((entry, index) => {
      if (entry.path.startsWith('/api/v1/evidence') && index === 0) return { status: 503, headers: { 'retry-after': '1' }, body: { code: 'storage-unavailable', detail: 'Evidence storage is not available right now (EIO)' } };
      if (entry.path.startsWith('/api/v1/gate/evaluate') && index === 0) return 'drop-after-handling';
      return null;
    });
    try {
      const result = await rp([...gateArgs('lost-answer'), '--sbom', sbomFile, '--json'], server.url);
      expect(result.stderr).toMatch(/POST \/api\/v1\/evidence\?.*503 Evidence storage is not available right now \(EIO\); retrying in 1\.0 s \(attempt 2/);
      expect(result.stderr).toMatch(/POST \/api\/v1\/gate\/evaluate: cannot reach .*; retrying in/);
      expect(result.code).toBe(0);
      const answer = JSON.parse(result.stdout) as { passport: { id: string }; idempotencyKey: string };
      const gateCalls = server.seen.filter((entry) => entry.path === '/api/v1/gate/evaluate');
      expect(gateCalls).toHaveLength(2);
      // One key for the invocation, sent with every attempt.
      expect(gateCalls[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(gateCalls[1]!.idempotencyKey).toBe(gateCalls[0]!.idempotencyKey);
      expect(answer.idempotencyKey).toBe(gateCalls[0]!.idempotencyKey);
      // Retry-After honoured: the second upload came a second or more after the first.
      const uploads = server.seen.filter((entry) => entry.path.startsWith('/api/v1/evidence'));
      expect(uploads[1]!.at - uploads[0]!.at).toBeGreaterThanOrEqual(1000);
      expect(await decisionsOf('lost-answer')).toBe(1);
      const [decision] = await db.select({ passportId: gateDecisions.passportId }).from(gateDecisions).where(sql`${gateDecisions.inputs}->'release'->>'service' = 'lost-answer'`);
      expect(answer.passport.id).toBe(decision!.passportId);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('gives up at --deadline with exit 3, saying what failed and how often', async () => {
    const server = await faultyServer(() => ({ status: 503, headers: { 'retry-after': '1' }, body: { code: 'database-unavailable', detail: 'The database is not available.' } }));
    try {
      const result = await rp([...gateArgs('down'), '--deadline', '3.5'], server.url);
      expect(result.code).toBe(3);
      const attempts = server.seen.length;
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(attempts).toBeLessThanOrEqual(5);
      expect(result.stderr).toContain(`rp: gave up on POST /api/v1/gate/evaluate after ${attempts} attempts in`);
      expect(result.stderr).toMatch(new RegExp(`503 database-unavailable ×${attempts}; last: 503 The database is not available\\.`));
      expect(result.stderr).toMatch(/idempotency key [0-9a-f-]{36}: run again with --idempotency-key/);
      expect(await decisionsOf('down')).toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('bounds each request by --timeout and keeps trying until the deadline', async () => {
    const server = await faultyServer(() => 'hang');
    try {
      const result = await rp([...gateArgs('slow'), '--timeout', '1', '--deadline', '4'], server.url);
      expect(result.code).toBe(3);
      expect(server.seen.length).toBeGreaterThanOrEqual(2);
      expect(result.stderr).toMatch(/POST \/api\/v1\/gate\/evaluate: no answer from .* within 1\.0 s; retrying in/);
      // The last attempt gets what is left of the deadline, no more.
      expect(result.stderr).toMatch(/gave up on POST \/api\/v1\/gate\/evaluate after \d attempts .*: timeout ×\d; last: no answer from .* within \d\.\d s/);
      expect(result.ms).toBeLessThan(15_000);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('retries connection errors (nothing listening) and gives up with exit 3', async () => {
    const closed = await faultyServer(() => null);
    await closed.close();
    const result = await rp([...gateArgs('nobody'), '--deadline', '2.5'], closed.url);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/retrying in/);
    expect(result.stderr).toMatch(/gave up on POST \/api\/v1\/gate\/evaluate after \d attempts .*ECONNREFUSED ×\d/);
  }, 60_000);

  it('waits out a 429 for its Retry-After, and does not retry final answers (507, 4xx)', async () => {
    const limited = await faultyServer((_entry, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: { code: 'rate-limited', detail: 'Too many requests' } } : null));
    try {
      const result = await rp(gateArgs('limited'), limited.url);
      expect(result.code).toBe(0);
      expect(limited.seen).toHaveLength(2);
      expect(limited.seen[1]!.at - limited.seen[0]!.at).toBeGreaterThanOrEqual(2000);
    } finally {
      await limited.close();
    }
    const full = await faultyServer(() => ({ status: 507, body: { code: 'storage-full', detail: 'Evidence storage is full (ENOSPC): nothing was stored.' } }));
    try {
      const result = await rp([...gateArgs('full'), '--sbom', sbomFile], full.url);
      expect(result.code).toBe(3);
      expect(full.seen).toHaveLength(1);
      expect(result.stderr).toMatch(/rp: --sbom \S+sbom\.json: 507 Evidence storage is full \(ENOSPC\)/);
    } finally {
      await full.close();
    }
  }, 60_000);
});

describe('retry arithmetic', () => {
  it('backs off exponentially with jitter, capped at 30 s', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(12, () => 1)).toBe(30_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });

  it('makes one idempotency key per invocation: given, from the CI run and the request, or random', () => {
    const request = { service: 'api' };
    expect(gateIdempotencyKey('mine', request, {})).toBe('mine');
    expect(gateIdempotencyKey(undefined, request, { RP_IDEMPOTENCY_KEY: 'from-env' })).toBe('from-env');
    const github = { GITHUB_REPOSITORY: 'acme/api', GITHUB_RUN_ID: '8412233', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'deploy' };
    expect(gateIdempotencyKey(undefined, request, github)).toMatch(/^github:acme\/api:8412233:2:deploy:[0-9a-f]{16}$/);
    expect(gateIdempotencyKey(undefined, request, github)).toBe(gateIdempotencyKey(undefined, request, github));
    expect(gateIdempotencyKey(undefined, { service: 'web' }, github)).not.toBe(gateIdempotencyKey(undefined, request, github));
    expect(gateIdempotencyKey(undefined, request, { ...github, GITHUB_RUN_ATTEMPT: '3' })).not.toBe(gateIdempotencyKey(undefined, request, github));
    expect(gateIdempotencyKey(undefined, request, { CI_PROJECT_ID: '7', CI_JOB_ID: '99' })).toMatch(/^gitlab:7:99:[0-9a-f]{16}$/);
    expect(gateIdempotencyKey(undefined, request, {})).toMatch(/^[0-9a-f-]{36}$/);
  });
});
