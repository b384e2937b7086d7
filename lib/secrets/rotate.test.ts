import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents, secretStore, secrets } from '@/db/schema/runtime';
import { configureSecrets } from './config';
import { resolveSecret, rotateStoreKey, writeSecret, type WorkspaceRef } from './index';
import { keyFingerprint, readKeyFile, writeNewKeyFile } from './keys';
import { ADMIN, createWorkspace, randomKeyBase64, setUpSecrets } from './test-support';

afterAll(() => configureSecrets());

const system = { purpose: 'system', environment: null } as const;
const signing = { purpose: 'signing', environment: null } as const;

/** Installation entries plus entries in two workspaces: what a rotation must carry over. */
async function seed(): Promise<{ workspaces: WorkspaceRef[]; expected: Array<[WorkspaceRef | null, string, string]> }> {
  const workspaces = [await createWorkspace(`rot-${Math.random().toString(36).slice(2, 8)}`), await createWorkspace(`rot-${Math.random().toString(36).slice(2, 8)}`)];
  const expected: Array<[WorkspaceRef | null, string, string]> = [];
  for (const [workspace, prefix] of [[null, 'oidc'], [workspaces[0]!, 'signing'], [workspaces[1]!, 'signing']] as const) {
    for (let i = 0; i < 5; i++) {
      const reference = `store:${prefix}/entry-${i}`;
      const value = `value-${workspace?.id ?? 'installation'}-${i}`;
      await writeSecret(reference, value, { workspace, actor: ADMIN });
      expected.push([workspace, reference, value]);
    }
  }
  return { workspaces, expected };
}

async function expectAllReadable(expected: Array<[WorkspaceRef | null, string, string]>) {
  for (const [workspace, reference, value] of expected) {
    const read = await resolveSecret(reference, { workspace, flow: workspace ? signing : system, actor: ADMIN });
    expect(read.reveal()).toBe(value);
  }
}

describe('rotating the store key', () => {
  it('re-encrypts every entry under the new key without losing any, and audits it', async () => {
    const oldKey = randomKeyBase64();
    const dataDir = await setUpSecrets({ RP_SECRETS_KEY: oldKey });
    const { expected } = await seed();
    const newKeyFile = path.join(dataDir, 'new.key');
    const result = await rotateStoreKey({ newKey: { type: 'key-file', path: newKeyFile, isDefault: false }, generate: true, actor: ADMIN });
    expect(result).toMatchObject({ rotated: 15, reconfigure: true, keyId: keyFingerprint(readKeyFile(newKeyFile)) });

    // The old key no longer reads the store; the new one reads every entry.
    await expect(resolveSecret('store:oidc/entry-0', { flow: system, actor: ADMIN })).rejects.toMatchObject({ code: 'key-mismatch' });
    configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, RP_SECRETS_KEY_FILE: newKeyFile } });
    await expectAllReadable(expected);
    const db = await getRuntimeDb();
    const keyIds = await db.selectDistinct({ keyId: secrets.keyId }).from(secrets);
    expect(keyIds).toEqual([{ keyId: result.keyId }]);
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'secret.key.rotate'));
    expect(event).toMatchObject({ chain: 'installation', actorLabel: ADMIN.label, details: { rotated: 15, keyId: result.keyId } });
  });

  it('rotates from a key to a password and back to a key', async () => {
    const dataDir = await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    const { expected } = await seed();
    const env = { RP_DATA_DIR: dataDir, NEW_PASSWORD: 'the new store password' };
    configureSecrets({ target: 'runtime', env: { ...env, RP_SECRETS_KEY: (await currentEnvKey()) } });
    await rotateStoreKey({ newKey: { type: 'password', variable: 'NEW_PASSWORD' }, actor: ADMIN });
    const [meta] = await (await getRuntimeDb()).select().from(secretStore);
    expect(meta!.kdf).toMatchObject({ algorithm: 'pbkdf2-sha256', iterations: 100_000 });

    configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, RP_SECRETS_PASSWORD: 'the new store password', NEXT_KEY: randomKeyBase64() } });
    await expectAllReadable(expected);
    await rotateStoreKey({ newKey: { type: 'base64', variable: 'NEXT_KEY' }, actor: ADMIN });
    const nextKey = (await import('./config')).secretsConfig().env.NEXT_KEY!;
    configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, RP_SECRETS_KEY: nextKey } });
    await expectAllReadable(expected);
  });

  it('leaves every entry readable with the old key when the database fails midway', async () => {
    const oldKey = randomKeyBase64();
    const dataDir = await setUpSecrets({ RP_SECRETS_KEY: oldKey });
    const { workspaces, expected } = await seed();
    const db = await getRuntimeDb();
    const [before] = await db.select().from(secretStore);
    const rotationsBefore = await db.$count(auditEvents, eq(auditEvents.action, 'secret.key.rotate'));
    // A real failure inside the rotation's transaction: the database refuses the update of one
    // row after others were already rewritten.
    await db.execute(sql`create or replace function rp_test_fail_rotation() returns trigger language plpgsql as $$
      begin
        if new.path = 'signing/entry-3' and new.workspace_id = ${sql.raw(`'${workspaces[1]!.id}'`)}::uuid then
          raise exception 'disk full (simulated)';
        end if;
        return new;
      end $$`);
    await db.execute(sql`create trigger rp_test_fail_rotation before update on secrets for each row execute function rp_test_fail_rotation()`);
    const newKeyFile = path.join(dataDir, 'new.key');
    await expect(
      rotateStoreKey({ newKey: { type: 'key-file', path: newKeyFile, isDefault: false }, generate: true, actor: ADMIN }),
    ).rejects.toThrow(/disk full/);
    await db.execute(sql`drop trigger rp_test_fail_rotation on secrets`);

    expect(fs.existsSync(newKeyFile)).toBe(false); // nothing is encrypted under it: it is removed
    const [after] = await db.select().from(secretStore);
    expect(after!.keyId).toBe(before!.keyId);
    await expectAllReadable(expected);
    expect(await db.$count(auditEvents, eq(auditEvents.action, 'secret.key.rotate'))).toBe(rotationsBefore);
  });

  it('refuses to rotate when an entry cannot be decrypted, changing nothing', async () => {
    const dataDir = await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    const { workspaces, expected } = await seed();
    const db = await getRuntimeDb();
    const [victim] = await db.select().from(secrets).where(eq(secrets.workspaceId, workspaces[0]!.id)).limit(1);
    await db.update(secrets).set({ ciphertext: victim!.ciphertext.slice(0, -4) + 'AAAA' }).where(eq(secrets.id, victim!.id));
    const snapshot = await db.select().from(secrets).orderBy(secrets.id);
    await expect(
      rotateStoreKey({ newKey: { type: 'key-file', path: path.join(dataDir, 'k2'), isDefault: false }, generate: true, actor: ADMIN }),
    ).rejects.toMatchObject({ code: 'tampered', reference: `store:${victim!.path}` });
    expect(await db.select().from(secrets).orderBy(secrets.id)).toEqual(snapshot);
    await expectAllReadable(expected.filter(([workspace, reference]) => !(workspace?.id === workspaces[0]!.id && reference === `store:${victim!.path}`)));
  });

  it('replaces the embedded default key file in place, finishing an interrupted rename on next use', async () => {
    const dataDir = await setUpSecrets({});
    const { expected } = await seed();
    const keyFile = path.join(dataDir, 'runtime', 'secrets.key');
    const first = keyFingerprint(readKeyFile(keyFile));
    const result = await rotateStoreKey({ newKey: { type: 'key-file', path: keyFile, isDefault: true }, generate: true, actor: ADMIN });
    expect(result.reconfigure).toBe(false);
    expect(keyFingerprint(readKeyFile(keyFile))).toBe(result.keyId);
    expect(keyFingerprint(readKeyFile(`${keyFile}.previous`))).toBe(first);
    await expectAllReadable(expected);

    // Simulate a crash after the commit and before the rename: the store names the .next key.
    const db = await getRuntimeDb();
    const nextFingerprint = writeNewKeyFile(`${keyFile}.next`);
    await rotateStoreKeyCommittedOnly(`${keyFile}.next`);
    expect((await db.select().from(secretStore))[0]!.keyId).toBe(nextFingerprint);
    await expectAllReadable(expected); // the first read finishes the rename
    expect(keyFingerprint(readKeyFile(keyFile))).toBe(nextFingerprint);
    expect(fs.existsSync(`${keyFile}.next`)).toBe(false);
  });

  it('rotates the public target\'s encrypted file atomically', async () => {
    const oldKey = randomKeyBase64();
    const dataDir = await setUpSecrets({ RP_SECRETS_KEY: oldKey }, 'public');
    const file = path.join(dataDir, 'public', 'secrets.enc');
    for (const name of ['stripe/secret-key', 'stripe/webhook-secret', 'license/signing-key']) {
      await writeSecret(`store:${name}`, `public-${name}`, { actor: ADMIN });
    }
    const before = fs.readFileSync(file, 'utf8');
    expect(before).not.toContain('public-stripe');

    // The write of the new file fails (its temporary path is taken by a directory): nothing changes.
    fs.mkdirSync(`${file}.tmp-${process.pid}`);
    const newKeyFile = path.join(dataDir, 'next.key');
    await expect(
      rotateStoreKey({ newKey: { type: 'key-file', path: newKeyFile, isDefault: false }, generate: true, actor: ADMIN }),
    ).rejects.toThrow(/previous file is unchanged/);
    fs.rmdirSync(`${file}.tmp-${process.pid}`);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect((await resolveSecret('store:stripe/secret-key', { flow: system, actor: ADMIN })).reveal()).toBe('public-stripe/secret-key');

    const result = await rotateStoreKey({ newKey: { type: 'key-file', path: newKeyFile, isDefault: false }, generate: true, actor: ADMIN });
    expect(result.rotated).toBe(3);
    configureSecrets({ target: 'public', env: { RP_DATA_DIR: dataDir, RP_SECRETS_KEY_FILE: newKeyFile } });
    for (const name of ['stripe/secret-key', 'stripe/webhook-secret', 'license/signing-key']) {
      const flow = name.startsWith('license') ? signing : system;
      expect((await resolveSecret(`store:${name}`, { flow, actor: ADMIN })).reveal()).toBe(`public-${name}`);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

async function currentEnvKey(): Promise<string> {
  return (await import('./config')).secretsConfig().env.RP_SECRETS_KEY!;
}

/**
 * Re-seals the store under `keyFile` and commits, without renaming the key file: the state a
 * crash between the two steps leaves.
 */
async function rotateStoreKeyCommittedOnly(keyFile: string): Promise<void> {
  const { secretsConfig } = await import('./config');
  const config = secretsConfig();
  configureSecrets({ target: 'runtime', env: { ...config.env } });
  const { storeBackend } = await import('./store');
  const { loadStoreKey } = await import('./keys');
  const { open, seal } = await import('./cipher');
  const backend = await storeBackend();
  await backend.rotate(async (meta) => {
    const oldKey = await loadStoreKey(config.keySource, meta?.kdf ?? null, config.env);
    const newKey = await loadStoreKey({ type: 'key-file', path: keyFile, isDefault: false }, null, config.env);
    return {
      meta: { keyId: newKey.id, kdf: null },
      reseal: (entry, scope) => seal(newKey, scope, entry.path, open(oldKey, scope, entry.path, entry.ciphertext, entry.path)),
    };
  });
}
