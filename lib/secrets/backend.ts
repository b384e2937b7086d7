/**
 * Where encrypted entries live. The runtime keeps them in its database (`secrets` and
 * `secret_store`), installation-level and workspace entries alike, so key rotation is one
 * transaction; the public target, which has no runtime database, keeps its installation-level
 * entries in one encrypted file (`.data/public/secrets.enc`, outside git), replaced atomically.
 */
import type { RuntimeDb } from '@/db/runtime';
import type { SecretScope } from './cipher';
import type { KdfParams } from './keys';

export interface StoreMeta {
  keyId: string;
  kdf: KdfParams | null;
}

export interface EntryInfo {
  path: string;
  keyId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface StoredEntry extends EntryInfo {
  ciphertext: string;
}

/** What a rotation does to each entry, decided once the store is locked. */
export interface RotationPlan {
  reseal(entry: StoredEntry, scope: SecretScope): string;
  meta: StoreMeta;
}

export interface SecretBackend {
  readonly kind: 'database' | 'file';
  /** For people: "runtime database" or "encrypted file /srv/rp/.data/public/secrets.enc". */
  readonly description: string;
  getMeta(): Promise<StoreMeta | null>;
  /** Records the store's key on first write; returns whichever meta won if another writer was first. */
  initMeta(meta: StoreMeta): Promise<StoreMeta>;
  get(scope: SecretScope, path: string): Promise<StoredEntry | null>;
  put(scope: SecretScope, path: string, ciphertext: string, keyId: string, actorLabel: string): Promise<{ version: number }>;
  remove(scope: SecretScope, path: string): Promise<boolean>;
  list(scope: SecretScope): Promise<EntryInfo[]>;
  /**
   * Re-seals every entry of every scope and records the new meta, all or nothing: `plan` runs
   * with the store locked, and any error it or `reseal` throws leaves the store as it was.
   * `afterReseal` runs before the commit, with the transaction when there is one (the database
   * store audits the rotation inside it).
   */
  rotate(
    plan: (meta: StoreMeta | null) => Promise<RotationPlan>,
    afterReseal?: (count: number, tx: RuntimeDb | null) => Promise<void>,
  ): Promise<number>;
}
