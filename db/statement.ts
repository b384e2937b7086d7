/**
 * A statement whose SQL never changes, built with drizzle once and then run by the driver itself
 * with each call's values. Building a query costs more CPU than the database spends running a
 * small one, and the gate's path (token lookup, the gate's read, its write) is budgeted against a
 * bare route handler (DESIGN section 9; figures in /docs/operations/performance). Everywhere else
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

/** A database or a transaction: what a statement is built with and run on. */
export type StatementHandle = Pick<RuntimeDb, 'execute' | 'insert' | 'select'>;

interface DriverClient {
  /** postgres.js */
  unsafe?: (query: string, parameters: unknown[]) => Promise<unknown[]>;
  /** PGlite */
  query?: (query: string, parameters: unknown[]) => Promise<{ rows: unknown[] }>;
}

const dialect = new PgDialect();

export function compiledStatement<Row>(build: (db: StatementHandle, value: (name: string) => never) => SQL) {
  let compiled: { sql: string; params: unknown[] } | null = null;
  return async function run(db: StatementHandle, values: Record<string, unknown>): Promise<Row[]> {
    // A database has its driver's client; a drizzle transaction does not (it runs on one connection).
    const client = (db as { $client?: DriverClient }).$client;
    if (client && (client.unsafe || client.query)) {
      compiled ??= dialect.sqlToQuery(build(db, (name) => sql.placeholder(name) as never));
      const params = fillPlaceholders(compiled.params, values);
      if (client.unsafe) return (await client.unsafe(compiled.sql, params)) as Row[];
      return (await client.query!(compiled.sql, params)).rows as Row[];
    }
    return rowsOf<Row>(await db.execute(build(db, (name) => values[name] as never)));
  };
}
