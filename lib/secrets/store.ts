/**
 * The encrypted store of the current target, and its key: loaded from the configured source,
 * checked against the fingerprint the store recorded, never guessed.
 */
import fs from 'node:fs';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import type { SecretBackend, StoreMeta } from './backend';
import { databaseBackend } from './backend-database';
import { fileBackend } from './backend-file';
import { secretsConfig, secretsFilePath, type SecretsConfig } from './config';
import { SecretError } from './errors';
import { describeKeySource, keyFingerprint, loadStoreKey, readKeyFile, type StoreKey } from './keys';

export async function storeBackend(config: SecretsConfig = secretsConfig(), tx?: RuntimeDb | null): Promise<SecretBackend> {
  if (config.target === 'public') return fileBackend(secretsFilePath(config));
  return databaseBackend(tx ?? (await getRuntimeDb()));
}

/**
 * The key to read or write the store with. A store without entries yet is bound to the
 * configured key on first write (`forWrite`), creating the embedded default key file if needed.
 */
export async function storeKey(backend: SecretBackend, options: { forWrite: boolean }, config: SecretsConfig = secretsConfig()): Promise<StoreKey> {
  let meta = await backend.getMeta();
  let key = await loadStoreKey(config.keySource, meta?.kdf ?? null, config.env, { createDefaultFile: !meta && options.forWrite });
  if (!meta) {
    if (!options.forWrite) return key;
    meta = await backend.initMeta({ keyId: key.id, kdf: key.kdf });
    // Another writer initialized it first (with its own salt): derive again with the recorded one.
    if (meta.keyId !== key.id && meta.kdf) key = await loadStoreKey(config.keySource, meta.kdf, config.env);
  }
  if (meta.keyId !== key.id && finishInterruptedRotation(config, meta)) {
    key = await loadStoreKey(config.keySource, meta.kdf, config.env);
  }
  if (meta.keyId !== key.id) throw keyMismatch(backend, meta, key, config);
  return key;
}

function keyMismatch(backend: SecretBackend, meta: StoreMeta, key: StoreKey, config: SecretsConfig): SecretError {
  return new SecretError(
    'key-mismatch',
    `The secret store (${backend.description}) is encrypted under key ${meta.keyId}, but the configured key ` +
      `(${describeKeySource(config.keySource)}) is ${key.id}. Configure the key the store was encrypted with; ` +
      'after `rp secrets rotate-key`, that is the new key.',
  );
}

/**
 * `rp secrets rotate-key --generate` with the embedded default key file writes the new key to
 * `secrets.key.next`, commits the store, then renames it over `secrets.key`. If the process died
 * between the commit and the rename, the store already names the new key: finish the rename.
 */
function finishInterruptedRotation(config: SecretsConfig, meta: StoreMeta): boolean {
  const source = config.keySource;
  if (source.type !== 'key-file' || !source.isDefault) return false;
  const next = `${source.path}.next`;
  if (!fs.existsSync(next)) return false;
  try {
    if (keyFingerprint(readKeyFile(next)) !== meta.keyId) return false;
  } catch {
    return false;
  }
  promoteNextKeyFile(source.path);
  return true;
}

/** `secrets.key.next` becomes `secrets.key`; the old key is kept as `secrets.key.previous`. */
export function promoteNextKeyFile(file: string): void {
  if (fs.existsSync(file)) fs.renameSync(file, `${file}.previous`);
  fs.renameSync(`${file}.next`, file);
}
