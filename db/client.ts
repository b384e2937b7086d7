/**
 * One database client for both targets: postgres.js on the DATABASE_URL the launcher hands over,
 * an external PostgreSQL or the embedded one it started from the data directory
 * (scripts/embedded-postgres.mjs). Migrations are applied when the database is first opened, so
 * `npm start` on a fresh machine needs nothing installed.
 */
import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Sql as PostgresClient } from 'postgres';
import { settings } from '@/lib/config/settings';
import { DatabaseUnavailableError, databaseTimeouts } from './faults';

export type DatabaseKind = 'runtime' | 'owner';

// The drizzle database over postgres.js, typed for a schema.
export type Database<TSchema extends Record<string, unknown>> = PgDatabase<PgQueryResultHKT, TSchema>;

export interface OpenDatabase<TSchema extends Record<string, unknown>> {
  db: Database<TSchema>;
  driver: 'postgres';
  /** Whether the launcher runs this PostgreSQL from the data directory, or it is a server of its own. */
  engine: 'embedded' | 'external';
  kind: DatabaseKind;
  migrationsFolder: string;
  /** Runs raw SQL and returns its rows. */
  query<T = Record<string, unknown>>(statement: ReturnType<typeof sql>): Promise<T[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions<TSchema extends Record<string, unknown>> {
  kind: DatabaseKind;
  schema: TSchema;
  /**
   * The drizzle-kit output folder of this kind. Each kind's module names its own folder literally,
   * so the build's file tracing copies only that target's migrations into its standalone output.
   */
  migrationsFolder: string;
  /** postgres:// URL (DATABASE_URL: an external server, or the embedded one the launcher started). */
  url?: string;
  /** Apply pending migrations while opening (the default). */
  migrate?: boolean;
  /** Connection pool size for Postgres. */
  maxConnections?: number;
}

const MIGRATION_LOCK_ID = 7_301_995_001;

export async function openDatabase<TSchema extends Record<string, unknown>>(
  options: DatabaseOptions<TSchema>,
): Promise<OpenDatabase<TSchema>> {
  if (!options.url) throw new DatabaseNotConfiguredError();
  const opened = await openPostgres(options);
  if (options.migrate !== false) {
    try {
      await applyMigrations(opened);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }
  return opened;
}

/**
 * The view of the postgres.js client that drizzle and our compiled statements use:
 * - named statements: drizzle asks for unnamed ones, which postgres.js has to describe before it
 *   can bind their parameters (two round trips per query); named ones are prepared once per
 *   connection and query text and take one. The client's `prepare` option still turns them off.
 * - a client-side deadline on every query (db/faults.ts): one still waiting for a connection after
 *   `waitMs` is taken out of the pool's queue, one sent but unanswered after the server's
 *   statement_timeout plus a margin is given up. Either fails with DatabaseUnavailableError.
 *   postgres.js has no deadline of its own: while the database is down, queued queries wait for
 *   a reconnection indefinitely.
 * Transactions and savepoints hand their callback the same view.
 */
function clientView<T extends PostgresClient>(client: T, deadlines: { waitMs: number; answerMs: number | null }): T {
  // begin(options?, callback) and savepoint(name?, callback): the callback's client gets the same view.
  const methods = client as unknown as Record<'begin' | 'savepoint', (...args: unknown[]) => unknown>;
  const scoped =
    (method: 'begin' | 'savepoint') =>
    (...args: unknown[]) => {
      const callback = args.pop() as (inner: PostgresClient) => unknown;
      // Inside a transaction the server's limits bound each statement, and a long job may raise them
      // with `set local statement_timeout` (retention, bulk loads): no client answer deadline there.
      return methods[method](...args, (inner: PostgresClient) => callback(clientView(inner, { ...deadlines, answerMs: null })));
    };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], queryOptions?: Record<string, unknown>) =>
          withQueryDeadline(target.unsafe(query, parameters as never, { ...queryOptions, prepare: true }) as unknown as DeadlinedQuery, deadlines);
      }
      if (property === 'begin' || property === 'savepoint') return scoped(property);
      return Reflect.get(target, property, receiver);
    },
  });
}

/** The parts of a postgres.js Query (a lazy Promise) the deadline needs. */
interface DeadlinedQuery extends Promise<unknown> {
  state: unknown;
  active?: boolean;
  reject(error: unknown): void;
  cancel(): unknown;
}

function withQueryDeadline<Q extends DeadlinedQuery>(query: Q, deadlines: { waitMs: number; answerMs: number | null }): Q {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = (message: string) => {
    query.reject(new DatabaseUnavailableError(message));
    // Sent but waiting behind another query on its connection (pipelined): the server will still
    // answer it, and the rejected query takes that answer when its turn comes. A cancel request
    // now would reach whichever query the backend is running then, which may be someone else's.
    if (query.state && !query.active) return;
    try {
      void Promise.resolve(query.cancel()).catch(() => {}); // out of the pool's queue, or a cancel request
    } catch {
      // the connection is already gone
    }
  };
  const onWaitExpired = () => {
    if (query.state) {
      if (deadlines.answerMs === null) return;
      // Sent: the server's statement_timeout ends it; past that (and a margin) nobody answers.
      timer = setTimeout(() => giveUp(`The database did not answer within ${deadlines.answerMs! / 1000} s.`), deadlines.answerMs);
      timer.unref();
      return;
    }
    giveUp(`No database connection could be had within ${deadlines.waitMs / 1000} s.`);
  };
  timer = setTimeout(onWaitExpired, deadlines.waitMs);
  timer.unref();
  // The query runs when first awaited; this attaches to its outcome without starting it any earlier.
  const settle = () => clearTimeout(timer);
  void Promise.prototype.then.call(query, settle, settle);
  return query;
}

async function openPostgres<TSchema extends Record<string, unknown>>(
  options: DatabaseOptions<TSchema>,
): Promise<OpenDatabase<TSchema> & { migrateLocked(run: (migrationDb: unknown) => Promise<void>): Promise<void> }> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const timeouts = databaseTimeouts();
  const { database } = settings();
  const client = postgres(options.url!, {
    max: options.maxConnections ?? database.poolSize,
    onnotice: () => {},
    // Every wait on the database ends (db/faults.ts): a new connection within connect_timeout, and
    // on the server a statement within statement_timeout, a lock wait within lock_timeout, a
    // session left inside a transaction within idle_in_transaction_session_timeout.
    connect_timeout: timeouts.connectSeconds,
    // Reconnect quickly once the database is back (postgres.js's default backoff grows to 20 s
    // after a few failed attempts, so a restart was felt for that long after it ended).
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1) * (0.5 + Math.random() / 2),
    // A peer that vanished without closing the socket is noticed in tens of seconds, not hours.
    keep_alive: 15,
    connection: {
      application_name: `release-passport-${options.kind}`,
      statement_timeout: timeouts.statementMs,
      lock_timeout: timeouts.lockMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    },
    // Short idle timeout keeps replicas from hoarding connections.
    idle_timeout: 30,
    // Off for a pooler in transaction mode that cannot keep prepared statements (see clientView).
    prepare: database.preparedStatements,
  });
  const view = clientView(client, { waitMs: timeouts.connectSeconds * 1000, answerMs: timeouts.statementMs + 2_000 });
  const db = drizzle(view, { schema: options.schema }) as unknown as Database<TSchema>;
  return {
    db,
    driver: 'postgres',
    engine: database.engine,
    kind: options.kind,
    migrationsFolder: options.migrationsFolder,
    query: async <T,>(statement: ReturnType<typeof sql>) =>
      (await db.execute(statement)) as unknown as T[],
    close: () => client.end({ timeout: 5 }),
    // Replicas starting together must not migrate at once: a session advisory lock. Migrations run on
    // a connection of their own without the request path's time limits (an index build on a large
    // table takes as long as it takes), and with no deadline view around it.
    migrateLocked: async (run) => {
      const migrator = postgres(options.url!, { max: 1, onnotice: () => {}, connect_timeout: timeouts.connectSeconds, connection: { application_name: `release-passport-${options.kind}-migrate`, statement_timeout: 0, lock_timeout: 0 } });
      try {
        await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await run(drizzle(migrator, { schema: options.schema }));
      } finally {
        await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
        await migrator.end({ timeout: 5 });
      }
    },
  };
}

/**
 * No database to open: the process was not started by a launcher (npm start, npm run dev, rp) that
 * runs the embedded PostgreSQL, and no DATABASE_URL names a server.
 */
export class DatabaseNotConfiguredError extends Error {
  constructor() {
    super('No database: DATABASE_URL is not set. Start with `npm start` or `npm run dev` (they run the embedded PostgreSQL), or set DATABASE_URL to a PostgreSQL server.');
    this.name = 'DatabaseNotConfiguredError';
  }
}

async function applyMigrations<TSchema extends Record<string, unknown>>(
  opened: OpenDatabase<TSchema> & { migrateLocked?: (run: (migrationDb: unknown) => Promise<void>) => Promise<void> },
): Promise<void> {
  const folder = opened.migrationsFolder;
  const run = async (migrationDb: unknown = opened.db) => {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(migrationDb as never, { migrationsFolder: folder });
  };
  const runAll = async (migrationDb?: unknown) => {
    // A database whose records name none of this build's migrations is another target's (or
    // something else): drizzle would apply only this build's migrations newer than its newest
    // record, half a schema. Refused before anything is written.
    const before = await migrationStatus(opened);
    if (before.applied > 0 && before.missing.length === before.expected) throw new MigrationsMissingError(opened.kind, before, 'before');
    await run(migrationDb);
    // Drizzle applies only migrations newer than the newest one the database records, so a database
    // migrated by the other target (the runtime's and the public site's share the bookkeeping table)
    // or with edited records ends up short of this build's tables without an error: refuse to run
    // on it, before this build's triggers and functions (post/) are written into it.
    const status = await migrationStatus(opened);
    if (!status.current) throw new MigrationsMissingError(opened.kind, status);
    await applyPostMigrationSql(opened);
  };
  if (opened.migrateLocked) await opened.migrateLocked(runAll);
  else await runAll();
}

/** The database records migrations, none of them this build's (`before` migrating), or still lacks some `after` migrating. */
export class MigrationsMissingError extends Error {
  constructor(kind: DatabaseKind, status: MigrationStatus, when: 'before' | 'after' = 'after') {
    const target = kind === 'owner' ? "public site's" : "runtime's";
    super(
      (when === 'before'
        ? `The database DATABASE_URL names records ${status.applied} migrations and none of them is one of the ${target} ${status.expected}: it was made by the other target or another program, so nothing was written to it. `
        : `The ${target} database still lacks ${status.missing.length} of this build's ${status.expected} migrations after migrating ` +
          `(first missing: ${status.missing[0]}): it records ${status.applied} migrations, made by another target or edited. `) +
        'Check that DATABASE_URL names this target\'s own database: the runtime and the public site need one each.',
    );
    this.name = 'MigrationsMissingError';
  }
}

/**
 * SQL that drizzle-kit cannot express from the schema (triggers, functions), kept in
 * `<migrations>/post/*.sql`, written to be idempotent and applied after every migration run.
 * Statements are separated by drizzle's `--> statement-breakpoint`.
 */
async function applyPostMigrationSql<TSchema extends Record<string, unknown>>(opened: OpenDatabase<TSchema>): Promise<void> {
  const folder = path.join(opened.migrationsFolder, 'post');
  if (!fs.existsSync(folder)) return;
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.sql')).sort()) {
    const statements = fs.readFileSync(path.join(folder, file), 'utf8').split('--> statement-breakpoint');
    for (const statement of statements) {
      if (statement.trim()) await opened.query(sql.raw(statement));
    }
  }
}

export interface MigrationStatus {
  expected: number;
  applied: number;
  current: boolean;
  /** This build's migrations the database does not record: number (NNNN of NNNN_name.sql) and date. */
  missing: string[];
}

/** Compares the migrations shipped with this build to those the database has applied. */
export async function migrationStatus(
  opened: Pick<OpenDatabase<Record<string, unknown>>, 'query' | 'migrationsFolder'>,
): Promise<MigrationStatus> {
  const shipped = readMigrationFiles({ migrationsFolder: opened.migrationsFolder });
  // A new database has no bookkeeping table yet: it records nothing.
  const [bookkeeping] = await opened.query<{ present: boolean }>(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  const rows = bookkeeping?.present ? await opened.query<{ hash: string }>(sql`select hash from drizzle.__drizzle_migrations order by created_at`) : [];
  const appliedHashes = new Set(rows.map((row) => row.hash));
  // Named by number (the NNNN of the folder's NNNN_name.sql files) and date, from what
  // readMigrationFiles returns: reading the journal here with a path of our own made Next's file
  // tracing ship the other target's migrations in this one's build (e2e/build/owner-separation).
  const missing = shipped.flatMap((migration, index) =>
    appliedHashes.has(migration.hash) ? [] : [`${String(index).padStart(4, '0')} (dated ${new Date(migration.folderMillis).toISOString().slice(0, 10)})`],
  );
  return { expected: shipped.length, applied: rows.length, current: missing.length === 0, missing };
}
