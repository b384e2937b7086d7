/** The connector routes' logic (the route wrapper has authenticated, authorized and parsed). */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { RuntimeDb } from '@/db/runtime';
import { connectorReadings } from '@/db/schema/runtime';
import type {
  connectorInputBody,
  connectorSchema,
  createConnectorEndpoint,
  deleteConnectorEndpoint,
  listConnectorsEndpoint,
  testConnectorEndpoint,
  updateConnectorEndpoint,
} from '@/lib/api/endpoints/connectors';
import type { AuditContext } from '@/lib/audit/event';
import type { ApiContext } from '@/lib/http/with-api';
import { ProblemError } from '@/lib/http/problem';
import { secretReferenceStatus, type SecretActor } from '@/lib/secrets';
import { secretActorOf } from '@/lib/secrets/handlers';
import { connectorKind } from './kinds';
import { keepReading } from './poll';
import { takeReading } from './read';
import { createConnector, deleteConnector, getConnector, listConnectors, updateConnector, type Connector } from './store';

export type ConnectorView = z.input<typeof connectorSchema>;

const actorOf = (ctx: { audit: AuditContext }) => secretActorOf(ctx.audit);

function stateOf(connector: Connector): ConnectorView['status']['state'] {
  if (!connector.enabled) return 'disabled';
  if (!connector.lastAttemptAt && !connector.lastSuccessAt && !connector.lastErrorAt) return 'never-polled';
  const failedSinceSuccess = connector.lastErrorAt && (!connector.lastSuccessAt || connector.lastErrorAt > connector.lastSuccessAt);
  if (failedSinceSuccess) return connector.lastError?.startsWith('stale:') ? 'stale' : 'failing';
  return 'ok';
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

async function view(db: RuntimeDb, connector: Connector): Promise<ConnectorView> {
  const kind = connectorKind(connector.type);
  const parsed = kind.configSchema.safeParse(connector.config);
  const readings = await db
    .select({ target: connectorReadings.target, digest: connectorReadings.digest, observedAt: connectorReadings.observedAt })
    .from(connectorReadings)
    .where(and(eq(connectorReadings.workspaceId, connector.workspaceId), eq(connectorReadings.connectorId, connector.id)));
  const secret = connector.secretRef ? await secretReferenceStatus(connector.secretRef, { workspace: { id: connector.workspaceId } }) : null;
  return {
    id: connector.id,
    name: connector.name,
    type: connector.type,
    label: kind.label,
    category: kind.category,
    environment: connector.environment,
    enabled: connector.enabled,
    config: connector.config as Record<string, unknown>,
    targets: parsed.success ? kind.targets(parsed.data) : [],
    secret: secret && { reference: secret.reference, set: secret.set, source: secret.source, detail: secret.detail, ...(secret.problem ? { problem: secret.problem } : {}) },
    status: {
      state: stateOf(connector),
      lastAttemptAt: iso(connector.lastAttemptAt),
      lastSuccessAt: iso(connector.lastSuccessAt),
      lastErrorAt: iso(connector.lastErrorAt),
      lastError: connector.lastError,
      consecutiveFailures: connector.consecutiveFailures,
      nextPollAt: iso(connector.nextPollAt),
    },
    readings: readings.map((reading) => ({ target: reading.target, digest: reading.digest, observedAt: reading.observedAt.toISOString() })).sort((a, b) => a.target.localeCompare(b.target)),
    createdAt: connector.createdAt.toISOString(),
    updatedAt: connector.updatedAt.toISOString(),
    version: connector.version,
  };
}

/** Every connector of the workspace as the settings page and the API show it. */
export async function connectorViews(db: RuntimeDb, workspaceId: string): Promise<ConnectorView[]> {
  const connectors = await listConnectors(workspaceId, db);
  return Promise.all(connectors.map((connector) => view(db, connector)));
}

export async function handleListConnectors(ctx: ApiContext<typeof listConnectorsEndpoint>) {
  return { connectors: await connectorViews(ctx.db, ctx.workspace!.id) };
}

const input = (body: z.output<typeof connectorInputBody>) => ({
  name: body.name,
  type: body.type,
  environment: body.environment ?? null,
  secretRef: body.secretRef ?? null,
  enabled: body.enabled ?? true,
  config: body.config,
});

export async function handleCreateConnector(ctx: ApiContext<typeof createConnectorEndpoint>) {
  const connector = await createConnector({ workspace: ctx.workspace!, actor: actorOf(ctx), requestId: ctx.requestId }, input(ctx.body));
  return view(ctx.db, connector);
}

export async function handleUpdateConnector(ctx: ApiContext<typeof updateConnectorEndpoint>) {
  const connector = await updateConnector({ workspace: ctx.workspace!, actor: actorOf(ctx), requestId: ctx.requestId }, ctx.params.id, input(ctx.body), {
    expectedVersion: ctx.body.expectedVersion,
  });
  return view(ctx.db, connector);
}

export async function handleDeleteConnector(ctx: ApiContext<typeof deleteConnectorEndpoint>) {
  const removed = await deleteConnector({ workspace: ctx.workspace!, actor: actorOf(ctx), requestId: ctx.requestId }, ctx.params.id);
  if (!removed) throw new ProblemError('not-found', 'No such connector in this workspace.');
  return null;
}

export interface TestResult {
  target: string;
  ok: boolean;
  digest?: string;
  observedAt?: string;
  error?: string;
}

/** Reads every target of the connector now; the outcome lands in its status too. */
export async function testConnector(connector: Connector, options: { actor: SecretActor; requestId?: string; sourceSha?: string }): Promise<TestResult[]> {
  const kind = connectorKind(connector.type);
  const results: TestResult[] = [];
  for (const target of kind.targets(kind.configSchema.parse(connector.config))) {
    try {
      const taken = await takeReading(connector, target, { actor: options.actor, requestId: options.requestId, subject: options.sourceSha ? { sha: options.sourceSha } : {} });
      if (!kind.needsSha) await keepReading(connector, target, taken);
      results.push({ target, ok: true, digest: taken.digest, observedAt: taken.reading.observedAt });
    } catch (error) {
      results.push({ target, ok: false, error: (error as Error).message });
    }
  }
  return results;
}

export async function handleTestConnector(ctx: ApiContext<typeof testConnectorEndpoint>) {
  const connector = await getConnector(ctx.workspace!.id, ctx.params.id, ctx.db);
  if (!connector) throw new ProblemError('not-found', 'No such connector in this workspace.');
  const kind = connectorKind(connector.type);
  if (kind.needsSha && !ctx.body.sourceSha) {
    throw new ProblemError('validation-failed', `A ${kind.label} connector reads the runs of one commit: give sourceSha (40 hex characters).`, {
      errors: [{ path: 'body.sourceSha', message: 'required for this connector type' }],
    });
  }
  const results = await testConnector(connector, { actor: actorOf(ctx), requestId: ctx.requestId, sourceSha: ctx.body.sourceSha });
  ctx.auditResource({ type: 'connector', id: connector.id }, { tested: results.map((result) => ({ target: result.target, ok: result.ok })) });
  return { results };
}
