import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseBusyError, migrationStatus, openDatabase } from './client';
import { getRuntimeDb, runtimeDatabase } from './runtime';
import * as schema from './schema/runtime';
import { migrationsFolderOf } from './testing/templates';

describe('the database client', () => {
  it('opens the configured database with every migration applied', async () => {
    const opened = await runtimeDatabase.open();
    expect(opened.driver).toBe(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
    expect(await migrationStatus(opened)).toMatchObject({ current: true });
  });

  it('reads back what it writes', async () => {
    const db = await getRuntimeDb();
    const [created] = await db.insert(schema.workspaces).values({ slug: 'acme', name: 'Acme' }).returning();
    const [read] = await db.select().from(schema.workspaces).where(eq(schema.workspaces.id, created!.id));
    expect(read).toMatchObject({ slug: 'acme', name: 'Acme' });
  });
});

describe('the embedded database', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('refuses a second process with a message that says what to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-lock-'));
    dirs.push(dir);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      fs.writeFileSync(path.join(dir, 'pglite.lock'), String(holder.pid));
      const opening = openDatabase({
        kind: 'runtime',
        schema,
        migrationsFolder: migrationsFolderOf('runtime'),
        dataDir: path.join(dir, 'pglite'),
      });
      await expect(opening).rejects.toBeInstanceOf(DatabaseBusyError);
      await expect(opening).rejects.toThrow(/Stop the server first, or set DATABASE_URL/);
    } finally {
      holder.kill();
    }
  });

  it('takes over the lock of a process that is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-lock-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'pglite.lock'), '999999999');
    const opened = await openDatabase({
      kind: 'runtime',
      schema,
      migrationsFolder: migrationsFolderOf('runtime'),
      dataDir: path.join(dir, 'pglite'),
      migrate: false,
    });
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    await opened.close();
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  });
});
