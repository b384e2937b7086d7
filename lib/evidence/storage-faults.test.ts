/**
 * Evidence storage that is full or failing, for real: a 2 MB tmpfs as the blob directory (then
 * remounted read-only), and an S3-compatible server that was stopped. The upload route answers
 * 507 `storage-full` / 503 `storage-unavailable` (never a 4xx blaming the client), nothing is
 * half-stored, and no spool file is left. Mounting needs root (as in CI here); without it the
 * tmpfs cases are skipped and say so.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadEvidence } from '@/app/api/v1/evidence/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { evidence } from '@/db/schema/runtime';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore, type BlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { spoolFileName, sweepSpool } from '@/lib/storage/spool';
import { startS3Server } from '@/lib/storage/testing';
import { apiRequest, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { cyclonedx, FAKE_SECRETS, sha256Hex } from './testing/fixtures';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-storage-faults-'));
const volume = path.join(dataDir, 'volume');
let mounted = false;
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;

function mount(...args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  fs.mkdirSync(volume);
  mounted = mount('-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', volume);
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'acme');
  token = (await testToken(db, workspace)).token;
});

afterAll(() => {
  setBlobStore(undefined);
  configureSecrets();
  if (mounted) spawnSync('umount', [volume]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A CycloneDX SBOM of about `bytes` bytes (many components), optionally carrying a secret. */
function sbomOf(bytes: number, secret = false): Buffer {
  const count = Math.ceil(bytes / 120);
  const document = cyclonedx(Array.from({ length: count }, (_, index) => ({ name: `package-number-${index}-with-a-long-name`, license: 'MIT' })));
  return Buffer.from(JSON.stringify(secret ? { ...document, properties: [{ name: 'ci', value: `token ${FAKE_SECRETS.github}` }] } : document));
}

async function upload(body: Buffer): Promise<Response> {
  return uploadEvidence(apiRequest('/api/v1/evidence?kind=sbom', { method: 'POST', token, body: new Uint8Array(body), headers: { 'content-type': 'application/vnd.cyclonedx+json' } }));
}

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((entry) => fs.statSync(path.join(dir, entry)).isFile()) : [];
}

async function storedRows(sha256: string) {
  return db.select().from(evidence).where(and(eq(evidence.workspaceId, workspace.id), eq(evidence.sha256, sha256)));
}

describe('a full evidence volume (2 MB tmpfs)', () => {
  it.skipIf(!process.getuid || process.getuid() !== 0)('answers 507 storage-full, stores nothing, leaves no spool file; a small upload still works', async () => {
    expect(mounted, 'mounting a tmpfs as root').toBe(true);
    const store = new FilesystemBlobStore(volume);
    setBlobStore(store);

    // Larger than the whole volume: the spool file itself cannot be written.
    const huge = sbomOf(3 * 1024 * 1024);
    const full = await upload(huge);
    expect(full.status).toBe(507);
    expect(full.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await full.json()) as { code: string; detail: string };
    expect(problem.code).toBe('storage-full');
    expect(problem.detail).toMatch(/ENOSPC.*nothing was stored/);
    expect(filesUnder(volume)).toEqual([]);
    expect(await storedRows(sha256Hex(huge))).toEqual([]);

    // Fits once, not twice: the spool holds it, the sanitized copy (a secret was redacted) cannot be written.
    const laden = sbomOf(1200 * 1024, true);
    const half = await upload(laden);
    expect(half.status).toBe(507);
    expect(((await half.json()) as { code: string }).code).toBe('storage-full');
    expect(filesUnder(volume)).toEqual([]);

    const small = sbomOf(2_000);
    const ok = await upload(small);
    expect(ok.status).toBe(201);
    expect(filesUnder(volume)).toEqual([`evidence/${workspace.id}/sha256/${sha256Hex(small)}`]);
  });

  it.skipIf(!process.getuid || process.getuid() !== 0)('answers 503 storage-unavailable with Retry-After when the volume turns read-only', async () => {
    expect(mounted).toBe(true);
    setBlobStore(new FilesystemBlobStore(volume));
    expect(mount('-o', 'remount,ro', volume)).toBe(true);
    try {
      const response = await upload(sbomOf(4_000));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem).toMatchObject({ code: 'storage-unavailable' });
      expect(problem.detail).toMatch(/EROFS/);
    } finally {
      mount('-o', 'remount,rw', volume);
    }
  });
});

describe('an object store that is down', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  afterAll(async () => {
    await s3?.stop().catch(() => {});
  });

  it('answers 503 storage-unavailable with Retry-After, storing no row and leaving no spool file', async () => {
    s3 = await startS3Server();
    const store: BlobStore = s3.store;
    setBlobStore(store);
    const body = sbomOf(3_000);
    expect((await upload(body)).status).toBe(201);
    await s3.stop();
    const other = sbomOf(5_000);
    const response = await upload(other);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(((await response.json()) as { code: string }).code).toBe('storage-unavailable');
    expect(await storedRows(sha256Hex(other))).toEqual([]);
    expect(filesUnder(store.spoolDir)).toEqual([]);
  });
});

describe('the upload spool sweep at start-up', () => {
  it('removes the spool file of an upload whose process was killed (kill -9), and keeps live uploads', async () => {
    const spoolDir = path.join(dataDir, 'spool');
    fs.mkdirSync(spoolDir, { recursive: true });
    // A real process streaming an upload into its spool file (named as the server names them), killed mid-way.
    const host = path.basename(spoolFileName(spoolDir)).split('.')[0]!;
    const writer = [
      'const fs = require("fs"), crypto = require("crypto"), path = require("path");',
      'const file = path.join(process.argv[1], `${process.argv[2]}.${process.pid}.${crypto.randomUUID()}.upload`);',
      // Synchronous writes: the file holds every byte counted before its name is printed (a write stream may still be flushing).
      'const fd = fs.openSync(file, "w"); let written = 0;',
      'setInterval(() => { fs.writeSync(fd, Buffer.alloc(65536)); written += 65536; if (written === 65536 * 16) console.log(file); }, 2);',
    ].join('\n');
    const child = spawn(process.execPath, ['-e', writer, spoolDir, host], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killedFile = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const killedSize = fs.statSync(killedFile).size;
    expect(killedSize).toBeGreaterThanOrEqual(65536 * 16);

    const live = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    try {
      const liveFile = path.join(spoolDir, path.basename(spoolFileName(spoolDir)).replace(`.${process.pid}.`, `.${live.pid}.`));
      fs.writeFileSync(liveFile, 'still arriving');
      // Ours, from before this process started (a restarted container reusing the pid).
      const earlierOwn = spoolFileName(spoolDir);
      fs.writeFileSync(earlierOwn, 'left by the previous incarnation');
      const before = new Date(Date.now() - 3_600_000);
      fs.utimesSync(earlierOwn, before, before);
      // Another host's upload, idle for an hour: dead; another host's fresh one: kept.
      const staleElsewhere = path.join(spoolDir, `other-host.4242.${crypto.randomUUID()}.upload`);
      const freshElsewhere = path.join(spoolDir, `other-host.4243.${crypto.randomUUID()}.upload`);
      fs.writeFileSync(staleElsewhere, 'x');
      fs.utimesSync(staleElsewhere, before, before);
      fs.writeFileSync(freshElsewhere, 'y');
      const ownLive = spoolFileName(spoolDir);
      fs.writeFileSync(ownLive, 'an upload of this process, in progress');

      const removed = await sweepSpool(spoolDir, { processStartedAt: Date.now() - 60_000 });
      expect(removed).toEqual({ files: 3, bytes: killedSize + 'left by the previous incarnation'.length + 1 });
      expect(fs.readdirSync(spoolDir).sort()).toEqual([liveFile, ownLive, freshElsewhere].map((file) => path.basename(file)).sort());
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('sweeps nothing when there is no spool directory yet', async () => {
    expect(await sweepSpool(path.join(dataDir, 'no-such-spool'))).toEqual({ files: 0, bytes: 0 });
  });
});
