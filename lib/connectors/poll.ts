/**
 * Polling (the worker's connector job): every target a connector's configuration names is read
 * as the connector's own flow, the latest reading of each is kept (connector_readings) for
 * freshness and as the gate's fallback, and the connector's status records the outcome. Reads
 * that need a release (CI runs for a SHA) are taken at gate time instead. The images an
 * orchestration or GitOps reading shows running are recorded on the environment board.
 */
import { and, eq, notInArray } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { connectorReadings } from '@/db/schema/runtime';
import { closeUnwatched, recordConnectorSnapshot } from '@/lib/deployments/connectors';
import type { SecretActor } from '@/lib/secrets';
import { connectorKind } from './kinds';
import { takeReading, type TakenReading } from './read';
import { subjectOf, type SnapshotReading } from './rules';
import { getConnector, postponePoll, recordConnectorOutcome, type Connector } from './store';

export interface PollResult {
  connectorId: string;
  read: number;
  failed: number;
  /** The first failure, sanitized, when any target failed. */
  error?: string;
}

/** Keeps a reading as the connector's latest of that target (freshness, and the gate's fallback). */
export async function keepReading(connector: Connector, target: string, taken: TakenReading): Promise<void> {
  const snapshot: SnapshotReading = {
    connector: connector.name,
    type: connector.type,
    subject: subjectOf(connector.type, target),
    value: taken.reading.data,
    observedAt: taken.reading.observedAt,
  };
  const db = await getRuntimeDb();
  await db
    .insert(connectorReadings)
    .values({ workspaceId: connector.workspaceId, connectorId: connector.id, target, digest: taken.digest, reading: snapshot, observedAt: new Date(taken.reading.observedAt) })
    .onConflictDoUpdate({
      target: [connectorReadings.connectorId, connectorReadings.target],
      set: { digest: taken.digest, reading: snapshot, observedAt: new Date(taken.reading.observedAt) },
    });
}

export async function pollConnector(workspaceId: string, connectorId: string, actor: SecretActor, now: () => Date = () => new Date()): Promise<PollResult | null> {
  const connector = await getConnector(workspaceId, connectorId);
  if (!connector || !connector.enabled) return null;
  const kind = connectorKind(connector.type);
  const config = kind.configSchema.parse(connector.config) as { pollIntervalSeconds: number };
  const result: PollResult = { connectorId, read: 0, failed: 0 };
  if (kind.needsSha) {
    // Nothing to poll (it is read at gate time): only push the next poll out.
    await postponePoll(workspaceId, connectorId, new Date(now().getTime() + config.pollIntervalSeconds * 1000));
    return result;
  }
  const db = await getRuntimeDb();
  for (const target of kind.targets(config)) {
    try {
      const taken = await takeReading(connector, target, { actor, now, recordStatus: false });
      await keepReading(connector, target, taken);
      // What runs there, on the environment board (a connector serving an environment only).
      await recordConnectorSnapshot(connector, target, taken.reading);
      result.read++;
    } catch (error) {
      result.failed++;
      result.error ??= `${target}: ${(error as Error).message}`;
    }
  }
  // Targets no longer in the configuration drop their old readings.
  await db
    .delete(connectorReadings)
    .where(
      and(
        eq(connectorReadings.workspaceId, workspaceId),
        eq(connectorReadings.connectorId, connectorId),
        notInArray(connectorReadings.target, kind.targets(config)),
      ),
    );
  // ...and what it saw running there is no longer known to run.
  await closeUnwatched(connector, kind.targets(config), now());
  await recordConnectorOutcome(
    workspaceId,
    connectorId,
    result.error ? { ok: false, at: now(), error: result.error, pollIntervalSeconds: config.pollIntervalSeconds } : { ok: true, at: now(), pollIntervalSeconds: config.pollIntervalSeconds },
  );
  return result;
}
