/**
 * Bulk test data for list and plan tests: releases and passports generated inside the database
 * with generate_series (one statement each, never row by row). The workspace, services and
 * environments are made by the product's own functions; only the volume is SQL.
 *
 * Passport n (0-based, newest = highest n) of a workspace:
 *   created_at = start + n * spacing (with `tieEvery` > 1, that many passports share each instant);
 *   decision   = deny when n % 20 = 0, warn when n % 20 < 4, else allow;
 *   mode       = enforce when n % 10 < 6, advisory when < 9, else shadow (and every passport before
 *                `shadowBefore` is shadow, as before a workspace's switch to enforce);
 *   service    = services[r % services], environment = environments[(r / services) % environments]
 *                of its release r = n / perRelease.
 */
import { and, eq, sql } from 'drizzle-orm';
import { environments } from '@/db/schema/runtime';
import type { RuntimeDb } from '@/db/runtime';
import { ensureEnvironment, ensureService } from '@/lib/gate/catalog';
import { rowsOf } from '@/db/rows';

export interface BulkOptions {
  passports: number;
  services?: number;
  environments?: readonly string[];
  perRelease?: number;
  start?: string;
  spacingSeconds?: number;
  tieEvery?: number;
  shadowBefore?: number;
}

export async function generatePassports(db: RuntimeDb, workspaceId: string, options: BulkOptions): Promise<{ services: string[]; environments: string[] }> {
  const serviceCount = options.services ?? 10;
  const environmentSlugs = [...(options.environments ?? ['dev', 'staging', 'qa', 'production'])];
  const perRelease = options.perRelease ?? 50;
  const releases = Math.ceil(options.passports / perRelease);
  const serviceSlugs = Array.from({ length: serviceCount }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  const serviceIds: string[] = [];
  for (const slug of serviceSlugs) serviceIds.push((await ensureService(db, workspaceId, slug)).id);
  const environmentIds: string[] = [];
  for (const slug of environmentSlugs) environmentIds.push((await ensureEnvironment(db, workspaceId, slug)).id);
  // The gate creates environments non-production; a bulk data set classifies "production" as such.
  await db
    .update(environments)
    .set({ production: true, tierSetAt: new Date() })
    .where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, 'production')));

  const serviceArray = sql.raw(`array[${serviceIds.map((id) => `'${id}'::uuid`).join(',')}]`);
  const environmentArray = sql.raw(`array[${environmentIds.map((id) => `'${id}'::uuid`).join(',')}]`);
  const start = options.start ?? '2025-01-01T00:00:00Z';
  const spacing = options.spacingSeconds ?? 20;
  const tie = Math.max(1, options.tieEvery ?? 1);
  const shadowBefore = options.shadowBefore ?? 0;

  // Release r: a 40-hex source SHA and an image digest derived from the workspace and r.
  await db.execute(sql`
    insert into releases (workspace_id, service_id, environment_id, source_sha, image_digest, chart_version, created_at)
    select ${workspaceId}::uuid,
           (${serviceArray})[1 + r % ${serviceCount}],
           (${environmentArray})[1 + (r / ${serviceCount}) % ${environmentIds.length}],
           substr(md5(${workspaceId} || ':src:' || r) || md5(${workspaceId} || ':src2:' || r), 1, 40),
           'sha256:' || md5(${workspaceId} || ':img:' || r) || md5(${workspaceId} || ':img2:' || r),
           '1.' || (r % 7) || '.0',
           ${start}::timestamptz + (r * ${perRelease} / ${tie}) * ${spacing} * interval '1 second'
    from generate_series(0, ${releases - 1}) r`);

  // A million rows take longer than the request path's statement_timeout: one transaction lifts it.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`
    with numbered as (
      select id, service_id, environment_id, (row_number() over (order by created_at, source_sha) - 1)::int as r
      from releases where workspace_id = ${workspaceId}::uuid
    )
    insert into passports (id, workspace_id, release_id, decision_id, service_id, environment_id, decision, mode, blocking, payload, envelope, key_id, evaluated_at, created_at)
    select md5(${workspaceId} || ':p:' || n) || md5(${workspaceId} || ':q:' || n),
           ${workspaceId}::uuid, rel.id, gen_random_uuid(), rel.service_id, rel.environment_id,
           case when n % 20 = 0 then 'deny' when n % 20 < 4 then 'warn' else 'allow' end,
           m.mode,
           n % 20 = 0 and m.mode = 'enforce',
           '{}', '{}'::jsonb, 'bulk-key', t.at, t.at
    from numbered rel
    cross join generate_series(0, ${perRelease - 1}) k
    cross join lateral (select rel.r * ${perRelease} + k as n) nn
    cross join lateral (select case when nn.n < ${shadowBefore} or nn.n % 10 >= 9 then 'shadow' when nn.n % 10 < 6 then 'enforce' else 'advisory' end as mode) m
    cross join lateral (select ${start}::timestamptz + (nn.n / ${tie}) * ${spacing} * interval '1 second' as at) t
    where nn.n < ${options.passports}`);
  });
  return { services: serviceSlugs, environments: environmentSlugs };
}

/** Index definitions of a table except its primary key, as pg_indexes gives them. */
export async function secondaryIndexes(db: RuntimeDb, table: string): Promise<Array<{ name: string; definition: string }>> {
  const result = await db.execute<{ indexname: string; indexdef: string }>(
    sql`select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = ${table} and indexname not like '%_pkey' order by indexname`,
  );
  return rowsOf<{ indexname: string; indexdef: string }>(result).map((row) => ({ name: row.indexname, definition: row.indexdef }));
}

/**
 * Runs a bulk load with the table's secondary indexes dropped and then rebuilt from their own
 * definitions (what the migrations made): building an index once is several times faster than
 * maintaining it row by row, which keeps the million-row test short.
 */
export async function withIndexesRebuilt<T>(db: RuntimeDb, table: string, load: () => Promise<T>): Promise<T> {
  const indexes = await secondaryIndexes(db, table);
  for (const index of indexes) await db.execute(sql.raw(`drop index "${index.name}"`));
  try {
    return await load();
  } finally {
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
      for (const index of indexes) await tx.execute(sql.raw(index.definition));
    });
    await db.execute(sql.raw(`analyze "${table}"`));
  }
}
