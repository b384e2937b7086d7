/**
 * Secrets, connectors and retention as an administrator uses them, in the runtime's production
 * build on Postgres: store a credential, configure and test a scoped connector with it, set the
 * retention policy and hold a passport, while a viewer sees status only and a non-member nothing.
 * Throughout, two canary secrets (a stored connector token, an installation OIDC secret in the
 * server's environment) must appear in no page, no API answer and no server log line.
 */
import crypto from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { getRuntimeDb, runtimeDatabase } from '@/db/runtime';
import { environments } from '@/db/schema/runtime';
import { withDatabase } from '@/db/testing/templates';
import { makeFixture } from '@/lib/connectors/testing/fixture';
import { startStandIn, type StandIn } from '@/lib/connectors/testing/standin';
import { evaluateGateRequest } from '@/lib/gate/service';
import { configureSecrets } from '@/lib/secrets';
import { testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import { findWorkspaceBySlug } from '@/lib/workspaces/store';
import { startTarget, type StartedServer } from '../public/support/servers';
import { collectPageErrors, keepScreenshot } from '../support/screenshots';

const PORT = 3510;
const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CANARY = `rp-canary-token-${crypto.randomBytes(8).toString('hex')}`;
const INSTALLATION_CANARY = `rp-canary-oidc-${crypto.randomBytes(8).toString('hex')}`;
const STORE_KEY = crypto.randomBytes(32).toString('base64');
const AUTH_SECRET = 'e2e-secrets-session-secret-0123456789abcdef';
const database = `rp_e2e_secrets_${process.pid}`;

let admin: ReturnType<typeof postgres>;
let runtime: StartedServer;
let standIn: StandIn;
const cookies: Record<'admin' | 'viewer' | 'outsider', string> = { admin: '', viewer: '', outsider: '' };
/** Every page and API answer the tests saw: searched for the canaries at the end. */
const seen: string[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.unsafe(`create database "${database}"`);
  const databaseUrl = withDatabase(POSTGRES_ADMIN_URL, database);
  standIn = await startStandIn(makeFixture(CANARY));
  // The connector stand-in listens on this machine: allowed by the operator's setting, as a real internal server would be.
  runtime = await startTarget('runtime', PORT, { DATABASE_URL: databaseUrl, AUTH_SECRET, RP_SECRETS_KEY: STORE_KEY, RP_OIDC_CLIENT_SECRET: INSTALLATION_CANARY, RP_CONNECTOR_ALLOWED_ADDRESSES: '127.0.0.1/32' });
  runtimeDatabase.configure({ url: databaseUrl, maxConnections: 2 });
  configureSecrets({ target: 'runtime', env: { RP_SECRETS_KEY: STORE_KEY, RP_DATA_DIR: '/nonexistent' } });
  process.env.AUTH_SECRET = AUTH_SECRET;
  const db = await getRuntimeDb();
  const acme = await testWorkspace(db, 'acme');
  await db.insert(environments).values({ workspaceId: acme.id, slug: 'production', name: 'Production', production: true });
  cookies.admin = (await testSessionCookie(db, await testMember(db, acme, 'admin', { email: 'admin@acme.test' }), ['acme'])).cookie;
  cookies.viewer = (await testSessionCookie(db, await testMember(db, acme, 'viewer', { email: 'viewer@acme.test' }), ['acme'])).cookie;
  const other = await testWorkspace(db, 'other');
  cookies.outsider = (await testSessionCookie(db, await testMember(db, other, 'admin', { email: 'admin@other.test' }), ['other'])).cookie;
});

test.afterAll(async () => {
  configureSecrets();
  await runtimeDatabase.close();
  await runtime?.stop();
  await standIn?.close();
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.end();
});

async function as(browser: Browser, who: keyof typeof cookies): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const [name, value] = cookies[who].split(/=(.*)/s) as [string, string];
  await context.addCookies([{ name, value, url: runtime.url }]);
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
}

async function record(page: Page) {
  seen.push(await page.content());
}

async function accessible(page: Page) {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('an admin stores a credential: the page says it is set, never what it is', async ({ browser }, testInfo) => {
  const { context, page, errors } = await as(browser, 'admin');
  await page.goto(`${runtime.url}/settings/acme/secrets`);
  await expect(page.getByRole('heading', { name: 'Secrets', level: 1 })).toBeVisible();
  await page.getByLabel('Reference').fill('store:production/prometheus-token');
  await page.getByLabel('Value').fill(CANARY);
  await page.getByRole('button', { name: 'Store secret' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'store:production/prometheus-token is stored (version 1)' })).toBeVisible();
  const row = page.getByRole('row', { name: /store:production\/prometheus-token/ });
  await expect(row).toContainText('set');
  await expect(row).toContainText('encrypted store');
  // Installation secrets: the OIDC client secret is set, from the environment.
  await expect(page.getByRole('row', { name: /OIDC client secret/ })).toContainText('env:RP_OIDC_CLIENT_SECRET');
  await expect(page.getByRole('row', { name: /OIDC client secret/ })).toContainText('set');
  await expect(page.getByRole('row', { name: /environment-isolation/ })).toBeVisible();
  await record(page);
  await keepScreenshot(page, testInfo, 'settings-secrets');
  await accessible(page);
  expect(errors).toEqual([]);
  await context.close();
});

test('an admin configures a scoped Prometheus connector and tests it with that credential', async ({ browser }, testInfo) => {
  const { context, page, errors } = await as(browser, 'admin');
  await page.goto(`${runtime.url}/settings/acme/connectors`);
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add connector' }) });
  await form.getByLabel('Name').fill('prom');
  await form.getByLabel('Type').selectOption('prometheus');
  await form.getByLabel('Serves').selectOption('production');
  await form.getByLabel('Credential (secret reference)').fill('store:production/prometheus-token');
  await form.getByLabel('Base URL').fill(standIn.url);
  await form.getByLabel('Scope (YAML)').fill('queries:\n  - id: error-rate\n    query: up{job="secret-internal"}');
  await form.getByRole('button', { name: 'Add connector' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connector "prom" is configured' })).toBeVisible();

  const before = standIn.requests.length;
  await page.getByRole('button', { name: 'Test now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Read error-rate: all good.' })).toBeVisible();
  await page.reload();
  await expect(page.getByText('ok', { exact: true })).toBeVisible();
  await expect(page.getByText(/error-rate · .* · sha256:[0-9a-f]{16}…/)).toBeVisible();
  // The stored value was the credential, and only the configured query was asked.
  const sent = standIn.requests.slice(before);
  expect(sent.length).toBeGreaterThan(0);
  for (const request of sent) {
    expect(request.authorization).toBe(`Bearer ${CANARY}`);
    expect([request.path, request.query]).toEqual(['/api/v1/query', [['query', 'up{job="secret-internal"}']]]);
  }
  await record(page);
  await keepScreenshot(page, testInfo, 'settings-connectors');
  await accessible(page);

  // A connector may not use the installation's own secrets as its credential.
  await form.getByLabel('Name').fill('sneaky');
  await form.getByLabel('Type').selectOption('prometheus');
  await form.getByLabel('Credential (secret reference)').fill('env:RP_OIDC_CLIENT_SECRET');
  await form.getByLabel('Base URL').fill(standIn.url);
  await form.getByLabel('Scope (YAML)').fill('queries:\n  - id: x\n    query: up');
  await form.getByRole('button', { name: 'Add connector' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'cannot read env:RP_OIDC_CLIENT_SECRET' })).toBeVisible();
  await record(page);
  expect(errors).toEqual([]);
  await context.close();
});

test('an admin sets the retention policy and holds a passport', async ({ browser }, testInfo) => {
  const db = await getRuntimeDb();
  const outcome = await evaluateGateRequest(
    db,
    (await findWorkspaceBySlug(db, 'acme'))!,
    { service: 'api', environment: 'staging', sourceSha: 'c'.repeat(40), imageDigest: `sha256:${'ab'.repeat(32)}`, evidence: [], artifacts: [] },
    { actorLabel: 'e2e' },
  );
  const { context, page, errors } = await as(browser, 'admin');
  await page.goto(`${runtime.url}/settings/acme/retention`);
  await page.getByLabel('Passports (days)').fill('365');
  await page.getByLabel('Evidence (days)').fill('90');
  await page.getByLabel('Audit events (days)').fill('7');
  await page.getByRole('button', { name: 'Save policy' }).click();
  // The browser refuses it before it is sent (the server would too: at least 30 days).
  expect(await page.getByLabel('Audit events (days)').evaluate((input: HTMLInputElement) => input.validity.rangeUnderflow)).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'saved' })).toHaveCount(0);
  await page.getByLabel('Audit events (days)').fill('400');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The retention policy is saved' })).toBeVisible();

  await page.getByLabel('Passport id').fill(outcome.passport.id);
  await page.getByLabel('Reason').fill('case LEGAL-7');
  await page.getByRole('button', { name: 'Hold passport' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is under legal hold' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('row', { name: /case LEGAL-7/ })).toBeVisible();
  await page.getByRole('button', { name: 'Apply the policy now' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Removed 0 passport/ })).toBeVisible();
  await record(page);
  await keepScreenshot(page, testInfo, 'settings-retention');
  await accessible(page);
  expect(errors).toEqual([]);
  await context.close();
});

test('a viewer sees status only, and a non-member finds no such pages', async ({ browser }) => {
  const { context, page } = await as(browser, 'viewer');
  await page.goto(`${runtime.url}/settings/acme/secrets`);
  await expect(page.getByRole('row', { name: /store:production\/prometheus-token/ })).toContainText('set');
  await expect(page.getByRole('button', { name: 'Store secret' })).toHaveCount(0);
  await expect(page.getByText('Installation secrets')).toHaveCount(0);
  await record(page);
  await page.goto(`${runtime.url}/settings/acme/connectors`);
  await expect(page.getByText('prom', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Test now' })).toHaveCount(0);
  await record(page);
  await page.goto(`${runtime.url}/settings/acme/retention`);
  await expect(page.getByText('365 days')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save policy' })).toHaveCount(0);
  await record(page);
  await context.close();
  const outsider = await as(browser, 'outsider');
  for (const section of ['secrets', 'connectors', 'retention']) {
    const response = await outsider.page.goto(`${runtime.url}/settings/acme/${section}`);
    expect(response?.status(), section).toBe(404);
    await expect(outsider.page.getByText('prometheus-token')).toHaveCount(0);
  }
  await outsider.context.close();
});

test('the canaries appear in no page, API answer or server log line', async () => {
  for (const path of ['/api/v1/secrets', '/api/v1/connectors', '/api/v1/retention']) {
    const response = await fetch(`${runtime.url}${path}`, { headers: { cookie: cookies.admin, 'rp-workspace': 'acme' } });
    expect(response.status, path).toBe(200);
    seen.push(await response.text());
  }
  // The worker polled the connector meanwhile (its own credential read, audited) without a trace of it.
  const everything = [...seen, runtime.output.join('')].join('\n');
  expect(everything).toContain('store:production/prometheus-token');
  for (const canary of [CANARY, INSTALLATION_CANARY]) {
    for (const form of [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('hex')]) {
      expect(everything.includes(form), `a canary (${canary.slice(0, 16)}…) leaked`).toBe(false);
    }
  }
  const db = await getRuntimeDb();
  const rows = JSON.stringify(await db.execute(sql`select * from audit_events`));
  expect(rows).toContain('secret.read');
  expect(rows.includes(CANARY) || rows.includes(INSTALLATION_CANARY)).toBe(false);
});
