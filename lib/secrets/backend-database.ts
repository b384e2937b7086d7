/** The runtime's store: rows of `secrets`, the key fingerprint and salt in `secret_store`. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { secretStore, secrets } from '@/db/schema/runtime';
import type { SecretScope } from './cipher';
import type { EntryInfo, RotationPlan, SecretBackend, StoreMeta, StoredEntry } from './backend';

const META_ID = 'default';

function scopeCondition(scope: SecretScope) {
  return scope.kind === 'installation' ? isNull(secrets.workspaceId) : eq(secrets.workspaceId, scope.workspaceId);
}

function workspaceOf(scope: SecretScope): string | null {
  return scope.kind === 'installation' ? null : scope.workspaceId;
}

const entryColumns = {
  path: secrets.path,
  keyId: secrets.keyId,
  version: secrets.version,
  createdAt: secrets.createdAt,
  updatedAt: secrets.updatedAt,
  updatedBy: secrets.updatedBy,
};

export function databaseBackend(db: RuntimeDb): SecretBackend {
  return {
    kind: 'database',
    description: 'runtime database',
    async getMeta() {
      const [row] = await db.select({ keyId: secretStore.keyId, kdf: secretStore.kdf }).from(secretStore).where(eq(secretStore.id, META_ID));
      return row ? { keyId: row.keyId, kdf: row.kdf ?? null } : null;
    },
    async initMeta(meta) {
      await db.insert(secretStore).values({ id: META_ID, keyId: meta.keyId, kdf: meta.kdf }).onConflictDoNothing();
      return (await this.getMeta())!;
    },
    async get(scope, path) {
      const [row] = await db
        .select({ ...entryColumns, ciphertext: secrets.ciphertext })
        .from(secrets)
        .where(and(scopeCondition(scope), eq(secrets.path, path)));
      return row ?? null;
    },
    async put(scope, path, ciphertext, keyId, actorLabel) {
      const [row] = await db
        .insert(secrets)
        .values({ workspaceId: workspaceOf(scope), path, ciphertext, keyId, createdBy: actorLabel, updatedBy: actorLabel })
        .onConflictDoUpdate({
          target: [secrets.workspaceId, secrets.path],
          set: { ciphertext, keyId, version: sql`${secrets.version} + 1`, updatedBy: actorLabel, updatedAt: sql`now()` },
        })
        .returning({ version: secrets.version });
      return { version: row!.version };
    },
    async remove(scope, path) {
      const rows = await db.delete(secrets).where(and(scopeCondition(scope), eq(secrets.path, path))).returning({ id: secrets.id });
      return rows.length > 0;
    },
    async list(scope): Promise<EntryInfo[]> {
      return db.select(entryColumns).from(secrets).where(scopeCondition(scope)).orderBy(asc(secrets.path));
    },
    async rotate(plan, afterReseal) {
      return db.transaction(async (tx) => {
        // The meta row is the store's lock: a concurrent rotation or first write waits here.
        const [metaRow] = await tx.select().from(secretStore).where(eq(secretStore.id, META_ID)).for('update');
        const meta: StoreMeta | null = metaRow ? { keyId: metaRow.keyId, kdf: metaRow.kdf ?? null } : null;
        const rotation: RotationPlan = await plan(meta);
        const rows = await tx
          .select({ id: secrets.id, workspaceId: secrets.workspaceId, ...entryColumns, ciphertext: secrets.ciphertext })
          .from(secrets)
          .orderBy(asc(secrets.id))
          .for('update');
        // Decrypt and re-seal everything before the first write: a bad entry aborts with nothing changed.
        const resealed = rows.map((row) => {
          const scope: SecretScope = row.workspaceId ? { kind: 'workspace', workspaceId: row.workspaceId } : { kind: 'installation' };
          return { id: row.id, ciphertext: rotation.reseal(row as StoredEntry, scope) };
        });
        for (const row of resealed) {
          await tx.update(secrets).set({ ciphertext: row.ciphertext, keyId: rotation.meta.keyId }).where(eq(secrets.id, row.id));
        }
        await tx
          .insert(secretStore)
          .values({ id: META_ID, keyId: rotation.meta.keyId, kdf: rotation.meta.kdf, rotatedAt: sql`now()` })
          .onConflictDoUpdate({ target: secretStore.id, set: { keyId: rotation.meta.keyId, kdf: rotation.meta.kdf, rotatedAt: sql`now()` } });
        if (afterReseal) await afterReseal(resealed.length, tx);
        return resealed.length;
      });
    },
  };
}
