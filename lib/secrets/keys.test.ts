import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretError } from './errors';
import { PBKDF2_ITERATIONS, keySourceFromEnvironment, loadStoreKey, writeNewKeyFile, keyFingerprint } from './keys';
import { temporaryDirectory } from './test-support';

const defaultFile = '/nonexistent/default/secrets.key';

describe('store key sources', () => {
  it('reads a base64 key from RP_SECRETS_KEY', async () => {
    const raw = crypto.randomBytes(32);
    const env = { RP_SECRETS_KEY: raw.toString('base64') };
    const key = await loadStoreKey(keySourceFromEnvironment(env, defaultFile), null, env);
    expect(key.key.equals(raw)).toBe(true);
    expect(key.kdf).toBeNull();
    expect(key.id).toBe(keyFingerprint(raw));
  });

  it('reads a key file holding base64 text or 32 raw bytes', async () => {
    const dir = temporaryDirectory();
    const raw = crypto.randomBytes(32);
    fs.writeFileSync(path.join(dir, 'b64.key'), raw.toString('base64') + '\n');
    fs.writeFileSync(path.join(dir, 'raw.key'), raw);
    for (const file of ['b64.key', 'raw.key']) {
      const env = { RP_SECRETS_KEY_FILE: path.join(dir, file) };
      const key = await loadStoreKey(keySourceFromEnvironment(env, defaultFile), null, env);
      expect(key.key.equals(raw)).toBe(true);
    }
  });

  it('derives the key from a password with PBKDF2-SHA-256, 100,000 iterations and the recorded salt', async () => {
    const env = { RP_SECRETS_PASSWORD: 'correct horse battery staple' };
    const source = keySourceFromEnvironment(env, defaultFile);
    const fresh = await loadStoreKey(source, null, env);
    expect(fresh.kdf).toMatchObject({ algorithm: 'pbkdf2-sha256', iterations: 100_000 });
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    const expected = crypto.pbkdf2Sync(env.RP_SECRETS_PASSWORD, Buffer.from(fresh.kdf!.salt, 'base64'), 100_000, 32, 'sha256');
    expect(fresh.key.equals(expected)).toBe(true);
    // The same password with the recorded salt gives the same key; a new salt another one.
    expect((await loadStoreKey(source, fresh.kdf, env)).id).toBe(fresh.id);
    expect((await loadStoreKey(source, null, env)).id).not.toBe(fresh.id);
  });

  it('reads the password from a file too', async () => {
    const dir = temporaryDirectory();
    fs.writeFileSync(path.join(dir, 'password'), 'a long enough password\n');
    const env = { RP_SECRETS_PASSWORD_FILE: path.join(dir, 'password') };
    const key = await loadStoreKey(keySourceFromEnvironment(env, defaultFile), null, env);
    const expected = crypto.pbkdf2Sync('a long enough password', Buffer.from(key.kdf!.salt, 'base64'), 100_000, 32, 'sha256');
    expect(key.key.equals(expected)).toBe(true);
  });

  it('falls back to the default key file, created only when asked', async () => {
    const dir = temporaryDirectory();
    const file = path.join(dir, 'runtime', 'secrets.key');
    const source = keySourceFromEnvironment({}, file);
    expect(source).toEqual({ type: 'key-file', path: file, isDefault: true });
    await expect(loadStoreKey(source, null, {})).rejects.toThrow(SecretError);
    const key = await loadStoreKey(source, null, {}, { createDefaultFile: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadStoreKey(source, null, {})).id).toBe(key.id);
  });

  it('refuses two sources at once, short keys and short passwords, without echoing them', async () => {
    expect(() => keySourceFromEnvironment({ RP_SECRETS_KEY: 'x', RP_SECRETS_PASSWORD: 'y' }, defaultFile)).toThrow(
      /only one secrets key source; found RP_SECRETS_KEY and RP_SECRETS_PASSWORD/,
    );
    const shortKey = crypto.randomBytes(16).toString('base64');
    const error = await loadStoreKey({ type: 'base64', variable: 'RP_SECRETS_KEY' }, null, { RP_SECRETS_KEY: shortKey }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).code).toBe('key-source');
    expect((error as Error).message).not.toContain(shortKey);
    const weak = await loadStoreKey({ type: 'password', variable: 'P' }, null, { P: 'hunter2' }).catch((e: unknown) => e);
    expect((weak as Error).message).toMatch(/at least 12 characters/);
    expect((weak as Error).message).not.toContain('hunter2');
  });

  it('never overwrites an existing key file', () => {
    const file = path.join(temporaryDirectory(), 'k');
    writeNewKeyFile(file);
    const before = fs.readFileSync(file);
    expect(() => writeNewKeyFile(file)).toThrow(/already exists/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});
