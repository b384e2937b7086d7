/**
 * `rp keys rotate` as an operator runs it: a new active key, the old one retired but still
 * published (so passports it signed keep verifying), the private half only in the encrypted
 * store, and the rotation an audit event of the workspace.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '@/db/client';
import * as schema from '@/db/schema/runtime';
import { cloneTestDatabase, migrationsFolderOf } from '@/db/testing/templates';

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-keys-test-'));
const env: Record<string, string> = { RP_DATA_DIR: dataDir, RP_SECRETS_KEY: crypto.randomBytes(32).toString('base64'), DATABASE_URL: '' };
let clone: Awaited<ReturnType<typeof cloneTestDatabase>>;

async function database(): Promise<OpenDatabase<typeof schema>> {
  return openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: clone.url, migrate: false });
}

beforeAll(async () => {
  clone = await cloneTestDatabase('runtime', process.env.TEST_DATABASE_URL!);
  env.DATABASE_URL = clone.url;
  const opened = await database();
  await opened.db.insert(schema.workspaces).values({ slug: 'acme', name: 'Acme' });
  await opened.close();
});
afterAll(async () => {
  await clone.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function rp(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], { env: { ...process.env, ...env }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

it('rotates the signing key: a new active key, the old one retired and still published, audited', async () => {
  const first = await rp(['keys', 'rotate', 'acme', '--json']);
  expect(first.code, first.stderr).toBe(0);
  const second = await rp(['keys', 'rotate', 'acme', '--json']);
  expect(second.code, second.stderr).toBe(0);
  const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
  expect(b.retired).toBe(a.active);
  expect(b.active).not.toBe(a.active);

  const listed = await rp(['keys', 'list', 'acme', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const keys = JSON.parse(listed.stdout) as Array<{ keyId: string; status: string; publicKeyPem: string }>;
  expect(keys.map((key) => [key.keyId, key.status])).toEqual([
    [a.active, 'retired'],
    [b.active, 'active'],
  ]);

  const opened = await database();
  try {
    const [workspace] = await opened.db.select().from(schema.workspaces).where(eq(schema.workspaces.slug, 'acme'));
    const stored = await opened.db.select().from(schema.secrets).where(eq(schema.secrets.workspaceId, workspace!.id));
    expect(stored.map((secret) => secret.path).sort()).toEqual([`signing/key-${a.active}`, `signing/key-${b.active}`].sort());
    for (const secret of stored) expect(secret.ciphertext).not.toContain('PRIVATE KEY');
    const events = await opened.db
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.workspaceId, workspace!.id), eq(schema.auditEvents.action, 'signing_key.rotate')));
    expect(events.map((event) => event.resourceId)).toEqual([a.active, b.active]);
    expect(events[0]!.actorLabel).toContain('rp keys rotate');
  } finally {
    await opened.close();
  }
}, 120_000);

it('says so when the workspace does not exist', async () => {
  const result = await rp(['keys', 'rotate', 'nope']);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('There is no workspace "nope"');
}, 60_000);
