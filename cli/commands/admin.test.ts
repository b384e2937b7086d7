/**
 * The admin CLI as an operator runs it: `node cli/rp.mjs admin …` against a real database (a
 * fresh copy of the migrated template on the run's PostgreSQL, given in DATABASE_URL). The CLI on
 * the embedded default, beside a running server, is proven in e2e/engine/.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import * as schema from '@/db/schema/runtime';
import { cloneTestDatabase, migrationsFolderOf } from '@/db/testing/templates';
import { lookupApiToken } from '@/lib/tokens/store';

const root = path.resolve(import.meta.dirname, '..', '..');
let clone: Awaited<ReturnType<typeof cloneTestDatabase>>;
let env: Record<string, string>;

beforeAll(async () => {
  clone = await cloneTestDatabase('runtime', process.env.TEST_DATABASE_URL!);
  env = { DATABASE_URL: clone.url };
});
afterAll(async () => {
  await clone.drop();
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
  return openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: env.DATABASE_URL, maxConnections: 2 });
}

describe('rp admin and rp audit', () => {
  // Each command is a new process opening the database.
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
