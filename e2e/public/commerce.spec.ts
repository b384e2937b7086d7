/**
 * The buyer's journey on the public site, with real parts: a real OIDC provider for sign-in, the
 * real Stripe SDK talking to the local Stripe stand-in, webhook events signed by Stripe's own
 * code, the owner's license signer, and the runtime's offline license verification.
 * pricing → sign in → checkout → pay → signed webhooks → portal shows the license → download,
 * then billing portal → cancel → entitlement and downloads end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import { runtimeDatabase, getRuntimeDb } from '@/db/runtime';
import { withDatabase } from '@/db/testing/templates';
import { ed25519Pem } from '@/lib/license/testing';
import { testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import { verifyLicense } from '@/lib/license/verify';
import { writeReleaseFixture } from '@/lib/portal/testing';
import { waitForHydration } from '../support/hydration';
import { pageProblems } from '../support/page-checks';
import { MODES } from '../support/modes';
import { keepScreenshot, collectPageErrors } from '../support/screenshots';
import { signInAsBuyer, startBuyerIdp, type BuyerIdp } from './support/buyer-idp';
import { startTarget, type StartedServer } from './support/servers';
import { StripeStandIn } from './support/stripe-stand-in';

const STAND_IN_PORT = 3410;
const IDP_PORT = 3411;
const SITE_PORT = 3412;
const RUNTIME_PORT = 3413;
const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const WEBHOOK_SECRET = 'whsec_e2e_commerce_0123456789';
const STRIPE_KEY = 'sk_test_e2e_stand_in_key';
const BUYER = 'buyer@acme.test';
const IMAGE = 'release-passport-runtime-image-1.0.0.tar';
const TRIAL = 'release-passport-runtime-1.0.0-linux-x64.tar.gz';

const ownerKey = ed25519Pem();
const releaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-release-'));
const standIn = new StripeStandIn({ webhookSecret: WEBHOOK_SECRET, port: STAND_IN_PORT, webhookUrl: `http://localhost:${SITE_PORT}/api/webhooks/stripe` });
let idp: BuyerIdp;
let site: StartedServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  writeReleaseFixture({
    dir: releaseDir,
    version: '1.0.0',
    signingKeyPem: ed25519Pem().privatePem,
    artifacts: [
      { file: TRIAL, bytes: 'the trial installer' },
      { file: IMAGE, bytes: 'the runtime container image', title: 'Runtime container image', entitlement: 'packages' },
    ],
  });
  await standIn.start();
  idp = await startBuyerIdp({ port: IDP_PORT, redirectUri: `http://localhost:${SITE_PORT}/api/auth/callback/portal-oidc` });
  site = await startTarget('public', SITE_PORT, {
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: standIn.url,
    PORTAL_OIDC_ISSUER: idp.issuer,
    PORTAL_OIDC_CLIENT_ID: idp.clientId,
    PORTAL_OIDC_CLIENT_SECRET: idp.clientSecret,
    PORTAL_ADMIN_EMAILS: BUYER,
    RP_OWNER_LICENSE_KEY: ownerKey.privatePem,
    RP_DOWNLOAD_LINK_SECRET: 'e2e-download-link-secret-0123456789abcdef',
    RP_RELEASES_DIR: releaseDir,
  });
  process.env.RP_LICENSE_TEST_PUBLIC_KEY = ownerKey.publicPem;
});

test.afterAll(async () => {
  await site?.stop();
  await idp?.stop();
  await standIn.stop();
  fs.rmSync(releaseDir, { recursive: true, force: true });
});

const signIn = (page: Page) => signInAsBuyer(page, BUYER);

let license = '';
let entitledLink = '';

test('a buyer subscribes from the pricing page, pays, and gets a license and the packages', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await page.goto(`${site.url}/pricing`);
  await page.getByRole('link', { name: 'Subscribe to Team' }).click();
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fportal%2Fcheckout%3Fplan%3Dteam/);
  await signIn(page);

  await expect(page.getByRole('heading', { name: 'Subscribe to Team' })).toBeVisible();
  await expect(page.getByText('$400 per month')).toBeVisible();
  await keepScreenshot(page, testInfo, 'portal-checkout');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  // Stripe's hosted checkout, played by the stand-in: paying delivers the signed events.
  await expect(page.getByRole('heading', { name: 'Pay Release Passport' })).toBeVisible();
  await page.getByRole('button', { name: 'Pay' }).click();

  await expect(page).toHaveURL(/\/portal\?checkout=success/);
  await expect(page.getByText(`Signed in as ${BUYER}`)).toBeVisible();
  expect(standIn.deliveries.map((delivery) => [delivery.event.type, delivery.status])).toEqual([
    ['checkout.session.completed', 200],
    ['invoice.paid', 200],
  ]);
  await expect(page.getByText('Production entitlement (enforce on production)').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'License' })).toBeVisible();
  license = await page.getByLabel('License key').inputValue();
  await keepScreenshot(page, testInfo, 'portal-with-license');

  const verified = await verifyLicense(license);
  expect(verified).toMatchObject({ valid: true, trust: 'test-key', claims: { plan: 'team', seats: 25, licensee: { email: BUYER } } });
  if (verified.valid) expect(verified.claims.features).toContain('production-enforce');

  const file = await page.request.get(`${site.url}/portal/license`);
  expect(file.status()).toBe(200);
  expect((await file.text()).trim()).toBe(license);

  const downloadLink = page.getByRole('link', { name: 'Download Runtime container image' });
  entitledLink = (await downloadLink.getAttribute('href'))!;
  expect(entitledLink).toMatch(/signature=/);
  const download = await page.request.get(site.url + entitledLink);
  expect(download.status()).toBe(200);
  expect(await download.text()).toBe('the runtime container image');

  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(axe.violations.map((violation) => violation.id)).toEqual([]);
  // The identity provider's and Stripe's pages are not ours (the IdP's page asks for web fonts).
  expect(errors.filter((error) => !error.includes('127.0.0.1:') && !error.includes('fonts.googleapis.com'))).toEqual([]);
});

// The portal's pages (with a license to show, after the purchase above) in the three ways every
// page is looked at (issue 21): axe, nothing wider than the screen, links named alike going to one place.
for (const mode of MODES) {
  test(`the portal's pages pass axe, do not scroll sideways and name each link's place apart (${mode.name})`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme: mode.scheme, viewport: mode.viewport });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${site.url}/portal`);
    if (page.url().includes('/login')) await signIn(page);
    const failures: string[] = [];
    for (const [path, heading] of [['/portal', 'Customer portal'], ['/portal/checkout?plan=team', 'Subscribe to Team'], ['/portal/admin', 'Site administration']] as const) {
      await page.goto(site.url + path);
      await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(heading);
      await expect(page.locator('html'), path).toHaveClass(new RegExp(mode.scheme));
      failures.push(...(await pageProblems(page, path)));
    }
    expect(failures).toEqual([]);
    // The identity provider's own sign-in page asks for a web font this machine cannot reach.
    expect(errors.filter((error) => !error.includes('fonts.googleapis.com'))).toEqual([]);
    await context.close();
  });
}

test('the runtime refuses the license once altered or expired', async () => {
  const [header, payload, signature] = license.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, seats: 500 })).toString('base64url')}.${signature}`;
  expect(await verifyLicense(altered)).toMatchObject({ valid: false, reason: 'bad-signature' });
  expect(await verifyLicense(license, { now: new Date((claims.exp + 3600) * 1000) })).toMatchObject({ valid: false, reason: 'expired' });
});

test('a runtime installs the license from the portal in Settings → License', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  // The runtime on Postgres, so this test can add its administrator while the server runs.
  const database = `rp_e2e_license_${process.pid}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.unsafe(`create database "${database}"`);
  const databaseUrl = withDatabase(POSTGRES_ADMIN_URL, database);
  const authSecret = 'e2e-runtime-session-secret-0123456789abcdef';
  const runtime = await startTarget('runtime', RUNTIME_PORT, { DATABASE_URL: databaseUrl, AUTH_SECRET: authSecret, RP_LICENSE_TEST_PUBLIC_KEY: ownerKey.publicPem });
  try {
    runtimeDatabase.configure({ url: databaseUrl, maxConnections: 2 });
    process.env.AUTH_SECRET = authSecret;
    const db = await getRuntimeDb();
    const workspace = await testWorkspace(db, 'acme');
    const administrator = await testMember(db, workspace, 'admin', { email: 'admin@acme.test' });
    const { cookie } = await testSessionCookie(db, administrator, ['acme']);
    const context = await browser.newContext();
    const [name, value] = cookie.split(/=(.*)/s) as [string, string];
    await context.addCookies([{ name, value, url: runtime.url }]);
    const page = await context.newPage();

    await page.goto(`${runtime.url}/settings/acme/license`);
    await expect(page.getByRole('heading', { name: 'No license installed' })).toBeVisible();
    await waitForHydration(page);
    await page.getByLabel('License', { exact: true }).fill(license.slice(0, -4) + 'AAAA');
    await page.getByRole('button', { name: 'Verify and install' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'altered' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No license installed' })).toBeVisible();

    await page.getByLabel('License', { exact: true }).fill(license);
    await page.getByRole('button', { name: 'Verify and install' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The license is installed.' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Valid license' })).toBeVisible();
    await expect(page.getByText('Yes: policies may enforce on production environments')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Verified with a test key' })).toBeVisible();
    await keepScreenshot(page, testInfo, 'runtime-license-installed');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    expect(axe.violations.map((violation) => violation.id)).toEqual([]);

    // A member of another workspace finds no such page.
    const outsider = await testMember(db, await testWorkspace(db, 'other'), 'admin', { email: 'admin@other.test' });
    const other = await testSessionCookie(db, outsider, ['other']);
    const outsiderContext = await browser.newContext();
    const [otherName, otherValue] = other.cookie.split(/=(.*)/s) as [string, string];
    await outsiderContext.addCookies([{ name: otherName, value: otherValue, url: runtime.url }]);
    const outsiderPage = await outsiderContext.newPage();
    const response = await outsiderPage.goto(`${runtime.url}/settings/acme/license`);
    expect(response?.status()).toBe(404);
    await expect(outsiderPage.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await outsiderContext.close();
    await context.close();
  } finally {
    await runtimeDatabase.close();
    await runtime.stop();
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
    await admin.end();
  }
});

test('packages are refused without a signed link, and the trial installer is public', async ({ request }) => {
  const unsigned = await request.get(`${site.url}/download/files/${IMAGE}`);
  expect(unsigned.status()).toBe(403);
  expect(await unsigned.json()).toMatchObject({ code: 'forbidden' });
  const forged = await request.get(site.url + entitledLink.replace(/signature=[^&]+/, 'signature=AAAA'));
  expect(forged.status()).toBe(403);
  const trial = await request.get(`${site.url}/download/files/${TRIAL}`);
  expect(trial.status()).toBe(200);
});

test('site administration shows where each secret comes from, never its value', async ({ page }, testInfo) => {
  await page.goto(`${site.url}/portal/admin`);
  if (page.url().includes('/login')) await signIn(page);
  await expect(page.getByRole('heading', { name: 'Site administration' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Stripe API key/ })).toContainText('env:STRIPE_SECRET_KEY');
  await expect(page.getByRole('row', { name: /Stripe webhook signing secret/ })).toContainText('set');
  await expect(page.getByText('checkout.session.completed')).toBeVisible();
  // The tests sign with a key of their own: the page says shipped runtimes would not trust it.
  await expect(page.getByRole('region', { name: 'License signing' })).toContainText('test key');
  const html = await page.content();
  for (const secret of [STRIPE_KEY, WEBHOOK_SECRET, idp.clientSecret, 'BEGIN PRIVATE KEY']) expect(html).not.toContain(secret);
  await keepScreenshot(page, testInfo, 'portal-admin');
});

test("cancelling in Stripe's billing portal ends the entitlement and the downloads", async ({ page }, testInfo) => {
  await page.goto(`${site.url}/portal`);
  if (page.url().includes('/login')) await signIn(page);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await expect(page.getByRole('heading', { name: 'Billing' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel subscription' }).click();

  await expect(page).toHaveURL(`${site.url}/portal`);
  expect(standIn.deliveries.at(-1)).toMatchObject({ event: { type: 'customer.subscription.deleted' }, status: 200 });
  await expect(page.getByText('canceled')).toBeVisible();
  await expect(page.getByText('No active entitlement.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download Runtime container image' })).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'portal-cancelled');

  const stale = await page.request.get(site.url + entitledLink);
  expect(stale.status()).toBe(403);
});

// The portal is the public site's one part still sent with React (its header too: ThemeToggle and
// DisclosureMenu, where the pages without React have the inline site script).
test("the portal's header with React: the small-screen menu closes on Escape and outside, the theme choice holds across the site", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${site.url}/portal`);
  if (page.url().includes('/login')) await signIn(page);
  await expect(page.getByRole('heading', { name: 'Customer portal' })).toBeVisible();
  const menu = page.locator('header details');
  await menu.locator('summary').click();
  await expect(menu).toHaveAttribute('open');
  await page.keyboard.press('Escape');
  await expect(menu).not.toHaveAttribute('open');
  await expect(menu.locator('summary')).toBeFocused();
  await menu.locator('summary').click();
  await page.locator('main').click({ position: { x: 5, y: 5 } });
  await expect(menu).not.toHaveAttribute('open');

  // next-themes on the portal and the inline script elsewhere keep one choice (localStorage 'theme').
  await page.setViewportSize({ width: 1280, height: 800 });
  const toggle = page.getByRole('button', { name: /theme/ });
  await expect(toggle).toHaveAccessibleName('System theme (switch to light theme)');
  await toggle.click();
  await toggle.click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.goto(`${site.url}/pricing`);
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByRole('button', { name: /theme/ }).click();
  await page.goto(`${site.url}/portal`);
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await expect(page.getByRole('button', { name: /theme/ })).toHaveAccessibleName('System theme (switch to light theme)');
  // The identity provider's own sign-in page asks for a web font this machine cannot reach.
  expect(errors.filter((error) => !error.includes('fonts.googleapis.com'))).toEqual([]);
  await context.close();
});

test('a webhook call without a valid signature is refused', async ({ request }) => {
  const event = standIn.event('checkout.session.completed', { id: 'cs_forged', object: 'checkout.session', mode: 'subscription', payment_status: 'paid' });
  const unsigned = await request.post(`${site.url}/api/webhooks/stripe`, { data: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
  expect(unsigned.status()).toBe(400);
  const { body, signature } = standIn.sign(event, { secret: 'whsec_someone_else' });
  const forged = await request.post(`${site.url}/api/webhooks/stripe`, { data: body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
  expect(forged.status()).toBe(400);
});
