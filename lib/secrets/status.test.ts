/**
 * The installation secrets' status, as `rp secrets list` and the settings page show it: the session
 * key the launcher makes on one machine reads as set, from its file, not as a missing variable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configureSecrets } from './config';
import { installationSecretsStatus } from './status';
import { temporaryDirectory } from './test-support';

afterAll(() => configureSecrets());

async function sessionKeyStatus(env: Record<string, string>) {
  configureSecrets({ target: 'runtime', env });
  return (await installationSecretsStatus()).find((status) => status.name === 'auth.secret')!;
}

describe('the session key status', () => {
  it('is set from the variable when it is given', async () => {
    const status = await sessionKeyStatus({ RP_DATA_DIR: temporaryDirectory(), AUTH_SECRET: 'x'.repeat(43) });
    expect(status).toMatchObject({ set: true, source: 'environment' });
    expect(status.problem).toBeUndefined();
  });

  it('is set from the launcher\u2019s key file when the variable is not, and names the file', async () => {
    const dataDir = temporaryDirectory();
    const file = path.join(dataDir, 'runtime', 'auth-secret');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'y'.repeat(43));
    const status = await sessionKeyStatus({ RP_DATA_DIR: dataDir });
    expect(status).toMatchObject({ set: true, source: 'file' });
    expect(status.detail).toContain(file);
    expect(status.problem).toBeUndefined();
  });

  it('is a problem when neither is there, naming both', async () => {
    const dataDir = temporaryDirectory();
    const status = await sessionKeyStatus({ RP_DATA_DIR: dataDir });
    expect(status.set).toBe(false);
    expect(status.problem).toContain('not set');
    expect(status.problem).toContain(path.join(dataDir, 'runtime', 'auth-secret'));
  });
});
