/**
 * Services and environments as the console shows them: every one the workspace has (the gate
 * creates them on first use), with the latest passport of each service in each environment.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { rowsOf } from '@/db/rows';
import type { RuntimeDb } from '@/db/runtime';
import { environments, services, type Decision, type PolicyMode } from '@/db/schema/runtime';
import { environmentOrder } from '@/lib/catalog/store';

export interface CatalogEntry {
  id: string;
  slug: string;
  name: string;
}

export interface EnvironmentEntry extends CatalogEntry {
  production: boolean;
}

export async function listServices(db: RuntimeDb, workspaceId: string): Promise<CatalogEntry[]> {
  return db.select({ id: services.id, slug: services.slug, name: services.name }).from(services).where(eq(services.workspaceId, workspaceId)).orderBy(asc(services.slug));
}

export async function listEnvironments(db: RuntimeDb, workspaceId: string): Promise<EnvironmentEntry[]> {
  return db
    .select({ id: environments.id, slug: environments.slug, name: environments.name, production: environments.production })
    .from(environments)
    .where(eq(environments.workspaceId, workspaceId))
    // The promotion order: the order releases travel in.
    .orderBy(...environmentOrder);
}

/**
 * Service and environment slugs → ids. `missing` is true when a slug names nothing in the
 * workspace: a list filtered by it is empty without asking the big tables.
 */
export async function resolveCatalogSlugs(
  db: RuntimeDb,
  workspaceId: string,
  slugs: { service?: string; environment?: string },
): Promise<{ serviceId: string | null; environmentId: string | null; missing: boolean }> {
  const [service] = slugs.service
    ? await db.select({ id: services.id }).from(services).where(and(eq(services.workspaceId, workspaceId), eq(services.slug, slugs.service)))
    : [];
  const [environment] = slugs.environment
    ? await db.select({ id: environments.id }).from(environments).where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, slugs.environment)))
    : [];
  return {
    serviceId: service?.id ?? null,
    environmentId: environment?.id ?? null,
    missing: (Boolean(slugs.service) && !service) || (Boolean(slugs.environment) && !environment),
  };
}

export interface LatestPassport {
  serviceId: string;
  service: string;
  environmentId: string;
  environment: string;
  production: boolean;
  /** The newest passport first, then the one before it (when there is one). */
  passports: Array<{
    id: string;
    decision: Decision;
    mode: PolicyMode;
    blocking: boolean;
    evaluatedAt: Date;
    payload: string;
  }>;
}

type PairRow = {
  service_id: string;
  service: string;
  environment_id: string;
  environment: string;
  production: boolean;
  id: string;
  decision: Decision;
  mode: PolicyMode;
  blocking: boolean;
  evaluated_at: string | Date;
  payload: string;
};

/**
 * The newest `depth` passports of every service in every environment where it has any. One
 * index probe per pair (passports_workspace_service_env_page_idx), so the cost follows the number of
 * services and environments, not the number of passports.
 */
export async function latestPassportsByPair(db: RuntimeDb, workspaceId: string, depth = 1): Promise<LatestPassport[]> {
  const rows = await db.execute<PairRow>(sql`
    select s.id as service_id, s.slug as service, e.id as environment_id, e.slug as environment, e.production,
           p.id, p.decision, p.mode, p.blocking, p.evaluated_at, p.payload
    from services s
    cross join environments e
    cross join lateral (
      select id, decision, mode, blocking, evaluated_at, payload, created_at
      from passports
      where workspace_id = ${workspaceId} and service_id = s.id and environment_id = e.id
      order by created_at desc nulls last, id desc nulls last
      limit ${depth}
    ) p
    where s.workspace_id = ${workspaceId} and e.workspace_id = ${workspaceId}
    order by s.slug, e.production, e.slug, p.created_at desc nulls last, p.id desc nulls last`);
  const pairs = new Map<string, LatestPassport>();
  for (const row of rowsOf<PairRow>(rows)) {
    const key = `${row.service_id}|${row.environment_id}`;
    let pair = pairs.get(key);
    if (!pair) {
      pair = { serviceId: row.service_id, service: row.service, environmentId: row.environment_id, environment: row.environment, production: row.production, passports: [] };
      pairs.set(key, pair);
    }
    pair.passports.push({ id: row.id, decision: row.decision, mode: row.mode, blocking: row.blocking, evaluatedAt: new Date(row.evaluated_at), payload: row.payload });
  }
  return [...pairs.values()];
}

