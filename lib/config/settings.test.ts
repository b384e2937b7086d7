import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFlag, parseSettings, settings, SettingsError, SETTING_NAMES } from './settings';

describe('the settings', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('have a working default for everything: an empty environment starts', () => {
    const { settings: parsed, problems } = parseSettings({});
    expect(problems).toEqual([]);
    expect(parsed.bind).toBe('127.0.0.1');
    expect(parsed.port).toBeNull();
    expect(parsed.workers).toBe(1);
    expect(parsed.database).toMatchObject({ url: null, engine: 'external', poolSize: 10, preparedStatements: true, statementMs: 10_000, lockMs: 5_000, connectSeconds: 2 });
    expect(parsed.worker).toEqual({ embedded: true, leaseSeconds: 30, retentionIntervalSeconds: 3600, freshnessIntervalSeconds: 300 });
    expect(parsed.signIn).toMatchObject({ localAccounts: true, oidc: null, proxy: null });
    expect(parsed.bootstrap).toEqual({ adminEmail: 'admin@localhost', workspaceSlug: 'default', workspaceName: 'Default workspace' });
    expect(parsed.dataDir).toMatch(/\.data$/);
    expect(parsed.storage.blobDir).toBe(`${parsed.dataDir}/blobs`);
  });

  it('name every setting that cannot work at once, with its value and what it should be', () => {
    const { problems } = parseSettings({
      RP_WORKERS: 'many',
      DATABASE_STATEMENT_TIMEOUT: '-1',
      RP_EMBEDDED_WORKER: 'sometimes',
      RP_TRUSTED_PROXIES: '10.0.0.0/8, proxy.local',
      RP_BOOTSTRAP_WORKSPACE: 'Not A Slug',
      DATABASE_URL: 'mysql://db/rp',
    });
    expect(problems).toEqual([
      'RP_WORKERS must be a whole number of processes from 1 to 256, or "auto" (one per core), got "many".',
      'DATABASE_URL must be a PostgreSQL URL: postgres://user:password@host:5432/database, got "mysql://db/rp".',
      'DATABASE_STATEMENT_TIMEOUT must be a number of seconds, 0.001 or more, got "-1".',
      'RP_TRUSTED_PROXIES has "proxy.local" is not an IP address or CIDR range, got "10.0.0.0/8, proxy.local".',
      'RP_EMBEDDED_WORKER must be on or off (also true/false, 1/0, yes/no), got "sometimes".',
      expect.stringMatching(/^RP_BOOTSTRAP_WORKSPACE .*, got "Not A Slug"\.$/),
    ]);
  });

  it('refuse a server reachable beyond this machine without its public address', () => {
    expect(parseSettings({ RP_BIND: '0.0.0.0' }).problems).toEqual([expect.stringMatching(/^RP_BIND is 0\.0\.0\.0, beyond this machine, but RP_PUBLIC_URL is not set/)]);
    expect(parseSettings({ RP_BIND: '0.0.0.0', RP_PUBLIC_URL: 'passport.example.com' }).problems).toEqual([
      'RP_PUBLIC_URL must be an http(s) address such as https://passport.example.com, got "passport.example.com".',
    ]);
    expect(parseSettings({ RP_BIND: '::', RP_PUBLIC_URL: 'https://passport.example.com' }).problems).toEqual([]);
    expect(parseSettings({ RP_BIND: '127.0.0.2' }).problems).toEqual([]);
  });

  it('refuse half of a pair: single sign-on needs the issuer and the client id', () => {
    expect(parseSettings({ RP_OIDC_CLIENT_ID: 'rp' }).problems).toEqual(['RP_OIDC_ISSUER must be set too: single sign-on needs both RP_OIDC_ISSUER and RP_OIDC_CLIENT_ID.']);
    expect(parseSettings({ RP_STORAGE_DRIVER: 's3' }).problems).toEqual(['RP_S3_BUCKET must be set when RP_STORAGE_DRIVER is s3.']);
    expect(parseSettings({ RP_STORAGE_DRIVER: 'gcs' }).problems).toEqual(['RP_STORAGE_DRIVER must be one of filesystem, s3, got "gcs".']);
    // with another wrong setting: both named
    expect(parseSettings({ RP_OIDC_ISSUER: 'https://idp.example.com', RP_WORKERS: '0' }).problems).toEqual([
      'RP_WORKERS must be a whole number of processes from 1 to 256, or "auto" (one per core), got "0".',
      'RP_OIDC_CLIENT_ID must be set too: single sign-on needs both RP_OIDC_ISSUER and RP_OIDC_CLIENT_ID.',
    ]);
  });

  it('read on/off flags one way, whatever the spelling, and empty values as unset', () => {
    for (const on of ['on', 'ON', 'true', '1', 'yes']) expect(parseFlag(on)).toBe(true);
    for (const off of ['off', 'False', '0', 'no']) expect(parseFlag(off)).toBe(false);
    expect(parseFlag('maybe')).toBeNull();
    expect(parseSettings({ RP_LOCAL_ACCOUNTS: 'false', DATABASE_PREPARED_STATEMENTS: 'off', RP_EMBEDDED_WORKER: 'no' }).settings).toMatchObject({
      signIn: { localAccounts: false },
      database: { preparedStatements: false },
      worker: { embedded: false },
    });
    expect(parseSettings({ PORT: '', RP_WORKERS: '' }).settings).toMatchObject({ port: null, workers: 1 });
  });

  it('are read from process.env again when a variable changes, and throw naming the bad one', () => {
    vi.stubEnv('DATABASE_POOL_SIZE', '7');
    expect(settings().database.poolSize).toBe(7);
    vi.stubEnv('DATABASE_POOL_SIZE', '3');
    expect(settings().database.poolSize).toBe(3);
    vi.stubEnv('DATABASE_POOL_SIZE', 'lots');
    expect(() => settings()).toThrow(SettingsError);
    expect(() => settings()).toThrow('DATABASE_POOL_SIZE must be a whole number of connections, from 1 to 1000, got "lots".');
  });

  it('are listed for operators: every variable the schema reads is in the settings page of the docs', async () => {
    const fs = await import('node:fs');
    const doc = fs.readFileSync('content/docs/operations/settings.md', 'utf8');
    const missing = SETTING_NAMES.filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
