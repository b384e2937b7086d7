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

  it('manage CI trust policies: add, refuse a malformed one naming the field, list, remove, all audited', { timeout: 120_000 }, async () => {
    expect((await rp(['admin', 'create-workspace', 'ci-ws'])).code).toBe(0);
    const added = await rp(['admin', 'add-trust-policy', 'ci-ws', '--name', 'api main', '--issuer', 'github', '--audience', 'https://rp.example.test', '--condition', 'repository=acme/api', '--condition', 'ref=refs/heads/main', '--scopes', 'gate:evaluate,evidence:write', '--environments', 'production', '--json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ issuer: 'https://token.actions.githubusercontent.com', conditions: { repository: 'acme/api', ref: 'refs/heads/main' }, scopes: ['evidence:write', 'gate:evaluate'], environments: ['production'] });

    const malformed = await rp(['admin', 'add-trust-policy', 'ci-ws', '--name', 'bad', '--issuer', 'http://ci.example.com', '--audience', 'https://rp.example.test', '--condition', 'repository', '--scopes', 'gate:evaluate']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"repository" is not claim=value');
    const plainHttp = await rp(['admin', 'add-trust-policy', 'ci-ws', '--name', 'bad', '--issuer', 'http://ci.example.com', '--audience', 'https://rp.example.test', '--condition', 'repository=a/b', '--scopes', 'gate:evaluate,admin:everything']);
    expect(plainHttp.code).toBe(2);
    expect(plainHttp.stderr).toMatch(/issuer: the issuer must be an https URL.*scopes: scopes are gate:evaluate/);
    expect((await rp(['admin', 'add-trust-policy', 'ci-ws', '--name', 'api main', '--issuer', 'gitlab', '--audience', 'https://rp.example.test', '--condition', 'project_path=a/b', '--scopes', 'gate:evaluate'])).stderr).toContain('named "api main" already');

    const listed = await rp(['admin', 'list-trust-policies', 'ci-ws']);
    expect(listed.stdout).toMatch(/api main\n {4}https:\/\/token\.actions\.githubusercontent\.com, aud https:\/\/rp\.example\.test\n {4}when ref=refs\/heads\/main, repository=acme\/api\n {4}grants evidence:write, gate:evaluate; all services; environments production/);
    expect((await rp(['admin', 'remove-trust-policy', 'ci-ws', 'api main'])).stdout).toContain('Removed trust policy "api main" from ci-ws.');
    expect((await rp(['admin', 'remove-trust-policy', 'ci-ws', 'api main'])).code).toBe(2);
    expect((await rp(['admin', 'list-trust-policies', 'ci-ws'])).stdout).toContain('ci-ws has no trust policies');

    const db = await openDirect();
    try {
      const events = await db.query<{ action: string; actor_label: string }>(
        sql`select action, actor_label from audit_events e join workspaces w on w.id = e.workspace_id where w.slug = 'ci-ws' and action like 'ci_trust_policy.%' order by seq`,
      );
      expect(events.map((event) => event.action)).toEqual(['ci_trust_policy.create', 'ci_trust_policy.delete']);
      expect(events[0]!.actor_label).toMatch(/^rp admin add-trust-policy \(/);
    } finally {
      await db.close();
    }
  });

  it('disable and enable an account, audited on the installation chain', { timeout: 60_000 }, async () => {
    expect((await rp(['admin', 'create-user', 'leaver@example.test'])).code).toBe(0);
    expect((await rp(['admin', 'disable-user', 'leaver@example.test'])).stdout).toContain('leaver@example.test is disabled now.');
    expect((await rp(['admin', 'disable-user', 'leaver@example.test'])).stdout).toContain('was already disabled');
    expect((await rp(['admin', 'enable-user', 'leaver@example.test'])).stdout).toContain('leaver@example.test is enabled now.');
    const unknown = await rp(['admin', 'disable-user', 'nobody@example.test']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no person with the email nobody@example.test');
    const db = await openDirect();
    try {
      const events = await db.query<{ action: string }>(sql`select action from audit_events where chain = 'installation' and action in ('user.disable', 'user.enable') order by seq`);
      expect(events.map((event) => event.action)).toEqual(['user.disable', 'user.enable']);
    } finally {
      await db.close();
    }
  });
});
