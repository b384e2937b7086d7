/**
 * Data access of notification endpoints and their deliveries: every query takes the workspace id.
 * Secrets are kept by reference (lib/secrets): a webhook's signing secret is generated here and
 * written to the store (`store:notifications/<endpoint id>/signing-secret`), a pasted Slack URL
 * likewise (`.../slack-url`), each in the endpoint's own transaction; or the admin names an existing
 * reference (env:, file:, vault:, store:) the notification flow may read. The value is returned once,
 * at creation or rotation, and never again. Each change is audited in its transaction.
 */
import 'server-only';
import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { notificationDeliveries, notificationEndpoints } from '@/db/schema/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { NOTIFICATION_EVENTS, notificationEventSchema, notificationKindSchema, type NotificationEvent, type NotificationKind } from '@/lib/domain/primitives';
import { ProblemError } from '@/lib/http/problem';
import { checkSecretAccess, parseSecretReference, secretProblem, SecretError, writeSecret, deleteSecret, type SecretActor } from '@/lib/secrets';
import { pingPayload } from './events';
import { newSigningSecret } from './signature';

export type EndpointRow = typeof notificationEndpoints.$inferSelect;
export interface Endpoint extends EndpointRow {
  kind: NotificationKind;
  events: NotificationEvent[];
}
export type DeliveryRow = typeof notificationDeliveries.$inferSelect;

export interface WorkspaceContext {
  workspace: { id: string; slug: string };
  actor: SecretActor;
  requestId?: string;
}

const nameSchema = z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-" (at most 63), starting with a letter or digit');
const urlSchema = z
  .string()
  .trim()
  .max(2000, 'at most 2000 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'an http(s) URL without user name or password');
const eventsSchema = z.array(notificationEventSchema).min(1, 'choose at least one event').transform((events) => NOTIFICATION_EVENTS.filter((event) => events.includes(event)));

export const endpointInputSchema = z.object({
  name: nameSchema,
  kind: notificationKindSchema,
  /** A webhook's URL. */
  url: urlSchema.nullable().default(null),
  events: eventsSchema,
  /** An existing secret to use: the webhook's whsec_ signing secret, or the Slack webhook URL. */
  secretRef: z.string().trim().min(1).nullable().default(null),
  /** A Slack incoming-webhook URL to store (a secret: kept in the store, never shown again). */
  slackUrl: urlSchema.nullable().default(null),
});
export type EndpointInput = z.input<typeof endpointInputSchema>;

export const endpointUpdateSchema = z.object({
  name: nameSchema,
  url: urlSchema.nullable().default(null),
  events: eventsSchema,
  enabled: z.boolean(),
});
export type EndpointUpdate = z.input<typeof endpointUpdateSchema>;

function validation(issues: z.core.$ZodIssue[], what = 'The notification endpoint'): ProblemError {
  const errors = issues.map((issue) => ({ path: issue.path.join('.') || 'input', message: issue.message }));
  return new ProblemError('validation-failed', `${what} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, { errors });
}

/** The store path an endpoint's product-managed secret lives at. */
export function managedSecretRef(endpointId: string, kind: NotificationKind): string {
  return `store:notifications/${endpointId}/${kind === 'webhook' ? 'signing-secret' : 'slack-url'}`;
}

function isManaged(endpoint: Pick<Endpoint, 'id' | 'kind' | 'secretRef'>): boolean {
  return endpoint.secretRef === managedSecretRef(endpoint.id, endpoint.kind);
}

/** An admin-given reference: well-formed, and readable by the notification flow under the secrets policy. */
function checkReference(workspace: WorkspaceContext['workspace'], reference: string): void {
  try {
    parseSecretReference(reference);
  } catch (error) {
    throw new ProblemError('validation-failed', (error as SecretError).message, { errors: [{ path: 'secretRef', message: 'not a secret reference' }] });
  }
  const decision = checkSecretAccess(reference, { workspace, flow: { purpose: 'notification', environment: null } });
  if (!decision.allowed) {
    throw new ProblemError('validation-failed', `Notifications cannot read ${reference}: ${decision.reason}. Store it under store:notifications/... or leave the reference empty.`, {
      errors: [{ path: 'secretRef', message: 'the secrets policy denies notifications that secret' }],
    });
  }
}

async function secretWrite(reference: string, value: string, context: WorkspaceContext, tx: RuntimeDb) {
  try {
    await writeSecret(reference, value, { workspace: context.workspace, actor: context.actor, requestId: context.requestId, tx });
  } catch (error) {
    if (error instanceof SecretError) throw secretProblem(error);
    throw error;
  }
}

function toEndpoint(row: EndpointRow): Endpoint {
  return { ...row, kind: row.kind as NotificationKind, events: row.events as NotificationEvent[] };
}

export async function listEndpoints(workspaceId: string, db?: RuntimeDb): Promise<Endpoint[]> {
  const rows = await (db ?? (await getRuntimeDb())).select().from(notificationEndpoints).where(eq(notificationEndpoints.workspaceId, workspaceId)).orderBy(asc(notificationEndpoints.name));
  return rows.map(toEndpoint);
}

export async function getEndpoint(workspaceId: string, id: string, db?: RuntimeDb): Promise<Endpoint | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await (db ?? (await getRuntimeDb()))
    .select()
    .from(notificationEndpoints)
    .where(and(eq(notificationEndpoints.workspaceId, workspaceId), eq(notificationEndpoints.id, id)));
  return row ? toEndpoint(row) : null;
}

async function requireEndpoint(workspaceId: string, id: string, db: RuntimeDb, lock = false): Promise<Endpoint> {
  const query = z.uuid().safeParse(id).success
    ? db.select().from(notificationEndpoints).where(and(eq(notificationEndpoints.workspaceId, workspaceId), eq(notificationEndpoints.id, id)))
    : null;
  const [row] = query ? await (lock ? query.for('update') : query) : [];
  if (!row) throw new ProblemError('not-found', 'No such notification endpoint in this workspace.');
  return toEndpoint(row);
}

export interface CreatedEndpoint {
  endpoint: Endpoint;
  /** The webhook signing secret generated for it: shown once, never again. */
  signingSecret: string | null;
}

export async function createEndpoint(context: WorkspaceContext, input: EndpointInput): Promise<CreatedEndpoint> {
  const parsed = endpointInputSchema.safeParse(input);
  if (!parsed.success) throw validation(parsed.error.issues);
  const { name, kind, url, events, secretRef, slackUrl } = parsed.data;
  if (kind === 'webhook' && !url) throw new ProblemError('validation-failed', 'A webhook endpoint needs its URL.', { errors: [{ path: 'url', message: 'required' }] });
  if (kind === 'slack' && !slackUrl && !secretRef) {
    throw new ProblemError('validation-failed', 'A Slack endpoint needs its incoming-webhook URL (stored as a secret), or a reference to a secret holding it.', { errors: [{ path: 'slackUrl', message: 'required' }] });
  }
  if (kind === 'slack' && slackUrl && secretRef) {
    throw new ProblemError('validation-failed', 'Give the Slack URL or a secret reference, not both.', { errors: [{ path: 'secretRef', message: 'leave empty when pasting the URL' }] });
  }
  if (secretRef) checkReference(context.workspace, secretRef);
  const id = crypto.randomUUID();
  const reference = secretRef ?? managedSecretRef(id, kind);
  const signingSecret = kind === 'webhook' && !secretRef ? newSigningSecret() : null;
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(notificationEndpoints)
      .values({ id, workspaceId: context.workspace.id, name, kind, url: kind === 'webhook' ? url : null, secretRef: reference, events, createdBy: context.actor.label })
      .onConflictDoNothing()
      .returning();
    if (!inserted[0]) throw new ProblemError('conflict', `A notification endpoint named "${name}" already exists in this workspace.`, { errors: [{ path: 'name', message: 'already taken' }] });
    if (signingSecret) await secretWrite(reference, signingSecret, context, tx);
    if (kind === 'slack' && slackUrl) await secretWrite(reference, slackUrl, context, tx);
    await audit(tx, context, 'notification.endpoint.create', id, { name, kind, url: kind === 'webhook' ? url : null, events, secretRef: reference });
    return { endpoint: toEndpoint(inserted[0]), signingSecret };
  });
}

export async function updateEndpoint(context: WorkspaceContext, id: string, input: EndpointUpdate): Promise<Endpoint> {
  const parsed = endpointUpdateSchema.safeParse(input);
  if (!parsed.success) throw validation(parsed.error.issues);
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const existing = await requireEndpoint(context.workspace.id, id, tx, true);
    const { name, url, events, enabled } = parsed.data;
    if (existing.kind === 'webhook' && !url) throw new ProblemError('validation-failed', 'A webhook endpoint needs its URL.', { errors: [{ path: 'url', message: 'required' }] });
    const clash = await tx
      .select({ id: notificationEndpoints.id })
      .from(notificationEndpoints)
      .where(and(eq(notificationEndpoints.workspaceId, context.workspace.id), eq(notificationEndpoints.name, name), ne(notificationEndpoints.id, id)));
    if (clash.length) throw new ProblemError('conflict', `A notification endpoint named "${name}" already exists in this workspace.`, { errors: [{ path: 'name', message: 'already taken' }] });
    const [row] = await tx
      .update(notificationEndpoints)
      .set({
        name,
        url: existing.kind === 'webhook' ? url : null,
        events,
        enabled,
        // Enabling again clears why it was disabled (a 410 Gone).
        disabledReason: enabled ? null : existing.enabled ? 'disabled by an admin' : existing.disabledReason,
        updatedAt: sql`now()`,
      })
      .where(and(eq(notificationEndpoints.workspaceId, context.workspace.id), eq(notificationEndpoints.id, id)))
      .returning();
    await audit(tx, context, 'notification.endpoint.update', id, { name, url: existing.kind === 'webhook' ? url : null, events, enabled });
    return toEndpoint(row!);
  });
}

export async function deleteEndpoint(context: WorkspaceContext, id: string): Promise<boolean> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const existing = await getEndpoint(context.workspace.id, id, tx);
    if (!existing) return false;
    await tx.delete(notificationEndpoints).where(and(eq(notificationEndpoints.workspaceId, context.workspace.id), eq(notificationEndpoints.id, id)));
    // The secret it owned goes with it; a secret it only referenced stays where it lives.
    if (isManaged(existing)) await deleteSecret(existing.secretRef, { workspace: context.workspace, actor: context.actor, requestId: context.requestId, tx });
    await audit(tx, context, 'notification.endpoint.delete', id, { name: existing.name, kind: existing.kind });
    return true;
  });
}

/**
 * A new secret for an endpoint whose secret the product keeps: a webhook gets a new signing secret
 * (returned once; the receiver must switch to it), a Slack endpoint the new URL given. A secret
 * that lives elsewhere (env:, file:, vault:) is rotated there.
 */
export async function rotateEndpointSecret(context: WorkspaceContext, id: string, slackUrl?: string | null): Promise<{ endpoint: Endpoint; signingSecret: string | null }> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const endpoint = await requireEndpoint(context.workspace.id, id, tx, true);
    if (!isManaged(endpoint)) {
      throw new ProblemError('validation-failed', `${endpoint.name} reads its secret from ${endpoint.secretRef}: change the value there, Release Passport reads it at each delivery.`);
    }
    let signingSecret: string | null = null;
    if (endpoint.kind === 'webhook') {
      signingSecret = newSigningSecret();
      await secretWrite(endpoint.secretRef, signingSecret, context, tx);
    } else {
      const parsed = urlSchema.safeParse(slackUrl ?? '');
      if (!parsed.success) throw new ProblemError('validation-failed', 'Give the new Slack webhook URL.', { errors: [{ path: 'slackUrl', message: parsed.error.issues[0]!.message }] });
      await secretWrite(endpoint.secretRef, parsed.data, context, tx);
    }
    await tx.update(notificationEndpoints).set({ updatedAt: sql`now()` }).where(and(eq(notificationEndpoints.workspaceId, context.workspace.id), eq(notificationEndpoints.id, id)));
    await audit(tx, context, 'notification.endpoint.rotate-secret', id, { name: endpoint.name, secretRef: endpoint.secretRef });
    return { endpoint, signingSecret };
  });
}

/** Queues the test event for one endpoint (whatever it subscribes to). */
export async function sendTestEvent(context: WorkspaceContext, id: string): Promise<DeliveryRow> {
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const endpoint = await requireEndpoint(context.workspace.id, id, tx);
    if (!endpoint.enabled) throw new ProblemError('conflict', `${endpoint.name} is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}: enable it first.`);
    const [row] = await tx
      .insert(notificationDeliveries)
      .values({ workspaceId: context.workspace.id, endpointId: id, event: 'ping', payload: pingPayload(context.workspace.slug, context.actor.label) })
      .returning();
    await audit(tx, context, 'notification.test', id, { name: endpoint.name, deliveryId: row!.id });
    return row!;
  });
}

/** Attempts a delivery that failed (or waits for its next retry) now, once more. */
export async function retryDelivery(context: WorkspaceContext, deliveryId: string): Promise<boolean> {
  if (!z.uuid().safeParse(deliveryId).success) return false;
  const db = await getRuntimeDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(notificationDeliveries)
      .set({ status: 'pending', nextAttemptAt: sql`now()`, lockedUntil: null })
      .where(and(eq(notificationDeliveries.workspaceId, context.workspace.id), eq(notificationDeliveries.id, deliveryId), ne(notificationDeliveries.status, 'delivered')))
      .returning({ id: notificationDeliveries.id, endpointId: notificationDeliveries.endpointId, event: notificationDeliveries.event });
    if (row) await audit(tx, context, 'notification.delivery.retry', row.endpointId, { deliveryId: row.id, event: row.event });
    return row !== undefined;
  });
}

/** The latest `limit` deliveries of each endpoint, newest first. */
export async function recentDeliveries(workspaceId: string, endpointIds: readonly string[], limit = 50, db?: RuntimeDb): Promise<Map<string, DeliveryRow[]>> {
  const handle = db ?? (await getRuntimeDb());
  const result = new Map<string, DeliveryRow[]>(endpointIds.map((id) => [id, []]));
  if (endpointIds.length === 0) return result;
  const ranked = handle
    .select({ id: notificationDeliveries.id, rank: sql<number>`row_number() over (partition by ${notificationDeliveries.endpointId} order by ${notificationDeliveries.createdAt} desc)`.as('rank') })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.workspaceId, workspaceId), inArray(notificationDeliveries.endpointId, [...endpointIds])))
    .as('ranked');
  const rows = await handle
    .select({ delivery: notificationDeliveries })
    .from(notificationDeliveries)
    .innerJoin(ranked, eq(ranked.id, notificationDeliveries.id))
    .where(and(eq(notificationDeliveries.workspaceId, workspaceId), sql`${ranked.rank} <= ${limit}`))
    .orderBy(desc(notificationDeliveries.createdAt));
  for (const { delivery } of rows) result.get(delivery.endpointId)?.push(delivery);
  return result;
}

async function audit(tx: RuntimeDb, context: WorkspaceContext, action: string, id: string, details: Record<string, unknown>): Promise<void> {
  await appendAuditEvent(tx, { workspaceId: context.workspace.id, actor: context.actor, action, resource: { type: 'notification-endpoint', id }, outcome: 'allow', requestId: context.requestId, details });
}
