import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { secretStore, secrets } from '@/db/schema/runtime';
import { configureSecrets } from './config';
import { SecretError } from './errors';
import { deleteSecret, listStoredSecrets, resolveSecret, SecretValue, writeSecret } from './index';
import { ADMIN, createWorkspace, randomKeyBase64, temporaryDirectory, setUpSecrets } from './test-support';

const signing = { purpose: 'signing', environment: null } as const;

afterAll(() => configureSecrets());

async function roundTrip(workspace: { id: string }) {
  await writeSecret('store:signing/k1', 'private-key-material', { workspace, actor: ADMIN });
  const value = await resolveSecret('store:signing/k1', { workspace, flow: signing, actor: ADMIN });
  expect(value).toBeInstanceOf(SecretValue);
  expect(value.reveal()).toBe('private-key-material');
  expect(value.source).toBe('encrypted store');
  const [row] = await (await getRuntimeDb()).select().from(secrets).where(eq(secrets.path, 'signing/k1'));
  expect(row!.ciphertext).not.toContain('private-key-material');
  expect(Buffer.from(row!.ciphertext.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('private-key-material');
  return row!;
}

describe('the runtime encrypted store', () => {
  it('encrypts and decrypts with each of the three key sources', async () => {
    const workspace = await createWorkspace('store-sources');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    await roundTrip(workspace);

    const keyFile = path.join(temporaryDirectory(), 'store.key');
    fs.writeFileSync(keyFile, randomKeyBase64());
    await setUpSecrets({ RP_SECRETS_KEY_FILE: keyFile });
    await roundTrip(workspace);

    await setUpSecrets({ RP_SECRETS_PASSWORD: 'a password of some length' });
    await roundTrip(workspace);
    const [meta] = await (await getRuntimeDb()).select().from(secretStore);
    expect(meta!.kdf!.iterations).toBe(100_000);
    expect(meta!.kdf!.salt).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('uses the embedded default key file when no source is configured', async () => {
    const workspace = await createWorkspace('store-default');
    const dataDir = await setUpSecrets({});
    await roundTrip(workspace);
    expect(fs.existsSync(path.join(dataDir, 'runtime', 'secrets.key'))).toBe(true);
  });

  it('counts versions and deletes', async () => {
    const workspace = await createWorkspace('store-versions');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    expect((await writeSecret('store:production/token', 'one', { workspace, actor: ADMIN })).version).toBe(1);
    expect((await writeSecret('store:production/token', 'two', { workspace, actor: ADMIN })).version).toBe(2);
    const listed = await listStoredSecrets({ workspace });
    expect(listed).toMatchObject([{ reference: 'store:production/token', version: 2, updatedBy: ADMIN.label }]);
    expect(JSON.stringify(listed)).not.toMatch(/one|two/);
    expect(await deleteSecret('store:production/token', { workspace, actor: ADMIN })).toBe(true);
    expect(await deleteSecret('store:production/token', { workspace, actor: ADMIN })).toBe(false);
    await expect(resolveSecret('store:production/token', { workspace, flow: { purpose: 'connector', environment: 'production' }, actor: ADMIN })).rejects.toMatchObject({
      code: 'not-set',
    });
  });

  it('keeps installation-level and workspace entries apart, and workspaces apart', async () => {
    const [a, b] = [await createWorkspace('store-a'), await createWorkspace('store-b')];
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    await writeSecret('store:shared/token', 'for-a', { workspace: a, actor: ADMIN });
    await writeSecret('store:shared/token', 'for-installation', { workspace: null, actor: ADMIN });
    const flow = { purpose: 'connector', environment: null } as const;
    expect((await resolveSecret('store:shared/token', { workspace: a, flow, actor: ADMIN })).reveal()).toBe('for-a');
    await expect(resolveSecret('store:shared/token', { workspace: b, flow, actor: ADMIN })).rejects.toMatchObject({ code: 'not-set' });
    const system = { purpose: 'system', environment: null } as const;
    expect((await resolveSecret('store:shared/token', { workspace: null, flow: system, actor: ADMIN })).reveal()).toBe('for-installation');
  });

  it('refuses tampered ciphertext, and ciphertext moved to another path or workspace', async () => {
    const [a, b] = [await createWorkspace('tamper-a'), await createWorkspace('tamper-b')];
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    const row = await roundTrip(a);
    const db = await getRuntimeDb();
    const flow = signing;

    // One bit of the encrypted body flipped.
    const parts = row.ciphertext.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    await db.update(secrets).set({ ciphertext: parts.join('.') }).where(eq(secrets.id, row.id));
    const tampered = await resolveSecret('store:signing/k1', { workspace: a, flow, actor: ADMIN }).catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(SecretError);
    expect(tampered).toMatchObject({ code: 'tampered', reference: 'store:signing/k1' });

    // The intact envelope copied under another path of the same workspace, and into another workspace.
    await db.update(secrets).set({ ciphertext: row.ciphertext }).where(eq(secrets.id, row.id));
    await db.insert(secrets).values({ workspaceId: a.id, path: 'signing/k2', ciphertext: row.ciphertext, keyId: row.keyId });
    await db.insert(secrets).values({ workspaceId: b.id, path: 'signing/k1', ciphertext: row.ciphertext, keyId: row.keyId });
    await expect(resolveSecret('store:signing/k2', { workspace: a, flow, actor: ADMIN })).rejects.toMatchObject({ code: 'tampered' });
    await expect(resolveSecret('store:signing/k1', { workspace: b, flow, actor: ADMIN })).rejects.toMatchObject({ code: 'tampered' });
    // The original still reads.
    expect((await resolveSecret('store:signing/k1', { workspace: a, flow, actor: ADMIN })).reveal()).toBe('private-key-material');
  });

  it('says which key the store expects when another key is configured', async () => {
    const workspace = await createWorkspace('mismatch');
    const original = randomKeyBase64();
    await setUpSecrets({ RP_SECRETS_KEY: original });
    await writeSecret('store:signing/k1', 'v', { workspace, actor: ADMIN });
    const other = randomKeyBase64();
    configureSecrets({ target: 'runtime', env: { RP_SECRETS_KEY: other, RP_DATA_DIR: temporaryDirectory() } });
    const error = await resolveSecret('store:signing/k1', { workspace, flow: signing, actor: ADMIN }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'key-mismatch' });
    expect((error as Error).message).toMatch(/encrypted under key [0-9a-f]{16}, but the configured key \(base64 key in RP_SECRETS_KEY\) is [0-9a-f]{16}/);
    expect((error as Error).message).not.toContain(other);
    // A write under the wrong key is refused too: the store never ends up with two keys.
    await expect(writeSecret('store:signing/k2', 'v', { workspace, actor: ADMIN })).rejects.toMatchObject({ code: 'key-mismatch' });
    const count = await (await getRuntimeDb()).$count(secrets, and(eq(secrets.workspaceId, workspace.id)));
    expect(count).toBe(1);
  });

  it('writes only store: references, with values of sane size', async () => {
    const workspace = await createWorkspace('write-rules');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    await expect(writeSecret('env:HOME', 'x', { workspace, actor: ADMIN })).rejects.toMatchObject({ code: 'unsupported' });
    await expect(writeSecret('store:../etc', 'x', { workspace, actor: ADMIN })).rejects.toMatchObject({ code: 'invalid-reference' });
    await expect(writeSecret('store:a/b', '', { workspace, actor: ADMIN })).rejects.toMatchObject({ code: 'not-set' });
    await expect(writeSecret('store:a/b', 'x'.repeat(65 * 1024), { workspace, actor: ADMIN })).rejects.toMatchObject({ code: 'unsupported' });
  });
});
