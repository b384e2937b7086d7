/**
 * vault: references against a local stand-in of Vault's KV version 2 HTTP API (its paths, headers
 * and answer shapes), which records every request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';
import { configureSecrets } from './config';
import { checkSecretAccess, resolveSecret, secretReferenceStatus } from './index';
import { ADMIN, createWorkspace, randomKeyBase64, setUpSecrets, temporaryDirectory } from './test-support';

const TOKEN = 'hvs.vault-test-token-4c1d';
const VALUE = 'prometheus-token-from-vault-77a1';
const requests: Array<{ path: string; token: string | undefined; namespace: string | undefined }> = [];
let server: TestHttpServer;
let addr = '';

const secrets: Record<string, { data: Record<string, unknown> | null; version: number; deleted?: boolean }> = {
  'kv/production/prometheus': { data: { token: VALUE, port: 9090 }, version: 3 },
  'kv/production/retired': { data: null, version: 2, deleted: true },
};

beforeAll(async () => {
  server = await startTestHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://vault');
    requests.push({ path: url.pathname, token: req.headers['x-vault-token'] as string | undefined, namespace: req.headers['x-vault-namespace'] as string | undefined });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-vault-token'] !== TOKEN) return send(403, { errors: ['permission denied'] });
    const match = url.pathname.match(/^\/v1\/([^/]+)\/(data|metadata)\/(.+)$/);
    const secret = match ? secrets[`${match[1]}/${decodeURIComponent(match[3]!)}`] : undefined;
    if (!match || !secret) return send(404, { errors: [] });
    const versions = { [String(secret.version)]: { created_time: '2026-01-01T00:00:00Z', deletion_time: secret.deleted ? '2026-02-01T00:00:00Z' : '', destroyed: false } };
    if (match[2] === 'metadata') return send(200, { data: { current_version: secret.version, updated_time: '2026-01-01T00:00:00Z', versions } });
    send(200, { data: { data: secret.data, metadata: { version: secret.version, deletion_time: secret.deleted ? '2026-02-01T00:00:00Z' : '' } } });
  });
  addr = server.url;
});

afterAll(async () => {
  configureSecrets();
  await server.close();
});

const system = { purpose: 'system', environment: null } as const;

describe('vault: references', () => {
  it('read one field of a KV v2 secret, with the token and namespace, audited like any read', async () => {
    const tokenFile = path.join(temporaryDirectory(), 'vault-token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`);
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN_FILE: tokenFile, RP_VAULT_NAMESPACE: 'team-a' });
    const value = await resolveSecret('vault:kv/production/prometheus#token', { flow: system, actor: ADMIN });
    expect(value.reveal()).toBe(VALUE);
    expect(value.source).toBe('vault');
    expect((await resolveSecret('vault:kv/production/prometheus#port', { flow: system, actor: ADMIN })).reveal()).toBe('9090');
    expect(requests.at(-1)).toEqual({ path: '/v1/kv/data/production/prometheus', token: TOKEN, namespace: 'team-a' });
    expect(inspect(value)).toBe('[secret vault:kv/production/prometheus#token]');
  });

  it('say whether it is set from the metadata alone', async () => {
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN: TOKEN });
    const before = requests.length;
    expect(await secretReferenceStatus('vault:kv/production/prometheus#token')).toMatchObject({ set: true, source: 'vault', version: 3 });
    expect(await secretReferenceStatus('vault:kv/production/retired#token')).toMatchObject({ set: false, problem: 'the latest version is deleted' });
    expect(await secretReferenceStatus('vault:kv/production/nothing#token')).toMatchObject({ set: false, problem: 'Vault has no secret at this path' });
    expect(requests.slice(before).every((request) => request.path.startsWith('/v1/kv/metadata/'))).toBe(true);
  });

  it('fail with the reference and the reason, never the token or a value', async () => {
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN: 'hvs.wrong-token' });
    const refused = await resolveSecret('vault:kv/production/prometheus#token', { flow: system, actor: ADMIN }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'unreadable', message: "Vault refused to read vault:kv/production/prometheus#token (403): check the token's policy." });
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN: TOKEN });
    await expect(resolveSecret('vault:kv/production/prometheus#missing', { flow: system, actor: ADMIN })).rejects.toMatchObject({ code: 'not-set' });
    await expect(resolveSecret('vault:kv/production/retired#token', { flow: system, actor: ADMIN })).rejects.toThrow(/deleted/);
    for (const error of [refused]) expect(JSON.stringify([inspect(error), (error as Error).message])).not.toMatch(/hvs\.|prometheus-token-from-vault/);
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    await expect(resolveSecret('vault:kv/production/prometheus#token', { flow: system, actor: ADMIN })).rejects.toThrow(/needs RP_VAULT_ADDR/);
  });

  it('are denied to workspace flows unless the operator allows them', async () => {
    const workspace = await createWorkspace('vault-policy');
    const file = path.join(temporaryDirectory(), 'policy.yaml');
    fs.writeFileSync(file, 'rules:\n  - id: vault-production\n    scope: workspace\n    paths: ["vault:kv/{environment}/**"]\n    purposes: [connector]\n');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN: TOKEN });
    const production = { purpose: 'connector', environment: 'production' } as const;
    expect(checkSecretAccess('vault:kv/production/prometheus#token', { workspace, flow: production }).allowed).toBe(false);
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_VAULT_ADDR: addr, RP_VAULT_TOKEN: TOKEN, RP_SECRETS_POLICY_FILE: file });
    expect(checkSecretAccess('vault:kv/production/prometheus#token', { workspace, flow: production })).toMatchObject({ allowed: true, ruleId: 'vault-production' });
    expect(checkSecretAccess('vault:kv/production/prometheus#token', { workspace, flow: { purpose: 'connector', environment: 'staging' } }).allowed).toBe(false);
    expect((await resolveSecret('vault:kv/production/prometheus#token', { workspace, flow: production, actor: ADMIN })).reveal()).toBe(VALUE);
  });
});
