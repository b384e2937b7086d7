import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseNotConfiguredError, migrationStatus, openDatabase } from './client';
import { getRuntimeDb, runtimeDatabase } from './runtime';
import * as schema from './schema/runtime';
import { databaseUnavailableReason } from './faults';
import { cloneTestDatabase, migrationsFolderOf } from './testing/templates';

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

/**
 * The client view (db/client.ts clientView) leans on postgres.js's Query internals (state, reject,
 * cancel) and on its `unsafe` options; these fail when an upgrade changes them.
 */
describe('the client view over postgres.js', () => {
  let clone: Awaited<ReturnType<typeof cloneTestDatabase>>;
  let opened: Awaited<ReturnType<typeof openDatabase<typeof schema>>>;

  beforeAll(async () => {
    vi.stubEnv('DATABASE_CONNECT_TIMEOUT', '1');
    clone = await cloneTestDatabase('runtime', process.env.TEST_DATABASE_URL!);
    opened = await openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: clone.url, maxConnections: 1 });
  });
  afterAll(async () => {
    await opened.close();
    await clone.drop();
    vi.unstubAllEnvs();
  });

  it('prepares named statements: one round trip per query on a warm connection', async () => {
    await opened.db.select().from(schema.workspaces).where(eq(schema.workspaces.slug, 'named-statement-probe'));
    const [prepared] = await opened.query<{ n: number }>(sql`select count(*)::int as n from pg_prepared_statements where statement like '%"workspaces"%' and statement like '%"slug" = $1%'`);
    expect(prepared!.n).toBeGreaterThan(0);
  });

  it('gives up a query that waited longer than the deadline for a connection, and the pool works on afterwards', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The only connection is busy in a transaction.
    const holding = opened.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const failure = await opened.db.execute(sql`select 2`).then(() => null, (error: unknown) => error);
    // drizzle wraps the driver's error; the classification looks through it.
    expect(databaseUnavailableReason(failure)).toMatch(/No database connection could be had within 1 s/);
    expect(Date.now() - started).toBeLessThan(2_500);
    release();
    await holding;
    expect(await opened.query<{ n: number }>(sql`select 3 as n`)).toEqual([{ n: 3 }]);
  });
});
