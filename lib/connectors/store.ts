/**
 * Data access of connectors: every query takes the workspace id. A configuration is validated
 * by its type's schema, and its secret reference against the secrets policy for the flow it will
 * run as, when it is saved: a connector that could never read its credential is refused with the
 * reason, not discovered broken at the first poll.
 */
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { connectors, environments } from '@/db/schema/runtime';
import { ProblemError } from '@/lib/http/problem';
import { checkSecretAccess, parseSecretReference, type SecretError, type SecretActor } from '@/lib/secrets';
import { appendAuditEvent } from '@/lib/audit/log';
import { followConnectorChange } from '@/lib/deployments/follow';
import { connectorKind } from './kinds';
import { connectorNameSchema } from '@/lib/domain/primitives';
import { CONNECTOR_TYPES, type ConnectorType } from './types';

export type ConnectorRow = typeof connectors.$inferSelect;

export interface Connector extends ConnectorRow {
  type: ConnectorType;
  /** Slug of the environment it serves, or null. */
  environment: string | null;
}

export const connectorInputSchema = z.object({
  name: connectorNameSchema,
  type: z.enum(CONNECTOR_TYPES),
  /** Slug of the environment it serves; null for none (it then reads only store:shared/... secrets). */
  environment: z.string().min(1).nullable().default(null),
  secretRef: z.string().min(1).nullable().default(null),
  enabled: z.boolean().default(true),
  config: z.record(z.string(), z.unknown()),
});
export type ConnectorInput = z.input<typeof connectorInputSchema>;

interface WorkspaceContext {
  workspace: { id: string; slug?: string };
  actor: SecretActor;
  requestId?: string;
}

/** Validates an input into what is stored; problems are 400s that name the field. */
async function prepare(db: RuntimeDb, workspace: WorkspaceContext['workspace'], input: ConnectorInput) {
  const parsed = connectorInputSchema.safeParse(input);
  if (!parsed.success) throw validation(parsed.error.issues, '');
  const { name, type, environment, secretRef, enabled } = parsed.data;
  const kind = connectorKind(type);
  const config = kind.configSchema.safeParse(parsed.data.config);
  if (!config.success) throw validation(config.error.issues, 'config.');
  let environmentId: string | null = null;
  if (environment) {
    const [row] = await db
      .select({ id: environments.id })
      .from(environments)
      .where(and(eq(environments.workspaceId, workspace.id), eq(environments.slug, environment)));
    if (!row) throw new ProblemError('validation-failed', `There is no environment "${environment}" in this workspace.`, { errors: [{ path: 'environment', message: 'unknown environment' }] });
    environmentId = row.id;
  }
  if (secretRef) {
    try {
      parseSecretReference(secretRef);
    } catch (error) {
      throw new ProblemError('validation-failed', (error as SecretError).message, { errors: [{ path: 'secretRef', message: 'not a secret reference' }] });
    }
    const decision = checkSecretAccess(secretRef, { workspace, flow: { purpose: 'connector', environment } });
    if (!decision.allowed) {
      throw new ProblemError(
        'validation-failed',
        `A connector for ${environment ? `environment "${environment}"` : 'no environment'} cannot read ${secretRef}: ${decision.reason}. ` +
          `Store its credential under store:${environment ?? 'shared'}/... (or store:shared/...).`,
        { errors: [{ path: 'secretRef', message: 'the secrets policy denies this connector that secret' }] },
      );
    }
  } else if (kind.credential === 'required') {
    throw new ProblemError('validation-failed', `A ${kind.label} connector needs a credential: give secretRef (e.g. store:${environment ?? 'shared'}/${name}-token).`, {
      errors: [{ path: 'secretRef', message: 'required' }],
    });
  }
  return { name, type, environmentId, secretRef, enabled, config: config.data as Record<string, unknown> };
}

function validation(issues: z.core.$ZodIssue[], prefix: string): ProblemError {
  const errors = issues.map((issue) => ({ path: prefix + issue.path.join('.'), message: issue.message }));
  return new ProblemError('validation-failed', `The connector is not valid: ${errors.map((e) => `${e.path || '(input)'}: ${e.message}`).join('; ')}.`, { errors });
}

const columns = {
  connector: connectors,
  environment: environments.slug,
};

function toConnector(row: { connector: ConnectorRow; environment: string | null }): Connector {
  return { ...row.connector, type: row.connector.type as ConnectorType, environment: row.environment };
}

export async function listConnectors(workspaceId: string, db?: RuntimeDb): Promise<Connector[]> {
  const rows = await (db ?? (await getRuntimeDb()))
    .select(columns)
    .from(connectors)
    .leftJoin(environments, eq(environments.id, connectors.environmentId))
    .where(eq(connectors.workspaceId, workspaceId))
    .orderBy(asc(connectors.name));
  return rows.map(toConnector);
}

export async function getConnector(workspaceId: string, id: string, db?: RuntimeDb): Promise<Connector | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await (db ?? (await getRuntimeDb()))
    .select(columns)
    .from(connectors)
    .leftJoin(environments, eq(environments.id, connectors.environmentId))
    .where(and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id)));
  return row ? toConnector(row) : null;
}

export async function createConnector(context: WorkspaceContext, input: ConnectorInput): Promise<Connector> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const values = await prepare(tx, context.workspace, input);
    const inserted = await tx
      .insert(connectors)
      .values({ ...values, workspaceId: context.workspace.id, createdBy: context.actor.label })
      .onConflictDoNothing()
      .returning({ id: connectors.id });
    if (!inserted[0]) throw new ProblemError('conflict', `A connector named "${values.name}" already exists in this workspace.`);
    await audit(tx, context, 'connector.create', inserted[0].id, { name: values.name, type: values.type, scope: values.config, secretRef: values.secretRef });
    return (await getConnector(context.workspace.id, inserted[0].id, tx))!;
  });
}

/**
 * Changes a connector's configuration. With `expectedVersion` (the version the editor started
 * from), a connector changed by someone else meanwhile is refused with 409 and the current version.
 */
export async function updateConnector(context: WorkspaceContext, id: string, input: ConnectorInput, options: { expectedVersion?: number | null } = {}): Promise<Connector> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const [locked] = z.uuid().safeParse(id).success
      ? await tx.select({ version: connectors.version }).from(connectors).where(and(eq(connectors.workspaceId, context.workspace.id), eq(connectors.id, id))).for('update')
      : [];
    const existing = locked ? await getConnector(context.workspace.id, id, tx) : null;
    if (!existing) throw new ProblemError('not-found', 'No such connector in this workspace.');
    if (options.expectedVersion != null && existing.version !== options.expectedVersion) {
      throw new ProblemError(
        'conflict',
        `The connector "${existing.name}" changed while you were editing: you started from version ${options.expectedVersion}, it is now at version ${existing.version} (changed ${existing.updatedAt.toISOString()}). Nothing was saved; reload, then make your change again.`,
        { errors: [{ path: 'version', message: `Changed meanwhile: the current version is ${existing.version}.` }], extensions: { currentVersion: existing.version, expectedVersion: options.expectedVersion } },
      );
    }
    const values = await prepare(tx, context.workspace, input);
    if (values.type !== existing.type) throw new ProblemError('validation-failed', 'A connector keeps its type; create another one instead.');
    await tx
      .update(connectors)
      .set({ ...values, updatedAt: sql`now()`, nextPollAt: sql`now()`, version: sql`${connectors.version} + 1` })
      .where(and(eq(connectors.workspaceId, context.workspace.id), eq(connectors.id, id)));
    await followConnectorChange(tx, context.workspace.id, existing.type, existing.name, { name: values.name, enabled: values.enabled });
    await audit(tx, context, 'connector.update', id, { name: values.name, scope: values.config, secretRef: values.secretRef, enabled: values.enabled });
    return (await getConnector(context.workspace.id, id, tx))!;
  });
}

export async function deleteConnector(context: WorkspaceContext, id: string): Promise<boolean> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(connectors)
      .where(and(eq(connectors.workspaceId, context.workspace.id), eq(connectors.id, id)))
      .returning({ name: connectors.name, type: connectors.type });
    if (removed[0]) {
      await followConnectorChange(tx, context.workspace.id, removed[0].type, removed[0].name, null);
      await audit(tx, context, 'connector.delete', id, { name: removed[0].name });
    }
    return removed.length > 0;
  });
}

/** Records the outcome of a poll or read: last success, or last error (already sanitized) and back-off. */
export async function recordConnectorOutcome(
  workspaceId: string,
  id: string,
  outcome: { ok: true; at: Date; pollIntervalSeconds: number } | { ok: false; at: Date; error: string; pollIntervalSeconds: number },
): Promise<void> {
  const db = await getRuntimeDb();
  const where = and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id));
  if (outcome.ok) {
    await db
      .update(connectors)
      .set({
        lastAttemptAt: outcome.at,
        lastSuccessAt: outcome.at,
        consecutiveFailures: 0,
        nextPollAt: new Date(outcome.at.getTime() + outcome.pollIntervalSeconds * 1000),
      })
      .where(where);
  } else {
    // Back off after repeated failures (up to 8× the interval), so a broken endpoint is not hammered.
    await db
      .update(connectors)
      .set({
        lastAttemptAt: outcome.at,
        lastErrorAt: outcome.at,
        lastError: outcome.error.slice(0, 500),
        consecutiveFailures: sql`${connectors.consecutiveFailures} + 1`,
        nextPollAt: sql`${outcome.at.toISOString()}::timestamptz + make_interval(secs => ${outcome.pollIntervalSeconds} * least(8, power(2, ${connectors.consecutiveFailures})))`,
      })
      .where(where);
  }
}

export async function postponePoll(workspaceId: string, id: string, until: Date): Promise<void> {
  const db = await getRuntimeDb();
  await db.update(connectors).set({ nextPollAt: until }).where(and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id)));
}

/** Enabled connectors whose next poll is due, across workspaces (the worker's list). */
export async function dueConnectors(now: Date, limit = 50, db?: RuntimeDb): Promise<Array<{ workspaceId: string; id: string }>> {
  return (db ?? (await getRuntimeDb()))
    .select({ workspaceId: connectors.workspaceId, id: connectors.id })
    .from(connectors)
    .where(and(eq(connectors.enabled, true), lte(connectors.nextPollAt, now)))
    .orderBy(asc(connectors.nextPollAt))
    .limit(limit);
}

async function audit(tx: RuntimeDb, context: WorkspaceContext, action: string, id: string, details: Record<string, unknown>): Promise<void> {
  await appendAuditEvent(tx, {
    workspaceId: context.workspace.id,
    actor: context.actor,
    action,
    resource: { type: 'connector', id },
    outcome: 'allow',
    requestId: context.requestId,
    details,
  });
}

/** The environments of the workspace a connector can serve (slug and name), for the settings form. */
export async function environmentChoices(workspaceId: string, db?: RuntimeDb): Promise<Array<{ slug: string; name: string; production: boolean }>> {
  return (db ?? (await getRuntimeDb()))
    .select({ slug: environments.slug, name: environments.name, production: environments.production })
    .from(environments)
    .where(eq(environments.workspaceId, workspaceId))
    .orderBy(asc(environments.slug));
}
