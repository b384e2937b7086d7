/**
 * Every runtime table's row count in one statement, for the fuzz suites' "a refused request
 * leaves no row" check. Audit tables are left out: denials are audited on purpose.
 */
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { RuntimeDb } from '@/db/runtime';
import * as schema from '@/db/schema/runtime';

const AUDITED = new Set(['audit_events', 'audit_chain_heads']);

export async function rowCounts(db: RuntimeDb, options: { except?: readonly string[] } = {}): Promise<Record<string, number>> {
  const skipped = new Set([...AUDITED, ...(options.except ?? [])]);
  const tables = (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableName(table))
    .filter((name) => !skipped.has(name));
  const result = await db.execute(sql.raw(`select ${tables.map((name) => `(select count(*) from "${name}")::int as "${name}"`).join(', ')}`));
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<Record<string, number>>;
  return rows[0]!;
}
