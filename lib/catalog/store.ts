/**
 * Services and environments, managed (issue 20): create, rename, archive and unarchive, each
 * environment's tier, the workspace's promotion order, and each service's owners. The console, the
 * API and the CLI all come through here; every function takes the workspace id, checks the actor
 * with can() (refusals are audit events) and audits each change in its own transaction.
 *
 * The slug is the identity CI names in gate calls and never changes; what people rename is the
 * display name. The gate still creates a service or environment on first use
 * (lib/gate/catalog.ts): an environment it creates is non-production and unclassified until an
 * admin sets its tier.
 */
import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { environments, memberships, serviceOwners, services, users } from '@/db/schema/runtime';
import { authorize, type Actor } from '@/lib/access/can';
import type { Verb } from '@/lib/access/verbs';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import { tierOf, type EnvironmentTier } from '@/lib/domain/primitives';
import { ProblemError } from '@/lib/http/problem';

export interface ServiceOwner {
  email: string;
  name: string;
}

export interface ManagedService {
  slug: string;
  name: string;
  archived: boolean;
  archivedAt: string | null;
  owners: ServiceOwner[];
  createdAt: string;
}

export interface ManagedEnvironment {
  slug: string;
  name: string;
  tier: EnvironmentTier;
  /** False while nobody has set the tier (the gate created it, or it predates explicit tiers). */
  classified: boolean;
  tierSetAt: string | null;
  /** Place in the promotion order (0 first); null: not placed (it follows the placed ones). */
  position: number | null;
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
}

/** The promotion order: placed environments first, then the others, non-production before production. */
export const environmentOrder = [sql`${environments.position} asc nulls last`, asc(environments.production), asc(environments.slug)];

export interface ListOptions {
  /** Archived ones too (default: only active ones). */
  includeArchived?: boolean;
  /** Only these slugs (a token's service / environment limits); null: all. */
  only?: readonly string[] | null;
}

export async function listManagedServices(db: RuntimeDb | DbOrTx, workspaceId: string, options: ListOptions = {}): Promise<ManagedService[]> {
  const rows = await db
    .select()
    .from(services)
    .where(listed(services, workspaceId, options))
    .orderBy(asc(services.slug));
  const owners = await ownersOf(
    db,
    workspaceId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => serviceView(row, owners.get(row.id) ?? []));
}

export async function listManagedEnvironments(db: RuntimeDb | DbOrTx, workspaceId: string, options: ListOptions = {}): Promise<ManagedEnvironment[]> {
  const rows = await db
    .select()
    .from(environments)
    .where(listed(environments, workspaceId, options))
    .orderBy(...environmentOrder);
  return rows.map(environmentView);
}

/** The workspace's rows a list shows: active ones (or all), within the caller's limits. */
function listed(table: typeof services | typeof environments, workspaceId: string, options: ListOptions) {
  return and(
    eq(table.workspaceId, workspaceId),
    options.includeArchived ? undefined : isNull(table.archivedAt),
    options.only ? (options.only.length ? inArray(table.slug, [...options.only]) : sql`false`) : undefined,
  );
}

/** Active environments nobody has set the tier of (the console asks to classify them). */
export async function unclassifiedEnvironments(db: RuntimeDb, workspaceId: string): Promise<ManagedEnvironment[]> {
  const rows = await db
    .select()
    .from(environments)
    .where(and(eq(environments.workspaceId, workspaceId), isNull(environments.archivedAt), isNull(environments.tierSetAt)))
    .orderBy(...environmentOrder);
  return rows.map(environmentView);
}

export interface ServiceInput {
  slug: string;
  name?: string;
  owners?: string[];
}

export async function createService(db: RuntimeDb, workspaceId: string, actor: Actor, input: ServiceInput, audit: AuditContext): Promise<ManagedService> {
  await requireVerb(db, actor, 'catalog.write', { workspaceId, service: input.slug }, audit, 'service.create', input.slug);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(services)
      .values({ workspaceId, slug: input.slug, name: input.name ?? input.slug })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ProblemError('conflict', `This workspace already has a service "${input.slug}"; change it with PATCH (rp services update ${input.slug}).`);
    const owners = input.owners ? await replaceOwners(tx, workspaceId, row.id, input.owners) : [];
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'service.create',
      resource: { type: 'service', id: row.slug },
      outcome: 'allow',
      details: { slug: row.slug, name: row.name, owners: owners.map((owner) => owner.email) },
    });
    return serviceView(row, owners);
  });
}

export interface ServiceChange {
  name?: string;
  archived?: boolean;
  owners?: string[];
}

export async function updateService(db: RuntimeDb, workspaceId: string, actor: Actor, slug: string, change: ServiceChange, audit: AuditContext): Promise<ManagedService> {
  await requireVerb(db, actor, 'catalog.write', { workspaceId, service: slug }, audit, 'service.update', slug);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(services)
      .where(and(eq(services.workspaceId, workspaceId), eq(services.slug, slug)))
      .for('update');
    if (!current) throw notFound('service', slug);
    const before = await ownersOf(tx, workspaceId, [current.id]);
    const set: Partial<typeof services.$inferInsert> = {};
    if (change.name !== undefined && change.name !== current.name) set.name = change.name;
    if (change.archived !== undefined && change.archived !== (current.archivedAt !== null)) set.archivedAt = change.archived ? new Date() : null;
    const row = Object.keys(set).length ? (await tx.update(services).set(set).where(and(eq(services.workspaceId, workspaceId), eq(services.id, current.id))).returning())[0]! : current;
    const ownersBefore = (before.get(current.id) ?? []).map((owner) => owner.email);
    const owners = change.owners ? await replaceOwners(tx, workspaceId, current.id, change.owners) : (before.get(current.id) ?? []);
    const changes: Record<string, unknown> = {};
    if (set.name !== undefined) changes.name = { from: current.name, to: set.name };
    if (set.archivedAt !== undefined) changes.archived = { from: current.archivedAt !== null, to: set.archivedAt !== null };
    const ownersAfter = owners.map((owner) => owner.email);
    if (change.owners && ownersAfter.join(',') !== ownersBefore.join(',')) changes.owners = { from: ownersBefore, to: ownersAfter };
    if (Object.keys(changes).length) {
      await appendAuditEvent(tx, {
        ...audit,
        workspaceId,
        action: set.archivedAt !== undefined ? (set.archivedAt ? 'service.archive' : 'service.unarchive') : 'service.update',
        resource: { type: 'service', id: slug },
        outcome: 'allow',
        details: changes,
      });
    }
    return serviceView(row, owners);
  });
}

export interface EnvironmentInput {
  slug: string;
  name?: string;
  /** Setting a tier needs environment.tier (admins); without it the environment starts non-production, unclassified. */
  tier?: EnvironmentTier;
}

export async function createEnvironment(db: RuntimeDb, workspaceId: string, actor: Actor, input: EnvironmentInput, audit: AuditContext): Promise<ManagedEnvironment> {
  await requireVerb(db, actor, 'catalog.write', { workspaceId, environment: input.slug }, audit, 'environment.create', input.slug);
  if (input.tier !== undefined) await requireVerb(db, actor, 'environment.tier', { workspaceId, environment: input.slug }, audit, 'environment.tier', input.slug);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(environments)
      .values({
        workspaceId,
        slug: input.slug,
        name: input.name ?? input.slug,
        production: input.tier === 'production',
        tierSetAt: input.tier !== undefined ? new Date() : null,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ProblemError('conflict', `This workspace already has an environment "${input.slug}"; change it with PATCH (rp environments update ${input.slug}).`);
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'environment.create',
      resource: { type: 'environment', id: row.slug },
      outcome: 'allow',
      details: { slug: row.slug, name: row.name, tier: tierOf(row.production), classified: row.tierSetAt !== null },
    });
    return environmentView(row);
  });
}

export interface EnvironmentChange {
  name?: string;
  archived?: boolean;
  tier?: EnvironmentTier;
}

export async function updateEnvironment(db: RuntimeDb, workspaceId: string, actor: Actor, slug: string, change: EnvironmentChange, audit: AuditContext): Promise<ManagedEnvironment> {
  if (change.name !== undefined || change.archived !== undefined) {
    await requireVerb(db, actor, 'catalog.write', { workspaceId, environment: slug }, audit, 'environment.update', slug);
  }
  if (change.tier !== undefined) await requireVerb(db, actor, 'environment.tier', { workspaceId, environment: slug }, audit, 'environment.tier', slug);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(environments)
      .where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, slug)))
      .for('update');
    if (!current) throw notFound('environment', slug);
    const set: Partial<typeof environments.$inferInsert> = {};
    if (change.name !== undefined && change.name !== current.name) set.name = change.name;
    if (change.archived !== undefined && change.archived !== (current.archivedAt !== null)) set.archivedAt = change.archived ? new Date() : null;
    // Setting the tier classifies the environment, even when it confirms the tier it had.
    if (change.tier !== undefined && (change.tier !== tierOf(current.production) || current.tierSetAt === null)) {
      set.production = change.tier === 'production';
      set.tierSetAt = new Date();
    }
    if (!Object.keys(set).length) return environmentView(current);
    const [row] = await tx.update(environments).set(set).where(and(eq(environments.workspaceId, workspaceId), eq(environments.id, current.id))).returning();
    const resource = { type: 'environment', id: slug };
    const base = { ...audit, workspaceId, resource, outcome: 'allow' as const };
    if (set.tierSetAt !== undefined) {
      await appendAuditEvent(tx, {
        ...base,
        action: 'environment.tier',
        details: { from: tierOf(current.production), to: change.tier, wasClassified: current.tierSetAt !== null },
      });
    }
    if (set.name !== undefined) await appendAuditEvent(tx, { ...base, action: 'environment.update', details: { name: { from: current.name, to: set.name } } });
    if (set.archivedAt !== undefined) await appendAuditEvent(tx, { ...base, action: set.archivedAt ? 'environment.archive' : 'environment.unarchive' });
    return environmentView(row!);
  });
}

/**
 * The promotion order: the named environments in this order (dev, staging, production); every
 * other active environment follows them (non-production first, then by slug). Archived ones keep
 * no place.
 */
export async function setPromotionOrder(db: RuntimeDb, workspaceId: string, actor: Actor, order: string[], audit: AuditContext): Promise<ManagedEnvironment[]> {
  await requireVerb(db, actor, 'catalog.write', { workspaceId }, audit, 'environment.order', null);
  const duplicates = order.filter((slug, index) => order.indexOf(slug) !== index);
  if (duplicates.length) {
    throw new ProblemError('validation-failed', `The promotion order names ${[...new Set(duplicates)].map((slug) => `"${slug}"`).join(', ')} more than once.`, {
      errors: [{ path: 'order', message: 'name each environment once' }],
    });
  }
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: environments.id, slug: environments.slug, position: environments.position, archivedAt: environments.archivedAt })
      .from(environments)
      .where(eq(environments.workspaceId, workspaceId))
      .orderBy(...environmentOrder)
      .for('update');
    const bySlug = new Map(rows.map((row) => [row.slug, row]));
    const errors = order.flatMap((slug) => {
      const row = bySlug.get(slug);
      if (!row) return [{ path: 'order', message: `this workspace has no environment "${slug}"` }];
      if (row.archivedAt) return [{ path: 'order', message: `"${slug}" is archived; unarchive it first to give it a place` }];
      return [];
    });
    if (errors.length) throw new ProblemError('validation-failed', `The promotion order was not saved: ${errors.map((error) => error.message).join('; ')}.`, { errors });
    const before = rows.filter((row) => row.position !== null && !row.archivedAt).map((row) => row.slug);
    await tx.update(environments).set({ position: null }).where(and(eq(environments.workspaceId, workspaceId), isNotNull(environments.position)));
    for (const [index, slug] of order.entries()) {
      await tx
        .update(environments)
        .set({ position: index })
        .where(and(eq(environments.workspaceId, workspaceId), eq(environments.id, bySlug.get(slug)!.id)));
    }
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'environment.order',
      resource: { type: 'promotion-order', id: null },
      outcome: 'allow',
      details: { from: before, to: order },
    });
    return listManagedEnvironments(tx, workspaceId);
  });
}

/** One place up or down in the promotion order (the console's buttons): the whole order is set from it. */
export async function moveEnvironment(db: RuntimeDb, workspaceId: string, actor: Actor, slug: string, direction: 'up' | 'down', audit: AuditContext): Promise<ManagedEnvironment[]> {
  const order = (await listManagedEnvironments(db, workspaceId)).map((environment) => environment.slug);
  const index = order.indexOf(slug);
  if (index === -1) throw notFound('environment', slug);
  const other = direction === 'up' ? index - 1 : index + 1;
  if (other >= 0 && other < order.length) [order[index], order[other]] = [order[other]!, order[index]!];
  return setPromotionOrder(db, workspaceId, actor, order, audit);
}

/** Members of the workspace, by email, as owners of one service (replacing the previous ones). */
async function replaceOwners(tx: DbOrTx, workspaceId: string, serviceId: string, emails: string[]): Promise<ServiceOwner[]> {
  const wanted = [...new Set(emails.map((email) => email.trim().toLowerCase()))].filter(Boolean);
  const members = wanted.length
    ? await tx
        .select({ id: users.id, email: users.email, name: users.name })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.workspaceId, workspaceId), inArray(sql`lower(${users.email})`, wanted)))
    : [];
  const found = new Set(members.map((member) => member.email.toLowerCase()));
  const unknown = wanted.filter((email) => !found.has(email));
  if (unknown.length) {
    throw new ProblemError('validation-failed', `Owners must be members of this workspace; ${unknown.map((email) => `"${email}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not.`, {
      errors: unknown.map((email) => ({ path: 'owners', message: `${email} is not a member of this workspace` })),
    });
  }
  await tx.delete(serviceOwners).where(and(eq(serviceOwners.workspaceId, workspaceId), eq(serviceOwners.serviceId, serviceId)));
  if (members.length) await tx.insert(serviceOwners).values(members.map((member) => ({ workspaceId, serviceId, userId: member.id })));
  return members.map(({ email, name }) => ({ email, name })).sort((a, b) => a.email.localeCompare(b.email));
}

/** Owners of these services who are still members of the workspace. */
async function ownersOf(db: RuntimeDb | DbOrTx, workspaceId: string, serviceIds: string[]): Promise<Map<string, ServiceOwner[]>> {
  const owners = new Map<string, ServiceOwner[]>();
  if (!serviceIds.length) return owners;
  const rows = await db
    .select({ serviceId: serviceOwners.serviceId, email: users.email, name: users.name })
    .from(serviceOwners)
    .innerJoin(users, eq(users.id, serviceOwners.userId))
    .innerJoin(memberships, and(eq(memberships.workspaceId, serviceOwners.workspaceId), eq(memberships.userId, serviceOwners.userId)))
    .where(and(eq(serviceOwners.workspaceId, workspaceId), inArray(serviceOwners.serviceId, serviceIds)))
    .orderBy(asc(users.email));
  for (const row of rows) owners.set(row.serviceId, [...(owners.get(row.serviceId) ?? []), { email: row.email, name: row.name }]);
  return owners;
}

/** Refuses (403, an audit event with outcome deny) unless the actor may do `verb` here. */
async function requireVerb(
  db: RuntimeDb,
  actor: Actor,
  verb: Verb,
  resource: { workspaceId: string; service?: string; environment?: string },
  audit: AuditContext,
  action: string,
  id: string | null,
): Promise<void> {
  const decision = authorize(actor, verb, resource);
  if (decision.allowed) return;
  await appendAuditEvent(db, {
    ...audit,
    workspaceId: resource.workspaceId,
    action,
    resource: { type: action.split('.')[0]!, id },
    outcome: 'deny',
    reason: decision.reason,
  });
  const who = actor.type === 'token' ? 'This API token is' : 'You are';
  const hint = verb === 'environment.tier' ? ' An environment’s tier decides whether enforce mode needs a production license, so only an admin sets it.' : '';
  throw new ProblemError('forbidden', `${who} not allowed to do this: ${decision.reason}.${hint}`);
}

function notFound(kind: 'service' | 'environment', slug: string): ProblemError {
  return new ProblemError('not-found', `This workspace has no ${kind} "${slug}".`);
}

function serviceView(row: typeof services.$inferSelect, owners: ServiceOwner[]): ManagedService {
  return {
    slug: row.slug,
    name: row.name,
    archived: row.archivedAt !== null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    owners,
    createdAt: row.createdAt.toISOString(),
  };
}

function environmentView(row: typeof environments.$inferSelect): ManagedEnvironment {
  return {
    slug: row.slug,
    name: row.name,
    tier: tierOf(row.production),
    classified: row.tierSetAt !== null,
    tierSetAt: row.tierSetAt?.toISOString() ?? null,
    position: row.position,
    archived: row.archivedAt !== null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
