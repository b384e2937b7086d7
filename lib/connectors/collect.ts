/**
 * The readings a gate evaluation needs: exactly those its connector rules name (rules.ts
 * `reads`), taken live through the workspace's connectors as the evaluation's flow (the release's
 * environment), each becoming a snapshot reading of the gate's inputs. A connector bound to
 * another environment is not used, so a development evaluation never runs on production
 * credentials. When a live read fails, the latest polled reading stands in, and its age decides
 * whether it is still fresh enough.
 */
import { and, eq } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { connectorReadings } from '@/db/schema/runtime';
import type { SecretActor } from '@/lib/secrets';
import { ConnectorError } from './http';
import { takeReading } from './read';
import { connectorRuleSpec, subjectOf, type ReadRequest, type SnapshotReading } from './rules';
import { listConnectors, type Connector } from './store';

export interface CollectRequest {
  workspace: { id: string };
  /** The policy's rules; those of connector rule types are served. */
  rules: ReadonlyArray<{ type: string } & Record<string, unknown>>;
  release: { environment: string; sourceSha: string };
  actor: SecretActor;
  requestId?: string;
}

/** The connector reads the rules ask for, once each. */
export function readRequestsOf(rules: CollectRequest['rules']): ReadRequest[] {
  const requests = new Map<string, ReadRequest>();
  for (const rule of rules) {
    const spec = connectorRuleSpec(rule.type);
    if (!spec) continue;
    for (const request of spec.reads(rule as never)) requests.set(`${request.connector}\u0000${request.target}`, request);
  }
  return [...requests.values()].sort((a, b) => a.connector.localeCompare(b.connector) || a.target.localeCompare(b.target));
}

export async function collectConnectorReadings(request: CollectRequest): Promise<SnapshotReading[]> {
  const wanted = readRequestsOf(request.rules);
  if (wanted.length === 0) return [];
  const connectors = new Map((await listConnectors(request.workspace.id)).map((connector) => [connector.name, connector]));
  return Promise.all(wanted.map((read) => readOne(request, read, connectors.get(read.connector))));
}

async function readOne(request: CollectRequest, read: ReadRequest, connector: Connector | undefined): Promise<SnapshotReading> {
  const base = { connector: read.connector, type: connector?.type ?? read.type, subject: subjectOf(read.type, read.target) };
  const failed = (error: string): SnapshotReading => ({ ...base, value: null, observedAt: new Date().toISOString(), error });
  if (!connector) return failed(`there is no connector named "${read.connector}" in this workspace`);
  if (connector.type !== read.type) return failed(`connector "${read.connector}" is a ${connector.type} connector; the rule needs ${read.type}`);
  if (!connector.enabled) return failed(`connector "${read.connector}" is disabled`);
  if (connector.environment && connector.environment !== request.release.environment) {
    return failed(`connector "${read.connector}" serves environment "${connector.environment}", not "${request.release.environment}"`);
  }
  try {
    const { reading } = await takeReading(connector, read.target, {
      subject: { sha: request.release.sourceSha },
      actor: request.actor,
      requestId: request.requestId,
      flowEnvironment: request.release.environment,
    });
    return { ...base, value: reading.data, observedAt: reading.observedAt };
  } catch (error) {
    // Only an unreachable or failing server is bridged by the polled reading; a refusal (scope,
    // secrets policy) stands.
    const polled = error instanceof ConnectorError ? await latestPolledReading(connector, read.target) : null;
    return polled ?? failed((error as Error).message);
  }
}

async function latestPolledReading(connector: Connector, target: string): Promise<SnapshotReading | null> {
  const db = await getRuntimeDb();
  const [row] = await db
    .select({ reading: connectorReadings.reading })
    .from(connectorReadings)
    .where(and(eq(connectorReadings.workspaceId, connector.workspaceId), eq(connectorReadings.connectorId, connector.id), eq(connectorReadings.target, target)));
  return row ? (row.reading as SnapshotReading) : null;
}
