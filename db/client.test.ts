import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DatabaseNotConfiguredError, migrationStatus, openDatabase } from './client';
import { getRuntimeDb, runtimeDatabase } from './runtime';
import * as schema from './schema/runtime';
import { migrationsFolderOf } from './testing/templates';

describe('the database client', () => {
  it('opens the configured database with every migration applied', async () => {
    const opened = await runtimeDatabase.open();
    expect(opened.driver).toBe('postgres');
    expect(await migrationStatus(opened)).toMatchObject({ current: true });
  });

  it('reads back what it writes', async () => {
    const db = await getRuntimeDb();
    const [created] = await db.insert(schema.workspaces).values({ slug: 'acme', name: 'Acme' }).returning();
    const [read] = await db.select().from(schema.workspaces).where(eq(schema.workspaces.id, created!.id));
    expect(read).toMatchObject({ slug: 'acme', name: 'Acme' });
  });
});

describe('without a database', () => {
  it('says how to get one instead of guessing', async () => {
    const opening = openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: undefined });
    await expect(opening).rejects.toBeInstanceOf(DatabaseNotConfiguredError);
    await expect(opening).rejects.toThrow(/npm start.*embedded PostgreSQL.*or set DATABASE_URL/);
  });
});
