/**
 * The passports list: every filter the console offers, in keyset pages ordered newest first.
 * Each page is one index range scan (passports_workspace_*_page_idx) that stops after `limit`
 * rows, whatever the table's size: no OFFSET, no count(*).
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { environments, passports, releases, services, type Decision, type PolicyMode } from '@/db/schema/runtime';
import { resolveCatalogSlugs } from './catalog';
import { decodeCursor, encodeCursor, PG_TIMESTAMP, SHA256_ID } from './cursor';
import { dayRange, type PassportFilters } from './filters';

export const PASSPORT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

export interface PassportListRow {
  id: string;
  service: string;
  environment: string;
  production: boolean;
  decision: Decision;
  mode: PolicyMode;
  blocking: boolean;
  evaluatedAt: Date;
  sourceSha: string;
  imageDigest: string;
  chartVersion: string | null;
  /** Postgres text form of created_at: the keyset position. */
  position: string;
}

export interface PassportPage {
  rows: PassportListRow[];
  /** Cursor of the page after this one; null on the last page. */
  next: string | null;
}

/** Filters resolved to what the indexes are on. */
export interface PassportQueryScope {
  serviceId: string | null;
  environmentId: string | null;
  decision?: Decision;
  mode?: PolicyMode;
  from: Date | null;
  until: Date | null;
}

export function decodePassportCursor(cursor: string | null | undefined): { at: string; id: string } | null {
  const parts = decodeCursor(cursor, [PG_TIMESTAMP, SHA256_ID]);
  return parts ? { at: parts[0]!, id: parts[1]! } : null;
}

/**
 * The query of one page, unexecuted: the list, the exports and the query-plan test all run
 * exactly this statement. The page is cut from passports alone (an index range scan that stops
 * at `limit`), then joined: planned as one join, Postgres misjudges how many rows the joins keep
 * and sorts the whole workspace instead. The ORDER BY says NULLS LAST because the indexes do
 * (drizzle writes `DESC NULLS LAST`); a plain DESC means NULLS FIRST and no index would match.
 */
export function passportPageQuery(db: RuntimeDb, workspaceId: string, scope: PassportQueryScope, after: { at: string; id: string } | null, limit: number) {
  const conditions: Array<SQL | undefined> = [
    eq(passports.workspaceId, workspaceId),
    scope.serviceId ? eq(passports.serviceId, scope.serviceId) : undefined,
    scope.environmentId ? eq(passports.environmentId, scope.environmentId) : undefined,
    scope.decision ? eq(passports.decision, scope.decision) : undefined,
    scope.mode ? eq(passports.mode, scope.mode) : undefined,
    scope.from ? gte(passports.createdAt, scope.from) : undefined,
    scope.until ? lt(passports.createdAt, scope.until) : undefined,
    after ? sql`(${passports.createdAt}, ${passports.id}) < (${after.at}::timestamptz, ${after.id})` : undefined,
  ];
  const page = db
    .select({
      id: passports.id,
      releaseId: passports.releaseId,
      serviceId: passports.serviceId,
      environmentId: passports.environmentId,
      decision: passports.decision,
      mode: passports.mode,
      blocking: passports.blocking,
      evaluatedAt: passports.evaluatedAt,
      createdAt: passports.createdAt,
      position: sql<string>`${passports.createdAt}::text`.as('position'),
    })
    .from(passports)
    .where(and(...conditions))
    .orderBy(sql`${passports.createdAt} desc nulls last`, sql`${passports.id} desc nulls last`)
    .limit(limit)
    .as('page');
  return db
    .select({
      id: page.id,
      service: services.slug,
      environment: environments.slug,
      production: environments.production,
      decision: page.decision,
      mode: page.mode,
      blocking: page.blocking,
      evaluatedAt: page.evaluatedAt,
      sourceSha: releases.sourceSha,
      imageDigest: releases.imageDigest,
      chartVersion: releases.chartVersion,
      position: page.position,
    })
    .from(page)
    .innerJoin(releases, and(eq(releases.id, page.releaseId), eq(releases.workspaceId, workspaceId)))
    .innerJoin(services, and(eq(services.id, page.serviceId), eq(services.workspaceId, workspaceId)))
    .innerJoin(environments, and(eq(environments.id, page.environmentId), eq(environments.workspaceId, workspaceId)))
    .orderBy(desc(page.createdAt), desc(page.id));
}

export async function passportQueryScope(db: RuntimeDb, workspaceId: string, filters: PassportFilters): Promise<PassportQueryScope | null> {
  const catalog = await resolveCatalogSlugs(db, workspaceId, filters);
  if (catalog.missing) return null;
  return { serviceId: catalog.serviceId, environmentId: catalog.environmentId, decision: filters.decision, mode: filters.mode, ...dayRange(filters) };
}

export async function listPassports(
  db: RuntimeDb,
  workspaceId: string,
  filters: PassportFilters,
  page: { cursor?: string | null; limit?: number } = {},
): Promise<PassportPage> {
  const scope = await passportQueryScope(db, workspaceId, filters);
  if (!scope) return { rows: [], next: null };
  return passportPage(db, workspaceId, scope, decodePassportCursor(page.cursor), page.limit);
}

export async function passportPage(db: RuntimeDb, workspaceId: string, scope: PassportQueryScope, after: { at: string; id: string } | null, limit = PASSPORT_PAGE_SIZE): Promise<PassportPage> {
  const size = Math.min(Math.max(1, Math.floor(limit)), MAX_PAGE_SIZE);
  const rows = await passportPageQuery(db, workspaceId, scope, after, size + 1);
  const more = rows.length > size;
  const shown = more ? rows.slice(0, size) : rows;
  const last = shown[shown.length - 1];
  return { rows: shown, next: more && last ? encodeCursor([last.position, last.id]) : null };
}

/** Every passport the filters select, a page at a time (exports): memory holds one page. */
export async function* eachPassportPage(db: RuntimeDb, workspaceId: string, filters: PassportFilters, pageSize = 500): AsyncGenerator<PassportListRow[]> {
  const scope = await passportQueryScope(db, workspaceId, filters);
  if (!scope) return;
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const rows: PassportListRow[] = await passportPageQuery(db, workspaceId, scope, after, pageSize);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || !last) return;
    after = { at: last.position, id: last.id };
  }
}

export async function* eachPassport(db: RuntimeDb, workspaceId: string, filters: PassportFilters, pageSize = 500): AsyncGenerator<PassportListRow> {
  for await (const page of eachPassportPage(db, workspaceId, filters, pageSize)) yield* page;
}
