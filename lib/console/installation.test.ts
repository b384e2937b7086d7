import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { configureSecrets } from '@/lib/secrets';
import { freePort } from '@/e2e/support/ports';
import { startTestHttpServer } from '@/lib/testing/http-server';
import { urlWithoutCredentials } from '@/lib/text/credentials';
import { installationStatus, installationSummary } from './installation';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-installation-'));
const base = { RP_DATA_DIR: dataDir };

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: base });
  await getRuntimeDb();
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const byId = async (env: Record<string, string>) => Object.fromEntries((await installationStatus(env)).map((check) => [check.id, check]));

describe('installation status', () => {
  it('reports the embedded defaults as working but not for production, each with what to do', async () => {
    const checks = await byId(base);
    expect(checks.database).toMatchObject({ state: 'ok' }); // the tests' database is not one the launcher runs
    expect(checks.database!.facts).toContainEqual(['Migrations', expect.stringMatching(/^(\d+) of \1 applied$/)]);
    expect(checks.storage).toMatchObject({ state: 'attention', todo: expect.stringContaining('RP_STORAGE_DRIVER=s3') });
    expect(checks.ratelimit).toMatchObject({ state: 'attention', todo: expect.stringContaining('REDIS_URL') });
    expect(checks.oidc).toMatchObject({ state: 'attention', todo: expect.stringContaining('RP_OIDC_ISSUER') });
    expect(checks.url).toMatchObject({ state: 'attention', todo: expect.stringContaining('RP_PUBLIC_URL') });
    for (const check of Object.values(checks)) if (check.state !== 'ok') expect(check.todo, check.id).toBeTruthy();
    // The first line a trial reads: fine for now, and the list to change before production.
    const summary = installationSummary(Object.values(checks));
    expect(summary).toMatchObject({ tone: 'warning', title: expect.stringMatching(/^Fine for a trial.*Before production/) });
    expect(summary.toChange.map((check) => check.id).sort()).toEqual(Object.values(checks).filter((check) => check.state === 'attention').map((check) => check.id).sort());
    expect(installationSummary([{ ...checks.database!, state: 'error' }, checks.storage!])).toMatchObject({ tone: 'error', title: 'One component does not work: fix it first.' });
    expect(installationSummary([{ ...checks.storage!, state: 'ok' }])).toMatchObject({ tone: 'success', toChange: [] });
  });

  it('probes Redis live, and never shows a password', async () => {
    const unreachable = await byId({ ...base, REDIS_URL: 'redis://ratelimit:S3cretRedisPass@127.0.0.1:1/0' });
    expect(unreachable.ratelimit).toMatchObject({ state: 'error', todo: expect.stringContaining('REDIS_URL') });
    expect(JSON.stringify(unreachable)).not.toContain('S3cretRedisPass');
    if (process.env.TEST_REDIS_URL) {
      const reachable = await byId({ ...base, REDIS_URL: process.env.TEST_REDIS_URL });
      expect(reachable.ratelimit).toMatchObject({ state: 'ok', summary: expect.stringContaining('Redis answers') });
    }
  });

  it('reports OIDC as set up, or what is missing, without the client secret', async () => {
    const oidc = { ...base, RP_OIDC_ISSUER: 'https://idp.example.com', RP_OIDC_CLIENT_ID: 'release-passport' };
    configureSecrets({ target: 'runtime', env: oidc });
    const missing = await byId(oidc);
    expect(missing.oidc).toMatchObject({ state: 'error', todo: expect.stringContaining('RP_OIDC_CLIENT_SECRET') });
    const withSecret = { ...oidc, RP_OIDC_CLIENT_SECRET: 'oidc-client-secret-value-123' };
    configureSecrets({ target: 'runtime', env: withSecret });
    try {
      const configured = await byId(withSecret);
      expect(configured.oidc).toMatchObject({ state: 'ok' });
      expect(configured.oidc!.facts).toContainEqual(['Client secret', 'set (environment variable RP_OIDC_CLIENT_SECRET)']);
      expect(JSON.stringify(configured)).not.toContain('oidc-client-secret-value-123');
    } finally {
      configureSecrets({ target: 'runtime', env: base });
    }
  });

  it('says when storage does not work', async () => {
    // Nothing listens on port 1: the bucket cannot be reached.
    const broken = await byId({ ...base, RP_STORAGE_DRIVER: 's3', RP_S3_BUCKET: 'evidence', RP_S3_ENDPOINT: 'http://127.0.0.1:1' });
    expect(broken.storage).toMatchObject({ state: 'error', summary: expect.stringContaining('Storage (s3) does not work') });
  });

  it('shows URLs without their credentials', () => {
    expect(urlWithoutCredentials('postgres://app:pw@db.internal:5432/rp')).toBe('postgres://db.internal:5432/rp');
    expect(urlWithoutCredentials('not a url')).toBe('(not a valid URL)');
  });

  it('shows outbound requests as direct, or through the egress proxy when it accepts connections, and broken when it cannot be reached', async () => {
    const direct = await byId({ ...base, RP_CONNECTOR_ALLOWED_ADDRESSES: '10.40.0.0/16,192.168.1.7' });
    expect(direct.outbound).toMatchObject({ state: 'ok', summary: 'Direct: no egress proxy is set.' });
    expect(direct.outbound!.facts).toContainEqual(['Connectors and notifications reach', 'public addresses, and 10.40.0.0/16, 192.168.1.7']);

    const proxy = await startTestHttpServer((_request, response) => response.end());
    try {
      const through = await byId({ ...base, HTTPS_PROXY: `http://ci:secret@127.0.0.1:${proxy.port}`, NO_PROXY: '.svc,vault.internal' });
      expect(through.outbound).toMatchObject({ state: 'ok', todo: null });
      expect(through.outbound!.facts).toContainEqual(['Proxy for https destinations', expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${proxy.port}: accepts connections \\(\\d+ ms\\)$`))]);
      expect(through.outbound!.facts).toContainEqual(['Reached directly (NO_PROXY)', '.svc,vault.internal']);
      expect(through.outbound!.facts).toContainEqual(['Proxy for http destinations', 'none: reached directly (HTTP_PROXY is not set)']);
      expect(JSON.stringify(through.outbound)).not.toContain('secret');
      const both = await byId({ ...base, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`, http_proxy: `127.0.0.1:${proxy.port}` });
      expect(both.outbound!.facts).toContainEqual(['Egress proxy', expect.stringContaining('accepts connections')]);
    } finally {
      await proxy.close();
    }

    const closed = await freePort();
    const down = await byId({ ...base, HTTP_PROXY: `127.0.0.1:${closed}` });
    expect(down.outbound).toMatchObject({ state: 'error', todo: expect.stringContaining('HTTPS_PROXY') });
    expect(down.outbound!.facts).toContainEqual(['Egress proxy', `http://127.0.0.1:${closed}: cannot be reached (ECONNREFUSED)`]);
    expect(installationSummary(Object.values(down))).toMatchObject({ tone: 'error' });
  });
});
