/**
 * Writing and removing store entries. Who may do it is a role question (`secret.write`), asked by
 * the caller with can() before calling; these functions encrypt, store and audit. Only `store:`
 * references can be written: `env:` and `file:` values are managed where they live.
 */
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import type { EntryInfo } from './backend';
import { recordSecretAudit, type SecretActor } from './audit';
import { scopeOf, seal } from './cipher';
import { secretsConfig } from './config';
import { SecretError, storeFailure } from './errors';
import { parseSecretReference } from './reference';
import type { WorkspaceRef } from './resolve';
import { storeBackend, storeKey } from './store';

export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretWriteContext {
  workspace?: WorkspaceRef | null;
  actor: SecretActor;
  requestId?: string;
  /** The caller's transaction: the entry and its audit event commit or roll back with it. */
  tx?: RuntimeDb | null;
}

function storePath(reference: string): { text: string; path: string } {
  const parsed = parseSecretReference(reference);
  if (parsed.scheme !== 'store') {
    throw new SecretError(
      'unsupported',
      `${parsed.text} is read from ${parsed.scheme === 'env' ? 'the environment' : 'a mounted file'}; only store: references are written by Release Passport.`,
      parsed.text,
    );
  }
  return parsed;
}

/** Encrypts and stores a value; returns the new version. */
export async function writeSecret(
  reference: string,
  value: string | Buffer,
  context: SecretWriteContext,
): Promise<{ reference: string; version: number }> {
  const parsed = storePath(reference);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.length === 0) throw new SecretError('not-set', `A value for ${parsed.text} cannot be empty.`, parsed.text);
  if (bytes.length > MAX_SECRET_BYTES) throw new SecretError('unsupported', `A value for ${parsed.text} is limited to 64 KiB.`, parsed.text);
  const scope = scopeOf(context.workspace);
  const work = async (tx: RuntimeDb | null) => {
    const backend = await storeBackend(undefined, tx);
    const key = await storeKey(backend, { forWrite: true });
    const { version } = await backend.put(scope, parsed.path, seal(key, scope, parsed.path, bytes), key.id, context.actor.label);
    await auditChange('secret.write', parsed.text, context, tx, { version, keyId: key.id, store: backend.kind });
    return { reference: parsed.text, version };
  };
  return inTransaction(context.tx, work);
}

/** Removes a store entry; false when there was none. */
export async function deleteSecret(reference: string, context: SecretWriteContext): Promise<boolean> {
  const parsed = storePath(reference);
  const scope = scopeOf(context.workspace);
  return inTransaction(context.tx, async (tx) => {
    const backend = await storeBackend(undefined, tx);
    const removed = await backend.remove(scope, parsed.path);
    if (removed) await auditChange('secret.delete', parsed.text, context, tx, { store: backend.kind });
    return removed;
  });
}

function auditChange(
  action: 'secret.write' | 'secret.delete',
  reference: string,
  context: SecretWriteContext,
  tx: RuntimeDb | null,
  details: Record<string, unknown>,
): Promise<void> {
  const workspaceId = context.workspace?.id ?? null;
  return recordSecretAudit({ action, outcome: 'allow', reference, workspaceId, actor: context.actor, requestId: context.requestId, details }, tx);
}

/** The entries of one scope: paths, versions, who and when, never values. */
export async function listStoredSecrets(context: { workspace?: WorkspaceRef | null }): Promise<Array<EntryInfo & { reference: string }>> {
  const backend = await storeBackend();
  const entries = await backend.list(scopeOf(context.workspace));
  return entries.map((entry) => ({ ...entry, reference: `store:${entry.path}` }));
}

/** Runs in the caller's transaction, in a new one (database store), or as is (file store). */
async function inTransaction<T>(tx: RuntimeDb | null | undefined, work: (tx: RuntimeDb | null) => Promise<T>): Promise<T> {
  try {
    if (tx) return await work(tx);
    if (secretsConfig().target === 'public') return await work(null);
    const db = await getRuntimeDb();
    return await db.transaction(async (transaction) => work(transaction));
  } catch (error) {
    throw storeFailure(error, 'Writing to the secret store');
  }
}
