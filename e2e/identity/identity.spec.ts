/**
 * Identity as people and pipelines meet it, against the production build: the first start's
 * one-time link, sign-in through a real OIDC provider, local accounts and a trusted proxy, the
 * console and settings pages in Chromium, and the authorization matrix: every protected page and
 * every /api/v1 endpoint of the registry against anonymous callers, a non-member, each role and
 * every way a token can be wrong, with the exact status and no other workspace's data in any body.
 */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import { expect, request, test, type APIRequestContext, type APIResponse, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { apiTokens } from '@/db/schema/runtime';
import { ROLE_VERBS, ROLES } from '@/lib/access/verbs';
import type { EndpointDefinition } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/registry';
import { createUser } from '@/lib/auth/users';
import { startTestProxy, type TestProxy } from '@/lib/testing/connect-proxy';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { dpopThumbprint } from '@/lib/tokens/dpop';
import { createApiToken, revokeApiToken, TOKEN_SCOPES } from '@/lib/tokens/store';
import { addMember, createWorkspace } from '@/lib/workspaces/members';
import { startBuyerIdp, type BuyerIdp } from '../public/support/buyer-idp';
import { collectPageErrors, keepScreenshot } from '../support/screenshots';
import type { StartedServer } from '../public/support/servers';
import { seededDataDir, startIdentityRuntime, waitForOutput } from './support/runtime';
import { waitForHydration } from '../support/hydration';

const IDP_PORT = 3210;
const RUNTIME_PORT = 3212;
const PASSWORD = 'e2e password for every seeded account';
const PROXY_SECRET = 'e2e-proxy-shared-secret-0123456789';
const FORGED = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };
/** Data only workspace acme has, and data only globex has: neither may appear to the other side. */
const ACME_MARKERS = ['Acme Rockets', '@acme.test', 'acme-deploy-bot'];
const GLOBEX_MARKERS = ['Globex Corporation', '@globex.test', 'globex-ci-bot'];

type Tokens = Record<'full' | 'readOnly' | 'expired' | 'revoked' | 'otherWorkspace' | 'dpopBound', string>;

let idp: BuyerIdp;
/** The runtime's egress proxy: sign-in reaches the issuer through it, as behind a corporate proxy. */
let egress: TestProxy;
let runtime: StartedServer;
let tokens: Tokens;
const contexts: APIRequestContext[] = [];
const browserContexts: BrowserContext[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  idp = await startBuyerIdp({ port: IDP_PORT, redirectUri: `http://localhost:${RUNTIME_PORT}/api/auth/callback/oidc` });
  egress = await startTestProxy();
  const { dataDir, seeded } = await seededDataDir(async (db) => {
    // The first person, without a password, before anyone signed in: the server prints a new one-time link at start.
    const root = await createUser(db, { email: 'root@acme.test', name: 'Root Admin' }, TEST_AUDIT);
    const acme = await createWorkspace(db, { slug: 'acme', name: 'Acme Rockets' }, TEST_AUDIT, root.id);
    const globex = await createWorkspace(db, { slug: 'globex', name: 'Globex Corporation' }, TEST_AUDIT);
    const member = async (email: string, workspace: { id: string }, role: (typeof ROLES)[number], password: string | null = PASSWORD) => {
      const user = await createUser(db, { email, name: email.split('@')[0], password }, TEST_AUDIT);
      await addMember(db, workspace.id, user.id, role, TEST_AUDIT);
    };
    for (const role of ROLES) await member(`${role}@acme.test`, acme, role);
    await member('outsider@globex.test', globex, 'admin');
    await member('sso.dev@acme.test', acme, 'developer', null); // signs in with OIDC only
    await member('leaving@acme.test', acme, 'developer');
    await member('traveller@acme.test', acme, 'viewer');
    await member('late@acme.test', acme, 'viewer');

    const inAMonth = new Date(Date.now() + 30 * 86_400_000);
    const make = async (workspaceId: string, name: string, scopes: string[], dpopJkt: string | null = null) =>
      createApiToken(db, workspaceId, { name, scopes, expiresAt: inAMonth, dpopJkt }, TEST_AUDIT);
    const expired = await make(acme.id, 'acme-expired', TOKEN_SCOPES);
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(apiTokens.id, expired.record.id));
    const revoked = await make(acme.id, 'acme-revoked', TOKEN_SCOPES);
    await revokeApiToken(db, acme.id, revoked.record.id, TEST_AUDIT);
    const { publicKey } = await generateKeyPair('ES256');
    return {
      full: (await make(acme.id, 'acme-deploy-bot', TOKEN_SCOPES)).token,
      readOnly: (await make(acme.id, 'acme-reader', ['passport:read'])).token,
      expired: expired.token,
      revoked: revoked.token,
      otherWorkspace: (await make(globex.id, 'globex-ci-bot', TOKEN_SCOPES)).token,
      dpopBound: (await make(acme.id, 'acme-dpop', TOKEN_SCOPES, await dpopThumbprint(await exportJWK(publicKey)))).token,
    } satisfies Tokens;
  });
  tokens = seeded;
  runtime = await startIdentityRuntime(RUNTIME_PORT, dataDir, {
    RP_BIND: '::', // IPv4 and IPv6: the proxy test connects from both
    RP_PUBLIC_URL: `http://localhost:${RUNTIME_PORT}`,
    RP_OIDC_ISSUER: idp.issuer,
    RP_OIDC_CLIENT_ID: idp.clientId,
    RP_OIDC_CLIENT_SECRET: idp.clientSecret,
    RP_OIDC_NAME: 'Corporate SSO',
    HTTP_PROXY: egress.url,
    RP_AUTH_PROXY_ADDRESSES: '127.0.0.1',
    RP_AUTH_PROXY_SECRET: PROXY_SECRET,
    // The matrix makes hundreds of refused requests from one address on purpose.
    RP_RATE_LIMIT_AUTH_FAILURES: '100000/60s',
    RP_RATE_LIMIT_API: '100000/60s',
    RP_RATE_LIMIT_SIGN_IN: '1000/60s',
  });
});

test.afterAll(async () => {
  // Open pages keep connections the server would wait for on SIGTERM.
  for (const context of browserContexts) await context.close();
  for (const context of contexts) await context.dispose();
  // The server's log, for whoever reads a failure.
  if (runtime) fs.writeFileSync(path.join('test-results', 'identity-runtime.log'), runtime.output.join(''));
  await runtime?.stop();
  await idp?.stop();
  await egress?.close();
});

async function apiContext(baseURL = runtime.url): Promise<APIRequestContext> {
  const context = await request.newContext({ baseURL });
  contexts.push(context);
  return context;
}

async function browserContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  browserContexts.push(context);
  return context;
}

/** Signs in through next-auth's own endpoints, as a browser form would: a session cookie in the context. */
async function signedIn(email: string, password = PASSWORD): Promise<APIRequestContext> {
  const context = await apiContext();
  const { csrfToken } = (await (await context.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await context.post('/api/auth/callback/local', { form: { email, password, csrfToken, callbackUrl: `${runtime.url}/console` }, maxRedirects: 0 });
  expect(response.status(), `sign-in of ${email}`).toBe(302);
  expect(response.headers()['location']).toBe(`${runtime.url}/console`);
  return context;
}

async function signInInBrowser(browser: Browser, email: string, password = PASSWORD): Promise<Page> {
  const page = await (await browserContext(browser)).newPage();
  await page.goto(`${runtime.url}/login`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${runtime.url}/console`);
  return page;
}

function expectNoMarkers(body: string, markers: string[], what: string): void {
  for (const marker of markers) expect(body.includes(marker), `${what} shows "${marker}"`).toBe(false);
}

async function expectSeriousA11yIssuesAbsent(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), what).toEqual([]);
}

test('first start: the one-time link printed at start signs the admin in once, and they set a password', async ({ browser }, testInfo) => {
  const [link] = await waitForOutput(runtime, new RegExp(`http://localhost:${RUNTIME_PORT}/login/link#[A-Za-z0-9_-]{43}`));
  expect(runtime.output.join('')).toContain('has no password yet');
  const page = await (await browserContext(browser)).newPage();
  const errors = collectPageErrors(page);
  await page.goto(link);
  await keepScreenshot(page, testInfo, 'identity-first-start-link');
  await page.getByRole('button', { name: 'Sign in and continue' }).click();
  await page.waitForURL(/\/account\?welcome=1$/);
  await expect(page.getByText('Welcome. Set a password now')).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('New password, again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  // A first password takes them on into their workspace.
  await page.waitForURL(/\/console(\/[a-z0-9-]+)?\?passwordSet=1$/);
  await expect(page.getByText('Your password was saved')).toBeVisible();
  await keepScreenshot(page, testInfo, 'identity-account-after-first-start');
  expect(errors).toEqual([]);

  const again = await (await browserContext(browser)).newPage();
  await again.goto(link);
  await again.getByRole('button', { name: 'Sign in and continue' }).click();
  await expect(again.getByText(/This sign-in link does not work any more/)).toBeVisible();
});

test('sign-in through a real OIDC provider in Chromium links the verified email to its account', async ({ browser }, testInfo) => {
  const page = await (await browserContext(browser)).newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${runtime.url}/console`);
  await page.waitForURL(/\/login\?callbackUrl=%2Fconsole$/);
  await keepScreenshot(page, testInfo, 'identity-login');
  await expectSeriousA11yIssuesAbsent(page, 'login page');
  await page.getByRole('button', { name: 'Sign in with Corporate SSO' }).click();
  await page.locator('input[name="login"]').fill('sso.dev@acme.test');
  await page.locator('input[name="password"]').fill('anything: the test provider accepts any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${runtime.url}/console`);
  await expect(page.getByRole('link', { name: /Acme Rockets/ })).toBeVisible();
  await keepScreenshot(page, testInfo, 'identity-console-after-oidc');
  await page.goto(`${runtime.url}/account`);
  await expect(page.getByRole('cell', { name: 'Single sign-on' })).toBeVisible();
  await expect(page.getByText('Your organization manages your sign-in')).toBeVisible();
  // The server asked the issuer (discovery, code exchange, keys) through its egress proxy.
  expect(egress.tunnelled).toContain(new URL(idp.issuer).host);
  // The test provider's own pages load web fonts and a favicon it does not have: not ours.
  expect(errors.filter((error) => !/127\.0\.0\.1:3210|fonts\.googleapis\.com/.test(error))).toEqual([]);
});

test('an OIDC callback that fails the protocol checks (no state) is refused and explained, not an error page', async ({ browser }) => {
  const page = await (await browserContext(browser)).newPage();
  await page.goto(`${runtime.url}/api/auth/callback/oidc?code=forged-code&state=forged-state`);
  // Not Auth.js's "Configuration", which would blame the setup: the answer was refused.
  await page.waitForURL(/\/login\?error=OidcRefused/);
  const explanation = page.getByRole('alert').filter({ hasText: 'Your identity provider’s answer could not be checked' });
  await expect(explanation).toBeVisible();
  await expect(explanation).toContainText('Start the sign-in again');
  expect(page.url()).not.toContain('forged-code');
  // Recorded as a refused sign-in naming the failed check (audited once next-auth answered), not logged as a server error.
  await waitForOutput(runtime, /"kind":"InvalidCheck","reason":"OIDC sign-in refused: state value could not be parsed","msg":"OIDC sign-in refused"/);
  expect(runtime.output.join('')).not.toMatch(/sign-in audit event could not be written|"msg":"next-auth error"/);
});

test('an admin creates a token (shown once) and invites a person who creates an account, keyboard and screen-reader friendly', async ({ browser }, testInfo) => {
  const page = await signInInBrowser(browser, 'root@acme.test');
  const errors = collectPageErrors(page);
  await expectSeriousA11yIssuesAbsent(page, 'console');
  // The workspace switcher opens and is walked with the keyboard.
  await page.locator('summary', { hasText: 'Workspaces' }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveAttribute('href', '/console/acme');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${runtime.url}/console/acme`);
  await keepScreenshot(page, testInfo, 'identity-workspace-overview');

  await page.goto(`${runtime.url}/settings/acme/tokens`);
  await page.getByLabel('Name', { exact: true }).fill('release pipeline');
  await page.getByLabel('Only these services (optional)').fill('api');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('textbox', { name: 'Your new API token' });
  await expect(shown).toHaveValue(/^rp_[0-9A-Za-z]{46}$/);
  const token = await shown.inputValue();
  await keepScreenshot(page, testInfo, 'identity-token-shown-once');
  await expectSeriousA11yIssuesAbsent(page, 'tokens page');
  const api = await apiContext();
  const whoami = await api.get('/api/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
  expect(await whoami.json()).toMatchObject({ kind: 'token', workspace: { slug: 'acme' }, token: { name: 'release pipeline', services: ['api'] } });
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0); // never shown again
  await expect(page.getByRole('row', { name: /release pipeline/ })).toContainText(/::1|127\.0\.0\.1/); // last use and its address
  await page.getByRole('button', { name: 'Revoke release pipeline' }).click();
  await expect(page.getByRole('row', { name: /release pipeline/ })).toContainText('revoked');
  expect((await api.get('/api/v1/whoami', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  await page.goto(`${runtime.url}/settings/acme/members`);
  await page.getByLabel('Email').fill('newcomer@acme.test');
  await page.getByLabel('Role', { exact: true }).selectOption('maintainer');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const invitation = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  await keepScreenshot(page, testInfo, 'identity-members-invitation');
  await expectSeriousA11yIssuesAbsent(page, 'members page');
  expect(errors).toEqual([]);

  const newcomer = await (await browserContext(browser)).newPage();
  await newcomer.goto(invitation);
  await expect(newcomer.getByRole('heading', { name: 'Join Acme Rockets' })).toBeVisible();
  await keepScreenshot(newcomer, testInfo, 'identity-invitation');
  await newcomer.getByLabel('Your name').fill('New Comer');
  await newcomer.getByLabel('Choose a password').fill(PASSWORD);
  await newcomer.getByLabel('Password, again').fill(PASSWORD);
  await newcomer.getByRole('button', { name: 'Create account and join' }).click();
  await newcomer.waitForURL(`${runtime.url}/console/acme`);
  await expect(newcomer.getByRole('banner')).toContainText('Your role here: maintainer');
  await newcomer.goto(invitation);
  await expect(newcomer.getByRole('heading', { name: 'This invitation is no longer valid' })).toBeVisible();

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${runtime.url}/account`);
  await expectSeriousA11yIssuesAbsent(page, 'account page, dark');
  await keepScreenshot(page, testInfo, 'identity-account-dark');
});

test('a member added after signing in reaches the new workspace without signing in again', async ({ browser }) => {
  const otherDevice = await signedIn('late@acme.test'); // claims made now: acme only
  const globexAdmin = await signInInBrowser(browser, 'outsider@globex.test');
  await globexAdmin.goto(`${runtime.url}/settings/globex/members`);
  await globexAdmin.getByLabel('Email').fill('late@acme.test');
  await globexAdmin.getByRole('button', { name: 'Create invitation' }).click();
  const invitation = await globexAdmin.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  const late = await signInInBrowser(browser, 'late@acme.test');
  await late.goto(invitation);
  await late.getByRole('button', { name: /Accept and open Globex/ }).click();
  await late.waitForURL(`${runtime.url}/console/globex`);

  await new Promise((resolve) => setTimeout(resolve, 11_000)); // the other device's claims are no longer fresh
  const first = await otherDevice.get('/console/globex', { maxRedirects: 0 });
  expect(first.status()).toBe(307);
  expect(first.headers()['location']).toContain('/api/auth/refresh?callbackUrl=%2Fconsole%2Fglobex');
  const followed = await otherDevice.get('/console/globex');
  expect(followed.status()).toBe(200);
  expect(followed.url()).toBe(`${runtime.url}/console/globex`);
  expect(await followed.text()).toContain('Globex Corporation');
});

test('sign out everywhere ends every session of the person at once', async ({ browser }) => {
  const laptop = await signedIn('traveller@acme.test');
  expect((await laptop.get('/account', { maxRedirects: 0 })).status()).toBe(200);
  const phone = await signInInBrowser(browser, 'traveller@acme.test');
  await phone.goto(`${runtime.url}/account`);
  await expect(phone.getByRole('row')).toHaveCount(3); // header + two sessions
  await phone.getByRole('button', { name: 'Sign out everywhere' }).click();
  await phone.waitForURL(/\/login\?signedOut=everywhere/);
  const after = await laptop.get('/account', { maxRedirects: 0 });
  expect(after.status()).toBe(307);
  expect(after.headers()['location']).toContain('/login');
  expect((await laptop.get('/api/v1/whoami')).status()).toBe(401);
});

test('removing a member takes effect on their very next request', async ({ browser }) => {
  const leaving = await signedIn('leaving@acme.test');
  expect((await leaving.get('/console/acme')).status()).toBe(200);
  const admin = await signInInBrowser(browser, 'root@acme.test');
  await admin.goto(`${runtime.url}/settings/acme/members`);
  await admin.getByRole('button', { name: 'Remove leaving@acme.test' }).click();
  // Gone from the list once the action has answered (while pending, the button only changes its label).
  await expect(admin.getByText('leaving@acme.test')).toHaveCount(0);
  // Their cookie still names acme; the server re-checks and says there is no such workspace for them.
  const page = await leaving.get('/console/acme', { maxRedirects: 0 });
  expect(page.status()).toBe(404);
  expectNoMarkers(await page.text(), ['Acme Rockets'], 'the removed member');
  const api = await leaving.get('/api/v1/whoami', { headers: { 'rp-workspace': 'acme' } });
  expect(api.status()).toBe(404);
});

test('trusted proxy headers sign in only from the configured address with the secret; a spoofed header from elsewhere is refused', async () => {
  const proxyHeaders = { 'x-rp-proxy-secret': PROXY_SECRET, 'x-forwarded-email': 'proxied@acme.test', 'x-forwarded-preferred-username': 'Proxied Person' };
  const attempt = async (baseURL: string, extra: Record<string, string> = {}) => {
    const context = await apiContext(baseURL);
    const { csrfToken } = (await (await context.get('/api/auth/csrf')).json()) as { csrfToken: string };
    const response = await context.post('/api/auth/callback/proxy', { form: { csrfToken, callbackUrl: '/console' }, headers: { ...proxyHeaders, ...extra }, maxRedirects: 0 });
    return { context, response };
  };
  // From ::1, claiming to come from the proxy in every header a client controls.
  const spoofed = await attempt(`http://[::1]:${RUNTIME_PORT}`, { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', 'x-rp-peer-address': '127.0.0.1' });
  expect(spoofed.response.status()).toBe(302);
  expect(spoofed.response.headers()['location']).toContain('error=CredentialsSignin');
  expect((await spoofed.context.get('/api/v1/whoami')).status()).toBe(401);
  // From the proxy's address but without the shared secret.
  const noSecret = await attempt(`http://127.0.0.1:${RUNTIME_PORT}`, { 'x-rp-proxy-secret': 'not-the-secret' });
  expect(noSecret.response.headers()['location']).toContain('error=CredentialsSignin');
  // The real proxy.
  const proxied = await attempt(`http://127.0.0.1:${RUNTIME_PORT}`);
  expect(proxied.response.status()).toBe(302);
  expect(proxied.response.headers()['location']).not.toContain('error');
  expect(await (await proxied.context.get('/api/v1/whoami')).json()).toMatchObject({ kind: 'user', user: { email: 'proxied@acme.test', name: 'Proxied Person' }, workspaces: [] });
});

test.describe('the authorization matrix', () => {
  type Expect = number | 'allowed';
  interface Caller {
    name: string;
    context: APIRequestContext;
    headers: Record<string, string>;
    /** What this caller may see; the other side's markers must never appear. */
    forbiddenMarkers: string[];
    api: (endpoint: Pick<EndpointDefinition, 'auth' | 'verb'>) => Expect;
    pages: Record<string, Expect | 'login'>;
  }

  const PAGES = ['/console', '/console/acme', '/settings/acme', '/settings/acme/members', '/settings/acme/tokens', '/account'];
  const UNKNOWN_ROUTE: Pick<EndpointDefinition, 'auth' | 'verb' | 'method' | 'path' | 'rawBody' | 'body'> = { method: 'GET', path: '/api/v1/no-such-route', auth: 'token-or-session', verb: null };
  const anonymousPages = Object.fromEntries(PAGES.map((page) => [page, 'login' as const]));
  const callers: Caller[] = [];

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const anonymous = await apiContext();
    const tokenCaller = (name: string, token: string, scheme: string, api: Caller['api'], forbiddenMarkers = GLOBEX_MARKERS): Caller => ({
      name,
      context: anonymous,
      headers: { authorization: `${scheme} ${token}`, 'rp-workspace': 'acme' },
      forbiddenMarkers,
      api,
      pages: anonymousPages, // pages take no API tokens
    });
    const tokenAllowed = (scopes: readonly string[]) => (endpoint: Pick<EndpointDefinition, 'auth' | 'verb'>): Expect =>
      endpoint.auth === 'session' ? 403 : endpoint.verb === null || scopes.includes(endpoint.verb.replace('.', ':')) ? 'allowed' : 403;
    callers.push(
      { name: 'anonymous', context: anonymous, headers: { 'rp-workspace': 'acme' }, forbiddenMarkers: [...ACME_MARKERS, ...GLOBEX_MARKERS], api: () => 401, pages: anonymousPages },
      tokenCaller('token: missing scheme', tokens.full, '', () => 401),
      tokenCaller('token: malformed', 'rp_not-a-real-token', 'Bearer', () => 401, [...ACME_MARKERS, ...GLOBEX_MARKERS]),
      tokenCaller('token: unknown', `rp_${'A'.repeat(46)}`, 'Bearer', () => 401, [...ACME_MARKERS, ...GLOBEX_MARKERS]),
      tokenCaller('token: expired', tokens.expired, 'Bearer', () => 401),
      tokenCaller('token: revoked', tokens.revoked, 'Bearer', () => 401),
      tokenCaller('token: other workspace', tokens.otherWorkspace, 'Bearer', () => 403, ACME_MARKERS),
      tokenCaller('token: out of scope', tokens.readOnly, 'Bearer', tokenAllowed(['passport:read'])),
      tokenCaller('token: DPoP-bound, sent as bearer', tokens.dpopBound, 'Bearer', () => 401),
      tokenCaller('token: DPoP-bound, wrong proof', tokens.dpopBound, 'DPoP', () => 401),
      tokenCaller('token: valid, every scope', tokens.full, 'Bearer', tokenAllowed(TOKEN_SCOPES)),
    );
    callers.find((c) => c.name === 'token: DPoP-bound, wrong proof')!.headers.dpop = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImRwb3Arand0In0.e30.AAAA';
    callers.find((c) => c.name === 'token: missing scheme')!.headers.authorization = tokens.full;

    const sessionCaller = async (name: string, email: string, role: (typeof ROLES)[number] | null): Promise<Caller> => ({
      name,
      context: await signedIn(email),
      headers: { 'rp-workspace': 'acme', origin: runtime.url },
      forbiddenMarkers: role ? GLOBEX_MARKERS : ACME_MARKERS,
      api: (endpoint) => (endpoint.auth === 'token' ? 401 : role === null ? 404 : endpoint.verb === null || ROLE_VERBS[role].has(endpoint.verb) ? 'allowed' : 403),
      pages: {
        '/console': 200,
        '/console/acme': role ? 200 : 404,
        '/settings/acme': role ? 200 : 404,
        '/settings/acme/members': role ? 200 : 404,
        '/settings/acme/tokens': role === null ? 404 : ROLE_VERBS[role].has('token.manage') ? 200 : 403,
        '/account': 200,
      },
    });
    callers.push(await sessionCaller('non-member', 'outsider@globex.test', null));
    for (const role of ROLES) callers.push(await sessionCaller(role, `${role}@acme.test`, role));
  });

  function concretePath(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'workspace' ? 'acme' : 'ab'.repeat(32)));
  }

  async function call(caller: Caller, endpoint: Pick<EndpointDefinition, 'method' | 'path' | 'rawBody' | 'body'>, extra: Record<string, string> = {}): Promise<APIResponse> {
    const headers: Record<string, string> = { ...caller.headers, ...extra };
    let data: string | Buffer | undefined;
    if (endpoint.rawBody) {
      headers['content-type'] = endpoint.rawBody.mediaTypes[0]!;
      data = Buffer.from('{}');
    } else if (endpoint.method !== 'GET') {
      headers['content-type'] = 'application/json';
      data = '{}';
    }
    return caller.context.fetch(concretePath(endpoint.path), { method: endpoint.method, headers, data, maxRedirects: 0 });
  }

  async function check(caller: Caller, what: string, response: APIResponse, expected: Expect): Promise<void> {
    const body = await response.text();
    const label = `${caller.name} → ${what}`;
    if (expected === 'allowed') {
      expect([401, 403], `${label}: ${body}`).not.toContain(response.status());
      expect(response.status(), `${label}: ${body}`).toBeLessThan(500);
      if (response.status() === 404) expect(body, label).not.toMatch(/no workspace \\?"acme\\?"/);
    } else {
      expect(response.status(), `${label}: ${body}`).toBe(expected);
      if (expected === 404) expect(body, label).toMatch(/no workspace \\?"acme\\?"/);
      if (expected >= 400) expect(response.headers()['content-type'], label).toBe('application/problem+json');
    }
    expectNoMarkers(body, caller.forbiddenMarkers, label);
  }

  test('every /api/v1 endpoint of the registry, and an unknown route, answers each caller exactly', async () => {
    const protectedEndpoints = endpoints.filter((endpoint) => endpoint.auth !== 'public');
    expect(protectedEndpoints.length).toBeGreaterThan(0);
    for (const caller of callers) {
      for (const endpoint of protectedEndpoints) {
        await check(caller, `${endpoint.method} ${endpoint.path}`, await call(caller, endpoint), caller.api(endpoint));
      }
      const unknown = await call(caller, UNKNOWN_ROUTE);
      const expected = caller.api(UNKNOWN_ROUTE);
      if (expected === 'allowed') expect(unknown.status(), `${caller.name} → unknown route`).toBe(404);
      else await check(caller, 'unknown route', unknown, expected === 403 ? 403 : expected);
    }
  });

  test('every protected page answers each caller exactly', async () => {
    for (const caller of callers) {
      for (const page of PAGES) {
        const expected = caller.pages[page]!;
        // Follow the redirects a browser would (stale claims refreshed, /settings → members),
        // except the one to the login page, which is the answer for callers without a session.
        const response = await caller.context.get(page, { headers: caller.headers.authorization ? { authorization: caller.headers.authorization } : {}, maxRedirects: expected === 'login' ? 0 : 5 });
        const body = await response.text();
        const label = `${caller.name} → page ${page}`;
        if (expected === 'login') {
          expect(response.status(), label).toBe(307);
          expect(response.headers()['location'], label).toContain(`/login?callbackUrl=${encodeURIComponent(page)}`);
        } else {
          expect(response.status(), label).toBe(expected);
        }
        expectNoMarkers(body, caller.forbiddenMarkers, label);
      }
    }
  });

  test('a request carrying x-middleware-subrequest reaches nothing protected', async () => {
    const anonymous = callers.find((c) => c.name === 'anonymous')!;
    const outsider = callers.find((c) => c.name === 'non-member')!;
    const viewer = callers.find((c) => c.name === 'viewer')!;
    for (const page of PAGES) {
      const response = await anonymous.context.get(page, { headers: FORGED, maxRedirects: 0 });
      expect(response.status(), `forged anonymous → ${page}`).toBe(307);
      expect(response.headers()['location']).toContain('/login');
    }
    for (const page of ['/console/acme', '/settings/acme/members', '/settings/acme/tokens']) {
      const response = await outsider.context.get(page, { headers: FORGED });
      expect(response.status(), `forged non-member → ${page}`).toBe(404);
      expectNoMarkers(await response.text(), ACME_MARKERS, `forged non-member → ${page}`);
    }
    expect((await viewer.context.get('/settings/acme/tokens', { headers: FORGED })).status()).toBe(403);
    for (const endpoint of [...endpoints.filter((e) => e.auth !== 'public'), UNKNOWN_ROUTE]) {
      expect((await call(anonymous, endpoint, FORGED)).status(), `forged → ${endpoint.path}`).toBe(401);
      expect((await call(outsider, endpoint, FORGED)).status(), `forged non-member → ${endpoint.path}`).toBe(endpoint.auth === 'token' ? 401 : 404);
    }
  });
});
