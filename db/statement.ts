/**
 * A statement whose SQL never changes, built with drizzle once and then run by the driver itself
 * with each call's values. Building a query costs more CPU than the database spends running a
 * small one, and the gate's path (token lookup, the gate's read, its write) is budgeted against a
 * bare route handler (content/docs/operations/performance.md; figures in /docs/operations/performance). Everywhere else
 * a query is built per call, which is simpler to read and fast enough.
 *
 *   const findThing = compiledStatement<{ id: string }>((db, value) =>
 *     sql`select id from things where workspace_id = ${value('workspaceId')}::uuid`);
 *   const rows = await findThing(db, { workspaceId });
 *
 * `value(name)` is a drizzle placeholder (values pass through the column's encoder when it stands
 * in an insert builder's values, as given otherwise: cast them in the SQL). Inside a transaction
 * the statement is built with the values and run through it, as any drizzle query.
 */
import { fillPlaceholders, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { RuntimeDb } from './runtime';
import { rowsOf } from './rows';
import { transactionDeadlineMs, withDeadline } from './faults';

/** A database or a transaction: what a statement is built with and run on. */
export type StatementHandle = Pick<RuntimeDb, 'execute' | 'insert' | 'select'>;

/** The parts of the postgres.js client (drizzle's `$client`) the statements use. */
interface DriverClient {
  unsafe: (query: string, parameters?: unknown[], options?: { prepare?: boolean }) => Promise<unknown[]>;
  /** A transaction on one connection of the pool. */
  begin: <T>(callback: (tx: DriverClient) => Promise<T>) => Promise<T>;
}

const dialect = new PgDialect();

export interface CompiledStatement<Row> {
  (db: StatementHandle, values: Record<string, unknown>): Promise<Row[]>;
  /** The SQL text and its parameters for `values` (runInOneTransaction sends several together). */
  bind(db: StatementHandle, values: Record<string, unknown>): { sql: string; params: unknown[] };
}

export function compiledStatement<Row>(build: (db: StatementHandle, value: (name: string) => never) => SQL): CompiledStatement<Row> {
  let compiled: { sql: string; params: unknown[] } | null = null;
  const bind = (db: StatementHandle, values: Record<string, unknown>) => {
    compiled ??= dialect.sqlToQuery(build(db, (name) => sql.placeholder(name) as never));
    return { sql: compiled.sql, params: fillPlaceholders(compiled.params, values) };
  };
  const run = async function run(db: StatementHandle, values: Record<string, unknown>): Promise<Row[]> {
    const client = driverOf(db);
    if (client) {
      const query = bind(db, values);
      return (await client.unsafe(query.sql, query.params)) as Row[];
    }
    // A drizzle transaction has no driver client of its own (it runs on one connection).
    return rowsOf<Row>(await db.execute(build(db, (name) => values[name] as never)));
  };
  return Object.assign(run, { bind });
}

/**
 * Runs several statements in one transaction, each with its values: all of them commit, with one
 * commit, or none does. On Postgres they are sent together with BEGIN and COMMIT (pipelined), so
 * the database runs them back to back. Inside a caller's transaction they simply run in it, in order.
 */
export async function runInOneTransaction(db: StatementHandle, runs: ReadonlyArray<{ statement: CompiledStatement<unknown>; values: Record<string, unknown> }>): Promise<unknown[][]> {
  const client = driverOf(db);
  if (client) {
    const queries = runs.map((run) => run.statement.bind(db, run.values));
    // postgres.js's own transaction: the statements are sent together (pipelined) once BEGIN is
    // answered, then COMMIT. Not a reserve()d connection: postgres.js 3.4.9 puts a reserved
    // connection that died back into its pool on release, and every query that later lands on it
    // waits forever (porsager/postgres#1199, #1208). begin() fails at once when its connection closes.
    return withDeadline(
      client.begin((tx) => Promise.all(queries.map((query) => tx.unsafe(query.sql, query.params, { prepare: true })))) as Promise<unknown[][]>,
      transactionDeadlineMs(),
      'a transaction',
    );
  }
  const results: unknown[][] = [];
  for (const run of runs) results.push(await run.statement(db, run.values));
  return results;
}

function driverOf(db: StatementHandle): DriverClient | null {
  const client = (db as { $client?: DriverClient }).$client;
  return client?.unsafe ? client : null;
}

/** A drizzle transaction (no driver client of its own), as opposed to the database itself. */
export function isTransaction(db: StatementHandle): boolean {
  return driverOf(db) === null;
}
