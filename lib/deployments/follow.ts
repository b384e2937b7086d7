/**
 * What a connector saw running follows the connector: a rename carries its observations over (so
 * the same image is not "newly deployed" again), and a connector deleted or disabled no longer
 * watches anything, so what it saw is closed rather than shown running forever. Run in the
 * connector change's own transaction. Imports nothing of the connectors (they import this).
 */
import { and, eq, isNull } from 'drizzle-orm';
import { deployments } from '@/db/schema/runtime';
import type { DbOrTx } from '@/lib/audit/log';
import { DEPLOYMENT_SOURCE_KINDS } from '@/lib/domain/primitives';

export async function followConnectorChange(tx: DbOrTx, workspaceId: string, type: string, before: string, after: { name: string; enabled: boolean } | null, at = new Date()): Promise<void> {
  if (type === 'report' || !(DEPLOYMENT_SOURCE_KINDS as readonly string[]).includes(type)) return;
  const open = and(eq(deployments.workspaceId, workspaceId), eq(deployments.sourceKind, type), eq(deployments.source, before), isNull(deployments.goneAt));
  if (!after || !after.enabled) await tx.update(deployments).set({ goneAt: at }).where(open);
  else if (after.name !== before) await tx.update(deployments).set({ source: after.name }).where(open);
}
