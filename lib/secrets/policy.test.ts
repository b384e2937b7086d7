import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { verifyAuditChain } from '@/lib/audit/verify';
import { configureSecrets } from './config';
import { checkSecretAccess, resolveSecret, writeSecret } from './index';
import { globMatches, loadSecretPolicy } from './policy';
import { ADMIN, createWorkspace, randomKeyBase64, temporaryDirectory, setUpSecrets } from './test-support';

afterAll(() => configureSecrets());

describe('the secrets path policy', () => {
  it('does not let a development flow read a production secret, even for an admin, and audits the denial', async () => {
    const workspace = await createWorkspace('policy-admin');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64() });
    await writeSecret('store:production/db-password', 'prod-value', { workspace, actor: ADMIN });
    await writeSecret('store:development/db-password', 'dev-value', { workspace, actor: ADMIN });

    const development = { purpose: 'connector', environment: 'development' } as const;
    const denied = await resolveSecret('store:production/db-password', { workspace, flow: development, actor: ADMIN, requestId: 'req-1' }).catch(
      (e: unknown) => e,
    );
    expect(denied).toMatchObject({ code: 'denied', reference: 'store:production/db-password' });
    expect((denied as Error).message).toContain('connector flow for environment "development"');
    expect((denied as Error).message).not.toContain('prod-value');

    // Its own environment's secret it reads; the production flow reads production's.
    expect((await resolveSecret('store:development/db-password', { workspace, flow: development, actor: ADMIN })).reveal()).toBe('dev-value');
    const production = { purpose: 'connector', environment: 'production' } as const;
    expect((await resolveSecret('store:production/db-password', { workspace, flow: production, actor: ADMIN })).reveal()).toBe('prod-value');

    const db = await getRuntimeDb();
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, workspace.id), eq(auditEvents.resourceId, 'store:production/db-password')))
      .orderBy(auditEvents.seq);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['secret.write', 'allow'],
      ['secret.read', 'deny'],
      ['secret.read', 'allow'],
    ]);
    expect(events[1]).toMatchObject({ actorType: 'user', actorLabel: ADMIN.label, requestId: 'req-1' });
    expect(events[1]!.details).toMatchObject({ flow: development, rule: null });
    expect(JSON.stringify(events)).not.toContain('prod-value');
    // The events are links of the workspace's hash chain.
    expect(await verifyAuditChain(db, workspace.id)).toMatchObject({ ok: true, broken: null });
  });

  it('keeps connector flows away from signing keys and workspace flows away from the host environment', async () => {
    const workspace = await createWorkspace('policy-defaults');
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), HOST_SECRET: 'host-value' });
    const connector = { workspace, flow: { purpose: 'connector', environment: 'production' } } as const;
    expect(checkSecretAccess('store:signing/k1', connector).allowed).toBe(false);
    expect(checkSecretAccess('store:shared/pagerduty', connector).allowed).toBe(true);
    // env: and file: from a workspace would let a tenant's connector send host secrets to its own URL.
    expect(checkSecretAccess('env:HOST_SECRET', connector)).toMatchObject({ allowed: false, ruleId: null });
    expect(checkSecretAccess('file:/etc/shadow', connector).allowed).toBe(false);
    const denied = await resolveSecret('env:HOST_SECRET', { ...connector, actor: ADMIN }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'denied' });
    // The installation's own services read them.
    expect(checkSecretAccess('env:HOST_SECRET', { workspace: null, flow: { purpose: 'system', environment: null } }).allowed).toBe(true);
    // A flow bound to no environment reads no environment's secrets.
    expect(checkSecretAccess('store:production/x', { workspace, flow: { purpose: 'gate', environment: null } }).allowed).toBe(false);
  });

  it('reads operator rules from RP_SECRETS_POLICY_FILE, where a deny wins', async () => {
    const workspace = await createWorkspace('policy-file');
    const file = path.join(temporaryDirectory(), 'policy.yaml');
    fs.writeFileSync(
      file,
      [
        'rules:',
        '  - id: acme-connector-env',
        '    scope: workspace',
        '    workspaces: [policy-file]',
        '    paths: ["env:RP_CONNECTOR_*"]',
        '    purposes: [connector]',
        '  - id: freeze-staging',
        '    effect: deny',
        '    scope: workspace',
        '    paths: ["store:staging/**"]',
      ].join('\n'),
    );
    await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_SECRETS_POLICY_FILE: file });
    const ws = { id: workspace.id, slug: workspace.slug };
    const connector = { purpose: 'connector', environment: 'staging' } as const;
    expect(checkSecretAccess('env:RP_CONNECTOR_PROM', { workspace: ws, flow: connector })).toMatchObject({ allowed: true, ruleId: 'acme-connector-env' });
    expect(checkSecretAccess('env:DATABASE_URL', { workspace: ws, flow: connector }).allowed).toBe(false);
    expect(checkSecretAccess('env:RP_CONNECTOR_PROM', { workspace: { id: 'another' }, flow: connector }).allowed).toBe(false);
    expect(checkSecretAccess('store:staging/token', { workspace: ws, flow: connector })).toMatchObject({ allowed: false, ruleId: 'freeze-staging' });
  });

  it('rejects a malformed policy file with the place of the mistake', () => {
    const file = path.join(temporaryDirectory(), 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ rules: [{ id: 'x', scope: 'workspace', paths: ['ldap:foo'] }] }));
    expect(() => loadSecretPolicy(file)).toThrow(/policy.json is not valid at rules.0.paths.0/);
    fs.writeFileSync(file, JSON.stringify({ rules: [{ id: 'workspace-shared', scope: 'workspace', paths: ['store:x'] }] }));
    expect(() => loadSecretPolicy(file)).toThrow(/two rules with id "workspace-shared"/);
  });

  it('matches globs segment by segment', () => {
    expect(globMatches('production/**', 'production/a/b')).toBe(true);
    expect(globMatches('production/**', 'productionx/a')).toBe(false);
    expect(globMatches('production/*', 'production/a/b')).toBe(false);
    expect(globMatches('a/**/z', 'a/z')).toBe(true);
    expect(globMatches('a/**/z', 'a/b/c/z')).toBe(true);
    expect(globMatches('RP_CONNECTOR_*', 'RP_CONNECTOR_X')).toBe(true);
    expect(globMatches('/run/secrets/*', '/run/secrets/a.b')).toBe(true);
    expect(globMatches('a.b', 'aXb')).toBe(false);
  });
});

describe('installation secret references', () => {
  it('come from <NAME>_REF, else the variable, else <NAME>_FILE, as far as their reader goes', async () => {
    const { installationSecretDefinition, installationSecretReference, registerInstallationSecrets } = await import('./registry');
    registerInstallationSecrets([{ name: 'test.apiKey', label: 'Test key', variable: 'RP_TEST_API_KEY', targets: ['runtime'], purpose: 'system', required: false, description: 'x' }]);
    const full = installationSecretDefinition('test.apiKey');
    expect(installationSecretReference(full, {})).toBe('env:RP_TEST_API_KEY');
    expect(installationSecretReference(full, { RP_TEST_API_KEY_FILE: '/run/secrets/key' })).toBe('file:/run/secrets/key');
    expect(installationSecretReference(full, { RP_TEST_API_KEY: 'x', RP_TEST_API_KEY_FILE: '/f' })).toBe('env:RP_TEST_API_KEY');
    expect(installationSecretReference(full, { RP_TEST_API_KEY: 'x', RP_TEST_API_KEY_REF: 'store:test/key' })).toBe('store:test/key');
    // Sign-in reads the OIDC secret from the variable or its _FILE, not from references.
    const oidc = installationSecretDefinition('oidc.clientSecret');
    expect(installationSecretReference(oidc, { RP_OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc', RP_OIDC_CLIENT_SECRET_REF: 'store:x' })).toBe('file:/run/secrets/oidc');
    // The session key is read by the Edge middleware from the variable only.
    expect(installationSecretReference(installationSecretDefinition('auth.secret'), { AUTH_SECRET_FILE: '/f' })).toBe('env:AUTH_SECRET');
  });
});
