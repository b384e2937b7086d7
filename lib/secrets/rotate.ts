/**
 * `rp secrets rotate-key`: every entry of the store is decrypted with the current key and
 * re-encrypted under a new one in one step (one database transaction, or one atomic file
 * replacement). Any failure, an unreadable entry included, leaves the store as it was and the
 * current key working. Afterwards the service is restarted with the new key configured.
 */
import fs from 'node:fs';
import { recordSecretAudit, type SecretActor } from './audit';
import { open, seal } from './cipher';
import { secretsConfig } from './config';
import { SecretError, storeFailure } from './errors';
import { describeKeySource, loadStoreKey, writeNewKeyFile, keyFingerprint, readKeyFile, type KeySource } from './keys';
import { promoteNextKeyFile, storeBackend, storeKey } from './store';

export interface RotateKeyOptions {
  /** Where the new key comes from. */
  newKey: KeySource;
  /** Make a new random key in `newKey` (a key file) instead of reading an existing one. */
  generate?: boolean;
  actor: SecretActor;
}

export interface RotateKeyResult {
  rotated: number;
  previousKeyId: string | null;
  keyId: string;
  /** The source to configure before restarting ("unchanged" for the embedded default file). */
  newKeySource: string;
  /** Whether the configuration must change before the restart. */
  reconfigure: boolean;
}

export async function rotateStoreKey(options: RotateKeyOptions): Promise<RotateKeyResult> {
  const config = secretsConfig();
  const current = config.keySource;
  const inPlace = options.newKey.type === 'key-file' && current.type === 'key-file' && options.newKey.path === current.path;
  if (inPlace && !options.generate) {
    throw new SecretError('key-source', 'The new key must differ from the current one: use --generate to replace the key file in place, or name another source.');
  }
  const backend = await storeBackend(config);
  // Loading the current key first also finishes a rotation that was interrupted before its key
  // file was renamed, and refuses to start from a key that cannot read the store.
  const meta = await backend.getMeta();
  if (meta) await storeKey(backend, { forWrite: false }, config);

  // Replacing the embedded default in place: the new key waits in secrets.key.next until the store commits.
  let newSource = options.newKey;
  let madeFile: string | null = null;
  if (options.generate) {
    if (newSource.type !== 'key-file') throw new SecretError('key-source', '--generate makes a key file; give its path.');
    const target = inPlace ? `${newSource.path}.next` : newSource.path;
    if (inPlace) removeStaleNext(target, meta?.keyId ?? null);
    writeNewKeyFile(target);
    madeFile = target;
    newSource = { type: 'key-file', path: target, isDefault: false };
  }

  let previousKeyId: string | null = null;
  let keyId = '';
  let committed = false;
  try {
    const rotated = await backend.rotate(
      async (meta) => {
        const oldKey = await loadStoreKey(current, meta?.kdf ?? null, config.env);
        if (meta && meta.keyId !== oldKey.id) {
          throw new SecretError(
            'key-mismatch',
            `The store is encrypted under key ${meta.keyId}, not the configured key ${oldKey.id} (${describeKeySource(current)}): configure the current key to rotate away from it.`,
          );
        }
        const newKey = await loadStoreKey(newSource, null, config.env);
        if (newKey.id === oldKey.id) throw new SecretError('key-source', 'The new key is the current key.');
        previousKeyId = meta?.keyId ?? null;
        keyId = newKey.id;
        return {
          meta: { keyId: newKey.id, kdf: newKey.kdf },
          reseal: (entry, scope) => seal(newKey, scope, entry.path, open(oldKey, scope, entry.path, entry.ciphertext, `store:${entry.path}`)),
        };
      },
      async (count, tx) => {
        if (tx) await recordSecretAudit(rotationEvent(options.actor, count, previousKeyId, keyId, newSource), tx);
      },
    );
    committed = true;
    if (backend.kind === 'file') await recordSecretAudit(rotationEvent(options.actor, rotated, previousKeyId, keyId, newSource));
    if (inPlace) promoteNextKeyFile(options.newKey.type === 'key-file' ? options.newKey.path : '');
    return {
      rotated,
      previousKeyId,
      keyId,
      newKeySource: describeKeySource(inPlace ? options.newKey : newSource),
      reconfigure: !inPlace,
    };
  } catch (error) {
    // Before the commit nothing is encrypted under the new key file; after it, it is the key.
    if (madeFile && !committed) fs.rmSync(madeFile, { force: true });
    throw storeFailure(error, committed ? 'Finishing the key rotation' : 'Rotating the store key (nothing was changed)');
  }
}

function rotationEvent(actor: SecretActor, count: number, previousKeyId: string | null, keyId: string, source: KeySource) {
  return {
    action: 'secret.key.rotate' as const,
    outcome: 'allow' as const,
    reference: null,
    workspaceId: null,
    actor,
    details: { rotated: count, previousKeyId, keyId, keySource: source.type },
  };
}

/** A `.next` key left by a rotation that never committed encrypts nothing: drop it. */
function removeStaleNext(file: string, storeKeyId: string | null): void {
  if (!fs.existsSync(file)) return;
  let fingerprint: string | null = null;
  try {
    fingerprint = keyFingerprint(readKeyFile(file));
  } catch {
    // unreadable: it cannot be the store's key
  }
  if (fingerprint !== null && fingerprint === storeKeyId) {
    throw new SecretError('key-source', `${file} is the key the store is encrypted under; it was not removed.`);
  }
  fs.rmSync(file, { force: true });
}
