/**
 * Services and environments, created on first use by the gate and evidence uploads (a CI
 * pipeline names them; nobody has to register them first). Every query takes the workspace id.
 * An environment created here is non-production and unclassified (tier_set_at null) until an
 * admin sets its tier (lib/catalog/store.ts): no tier is guessed from the name.
 */
import { and, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { environments, services } from '@/db/schema/runtime';

export interface ServiceRow {
  id: string;
  slug: string;
}

export interface EnvironmentRow {
  id: string;
  slug: string;
  production: boolean;
}

export async function ensureService(db: RuntimeDb, workspaceId: string, slug: string): Promise<ServiceRow & { created: boolean }> {
  const [created] = await db
    .insert(services)
    .values({ workspaceId, slug, name: slug })
    .onConflictDoNothing()
    .returning({ id: services.id, slug: services.slug });
  if (created) return { ...created, created: true };
  const [existing] = await db
    .select({ id: services.id, slug: services.slug })
    .from(services)
    .where(and(eq(services.workspaceId, workspaceId), eq(services.slug, slug)));
  return { ...existing!, created: false };
}

export async function ensureEnvironment(db: RuntimeDb, workspaceId: string, slug: string): Promise<EnvironmentRow & { created: boolean }> {
  const [created] = await db
    .insert(environments)
    .values({ workspaceId, slug, name: slug, production: false, tierSetAt: null })
    .onConflictDoNothing()
    .returning({ id: environments.id, slug: environments.slug, production: environments.production });
  if (created) return { ...created, created: true };
  const [existing] = await db
    .select({ id: environments.id, slug: environments.slug, production: environments.production })
    .from(environments)
    .where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, slug)));
  return { ...existing!, created: false };
}

export async function findService(db: RuntimeDb, workspaceId: string, slug: string): Promise<ServiceRow | null> {
  const [row] = await db.select({ id: services.id, slug: services.slug }).from(services).where(and(eq(services.workspaceId, workspaceId), eq(services.slug, slug)));
  return row ?? null;
}

export async function findEnvironment(db: RuntimeDb, workspaceId: string, slug: string): Promise<EnvironmentRow | null> {
  const [row] = await db
    .select({ id: environments.id, slug: environments.slug, production: environments.production })
    .from(environments)
    .where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, slug)));
  return row ?? null;
}
