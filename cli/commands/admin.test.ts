/**
 * The admin CLI as an operator runs it: `node cli/rp.mjs admin …` against a real database (a
 * copy of the migrated PGlite template, or a fresh Postgres database with TEST_DATABASE_URL).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import * as schema from '@/db/schema/runtime';
import { cloneTestDatabase, migrationsFolderOf } from '@/db/testing/templates';
import { lookupApiToken } from '@/lib/tokens/store';

const root = path.resolve(import.meta.dirname, '..', '..');
const adminUrl = process.env.TEST_DATABASE_URL || undefined;
let clone: Awaited<ReturnType<typeof cloneTestDatabase>>;
let env: Record<string, string>;

beforeAll(async () => {
  clone = await cloneTestDatabase('runtime', adminUrl);
  if (clone.url) {
    env = { DATABASE_URL: clone.url };
  } else {
    // The CLI finds the embedded database at $RP_DATA_DIR/runtime/pglite.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cli-test-'));
    fs.mkdirSync(path.join(dataDir, 'runtime'));
    fs.renameSync(clone.dataDir!, path.join(dataDir, 'runtime', 'pglite'));
    await clone.drop();
    env = { RP_DATA_DIR: dataDir, DATABASE_URL: '' };
  }
});
afterAll(async () => {
  if (env.RP_DATA_DIR) fs.rmSync(env.RP_DATA_DIR, { recursive: true, force: true });
  else await clone.drop();
});

function rp(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], { env: { ...process.env, ...env }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function openDirect() {
  return openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: env.DATABASE_URL || undefined, dataDir: env.RP_DATA_DIR ? path.join(env.RP_DATA_DIR, 'runtime', 'pglite') : undefined, maxConnections: 2 });
}

describe('rp admin and rp audit', () => {
  it.skipIf(Boolean(adminUrl))('refuse clearly while another process (the server) holds the embedded database', { timeout: 60_000 }, async () => {
    const held = await openDirect();
    try {
      const result = await rp(['admin', 'create-workspace', 'blocked']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/open in another process/);
      expect(result.stderr).toMatch(/while the server is stopped/);
    } finally {
      await held.close();
    }
  });

  // Each command is a new process opening the database: about 3 s apiece on PGlite.
  it('set up people, a workspace and a CI token, then verify the audit log', { timeout: 120_000 }, async () => {
    expect((await rp(['admin', 'create-user', 'ops@example.test', '--name', 'Ops', '--password-stdin'], 'a long enough password\n')).code).toBe(0);
    const workspace = await rp(['admin', 'create-workspace', 'acme', '--name', 'Acme Inc', '--json']);
    expect(workspace.code).toBe(0);
    expect(JSON.parse(workspace.stdout)).toMatchObject({ slug: 'acme', name: 'Acme Inc' });
    expect((await rp(['admin', 'add-member', 'acme', 'ops@example.test', '--role', 'admin'])).stdout).toContain('ops@example.test is now admin of acme');

    const created = await rp(['admin', 'create-token', 'acme', '--name', 'github-actions', '--scopes', 'gate:evaluate,evidence:write', '--services', 'api', '--expires-in', '30d']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^rp_[0-9A-Za-z]{46}$/);
    expect(created.stderr).toMatch(/shown only this once/);

    const verified = await rp(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^ok {6}workspace acme .*: \d+ events/m);
    expect(verified.stdout).toMatch(/^ok {6}installation: \d+ events/m);

    const db = await openDirect();
    try {
      const found = await lookupApiToken(db.db as never, token);
      expect(found).toMatchObject({ ok: true, record: { name: 'github-actions', scopes: ['evidence:write', 'gate:evaluate'], services: ['api'] } });
      // Someone edits the log behind the application's back.
      await db.query(sql`alter table audit_events disable trigger audit_events_append_only`);
      await db.query(sql`update audit_events set actor_label = 'somebody else' where seq = 2 and chain <> 'installation'`);
      await db.query(sql`alter table audit_events enable trigger audit_events_append_only`);
    } finally {
      await db.close();
    }
    const broken = await rp(['audit', 'verify', '--workspace', 'acme']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN {2}workspace acme .*: at seq 2 .*modified after it was written.*1 events before it verify/);
  });
});
