/**
 * A connector's readings on the environment board: a Kubernetes or Argo CD connector serving an
 * environment records, at each poll of a target (namespace, application), the images it sees
 * running there. A connector serving no environment records nothing: nobody could say where its
 * images run. What a connector no longer watches (a target taken out of its configuration, an
 * environment it no longer serves) is closed at its next poll, not left running forever.
 */
import { and, eq, isNull, ne, notInArray, or } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { deployments, environments, workspaces } from '@/db/schema/runtime';
import { connectorKind } from '@/lib/connectors/kinds';
import type { Connector } from '@/lib/connectors/store';
import type { ConnectorReading } from '@/lib/connectors/types';
import { DEPLOYMENT_SOURCE_KINDS, type DeploymentSourceKind } from '@/lib/domain/primitives';
import { logger } from '@/lib/http/logger';
import { recordSnapshot, type SnapshotResult } from './store';

export async function recordConnectorSnapshot(connector: Connector, target: string, reading: ConnectorReading): Promise<SnapshotResult | null> {
  const kind = connectorKind(connector.type);
  if (!kind.runningImages || !connector.environmentId || !(DEPLOYMENT_SOURCE_KINDS as readonly string[]).includes(connector.type)) return null;
  const db = await getRuntimeDb();
  const [found] = await db
    .select({ workspace: { id: workspaces.id, slug: workspaces.slug }, environment: { id: environments.id, slug: environments.slug, production: environments.production } })
    .from(environments)
    .innerJoin(workspaces, eq(workspaces.id, environments.workspaceId))
    .where(and(eq(environments.workspaceId, connector.workspaceId), eq(environments.id, connector.environmentId)));
  if (!found) return null;
  const result = await recordSnapshot(db, {
    ...found,
    source: connector.name,
    sourceKind: connector.type as DeploymentSourceKind,
    location: target,
    images: kind.runningImages(reading.data),
    at: new Date(reading.observedAt),
    audit: { actor: { type: 'system', id: connector.id, label: `connector ${connector.name}` } },
  });
  if (result.skipped.length) logger.warn({ connector: connector.name, target, skipped: result.skipped.slice(0, 10) }, 'connector reported references that are not image references');
  return result;
}

/** Closes what the connector saw where it no longer looks: other environments, targets no longer configured. */
export async function closeUnwatched(connector: Connector, targets: readonly string[], at: Date): Promise<void> {
  if (!connectorKind(connector.type).runningImages) return;
  const db = await getRuntimeDb();
  await db
    .update(deployments)
    .set({ goneAt: at })
    .where(
      and(
        eq(deployments.workspaceId, connector.workspaceId),
        eq(deployments.sourceKind, connector.type),
        eq(deployments.source, connector.name),
        isNull(deployments.goneAt),
        connector.environmentId ? or(ne(deployments.environmentId, connector.environmentId), targets.length ? notInArray(deployments.location, [...targets]) : undefined) : undefined,
      ),
    );
}
