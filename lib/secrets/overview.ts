/**
 * Everything the secrets settings page (and GET /api/v1/secrets) shows: the store and its key,
 * each stored entry and each reference the workspace's connectors use, with what uses it, the
 * installation's secrets for those who may see them, and the access policy. Status only: no
 * value is read.
 */
import { eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { connectors } from '@/db/schema/runtime';
import { secretsConfig } from './config';
import { installationSecretsStatus, secretReferenceStatus, secretStoreStatus, type InstallationSecretStatus, type SecretStatus, type StoreStatus } from './status';
import { listStoredSecrets } from './write';

export interface SecretsOverview {
  store: Omit<StoreStatus, 'keySource'> & { keySource: string | null };
  entries: Array<SecretStatus & { usedBy: string[] }>;
  references: Array<SecretStatus & { usedBy: string[] }>;
  installation: InstallationSecretStatus[] | null;
  policy: Array<{ id: string; effect: string; scope: string; paths: string[]; purposes: string[] | null; environments: string[] | null; description: string | null }>;
}

export async function secretsOverview(db: RuntimeDb, workspace: { id: string }, options: { installation: boolean }): Promise<SecretsOverview> {
  // Where each reference is used, so the page can say what a missing secret breaks.
  const used = await db.select({ name: connectors.name, secretRef: connectors.secretRef }).from(connectors).where(eq(connectors.workspaceId, workspace.id));
  const usedBy = (reference: string) => used.filter((row) => row.secretRef === reference).map((row) => `connector ${row.name}`);
  const entries = await listStoredSecrets({ workspace });
  const stored = new Set(entries.map((entry) => entry.reference));
  const otherReferences = [...new Set(used.map((row) => row.secretRef).filter((ref): ref is string => Boolean(ref) && !stored.has(ref!)))];
  const store = await secretStoreStatus();
  return {
    store: { ...store, keySource: options.installation ? store.keySource : null, problems: options.installation ? store.problems : [] },
    entries: await Promise.all(entries.map(async (entry) => ({ ...(await secretReferenceStatus(entry.reference, { workspace })), usedBy: usedBy(entry.reference) }))),
    references: await Promise.all(otherReferences.map(async (reference) => ({ ...(await secretReferenceStatus(reference, { workspace })), usedBy: usedBy(reference) }))),
    installation: options.installation ? await installationSecretsStatus() : null,
    policy: secretsConfig().policy.rules.map((rule) => ({
      id: rule.id,
      effect: rule.effect,
      scope: rule.scope,
      paths: rule.paths,
      purposes: rule.purposes ?? null,
      environments: rule.environments ?? null,
      description: rule.description ?? null,
    })),
  };
}
