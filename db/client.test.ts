import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import postgres from 'postgres';
import { DatabaseNotConfiguredError, MigrationsMissingError, migrationStatus, openDatabase } from './client';
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

describe('a database still short of this build’s migrations after migrating', () => {
  it('is refused, naming what is missing and what to check, instead of serving without those tables', async () => {
    // Drizzle applies only migrations newer than the newest the database records: a database the
    // other target migrated (they share the bookkeeping table), or one whose records were edited,
    // passed its migration run without this build's tables. Here the first record is removed.
    const clone = await cloneTestDatabase('runtime', process.env.TEST_DATABASE_URL!);
    try {
      const admin = postgres(clone.url, { max: 1, onnotice: () => {} });
      await admin.unsafe('delete from drizzle.__drizzle_migrations where created_at = (select min(created_at) from drizzle.__drizzle_migrations)');
      await admin.end();
      const opening = openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: clone.url, maxConnections: 1 });
      await expect(opening).rejects.toBeInstanceOf(MigrationsMissingError);
      await expect(opening).rejects.toThrow(/runtime's database still lacks 1 of this build's \d+ migrations after migrating \(first missing: 0000 \(dated \d{4}-\d\d-\d\d\)\).*the runtime and the public site need one each/);
    } finally {
      await clone.drop();
    }
  });
});

describe('the other target’s database', () => {
  it('is refused before anything is written to it, saying that each target needs a database of its own', async () => {
    // The public site's database, named by the runtime's DATABASE_URL: drizzle would have applied
    // the runtime's migrations newer than the site's newest record, and only those.
    const clone = await cloneTestDatabase('owner', process.env.TEST_DATABASE_URL!);
    try {
      const opening = openDatabase({ kind: 'runtime', schema, migrationsFolder: migrationsFolderOf('runtime'), url: clone.url, maxConnections: 2 });
      await expect(opening).rejects.toThrow(/records 3 migrations and none of them is one of the runtime's \d+: .*nothing was written to it.*the runtime and the public site need one each/);
      const admin = postgres(clone.url, { max: 1, onnotice: () => {} });
      const [after] = await admin<{ recorded: number; workspaces: string | null }[]>`select (select count(*)::int from drizzle.__drizzle_migrations) as recorded, to_regclass('public.workspaces')::text as workspaces`;
      await admin.end();
      expect(after).toEqual({ recorded: 3, workspaces: null });
    } finally {
      await clone.drop();
    }
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
