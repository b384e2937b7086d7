/**
 * The public site as visitors and their tools see it: every page renders without console errors
 * (CSP violations included), passes axe's WCAG 2.1 AA checks in light and dark, and the OpenAPI
 * document and its readable page are served.
 */
import { expect, test } from '@playwright/test';
import { collectPageErrors, keepScreenshot } from '../support/screenshots';
import { PUBLIC_URL } from '../support/servers';
import { landingSample } from '@/lib/site/landing-sample';
import { pageProblems, sidewaysScroll, wrappedText } from '../support/page-checks';
import { MODES } from '../support/modes';

const PAGES = [
  ['/', 'Every release, with a signed passport.'],
  ['/pricing', 'Pay when the gate guards production'],
  ['/docs', 'Release Passport documentation'],
  ['/docs/install', 'Install'],
  ['/docs/quick-start', 'Quick start'],
  ['/docs/cli', 'The rp CLI'],
  ['/docs/gate-api', 'Gate API'],
  ['/docs/policies', 'Policies and modes'],
  ['/docs/connectors', 'Connectors'],
  ['/docs/licensing', 'Licenses'],
  ['/docs/security', 'Security guide'],
  ['/docs/operations/backup', 'Backup and restore'],
  ['/docs/operations/upgrade', 'Upgrade'],
  ['/docs/operations/key-rotation', 'Key rotation'],
  ['/docs/operations/retention', 'Retention'],
  ['/docs/operations/performance', 'Performance and sizing'],
  ['/docs/api', 'API reference'],
  ['/docs/api/services-and-environments', 'Services and environments'],
  ['/docs/errors', 'API errors'],
  ['/changelog', 'Changelog'],
  ['/status', /operational|affected/],
  ['/download', 'Install Release Passport'],
  ['/security', 'Public website, protected runtime, no plaintext secrets.'],
  ['/trust', 'A signed release passport without owner code in your runtime.'],
  ['/login', 'Sign in'],
] as const;

// Each mode: axe, nothing wider than the screen, and links named alike going to one place.
for (const mode of MODES) {
  test(`every public page renders, passes axe and does not scroll sideways (${mode.name})`, async ({ browser }, testInfo) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ colorScheme: mode.scheme, viewport: mode.viewport });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    // Dark mode on the pages with their own styles (the docs pages share one layout and stylesheet).
    const pages = mode.name !== 'dark' ? PAGES : PAGES.filter(([path]) => !path.startsWith('/docs/') || ['/docs/install', '/docs/api'].includes(path));
    const failures: string[] = [];
    for (const [path, heading] of pages) {
      const response = await page.goto(PUBLIC_URL + path);
      expect(response?.status(), path).toBe(200);
      await expect(page.getByRole('heading', { level: 1 }).first(), path).toHaveText(heading);
      await expect(page.locator('html'), path).toHaveClass(new RegExp(mode.scheme));
      failures.push(...(await pageProblems(page, path)));
    }
    expect(failures).toEqual([]);
    await page.goto(PUBLIC_URL + '/pricing');
    await keepScreenshot(page, testInfo, `public-pricing-${mode.name}`);
    expect(errors).toEqual([]);
    await context.close();
  });
}

// Between the phone and the desktop layout (a tablet upright, a window beside another): at 768 px the
// header's links pushed "Sign in" past the right edge of every page. No axe here: the modes above run it.
test('from 768 to 1920 px no public page scrolls sideways, Sign in stays in view and the header keeps each name on one line', async ({ browser }) => {
  test.setTimeout(180_000);
  for (const width of [768, 1024, 1280, 1920]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const failures: string[] = [];
    for (const path of [...PAGES.map(([path]) => path), '/portal']) {
      const response = await page.goto(PUBLIC_URL + path);
      expect(response?.status(), path).toBe(200);
      failures.push(...(await sidewaysScroll(page, `${path} at ${width} px`)), ...(await wrappedText(page, `${path} at ${width} px`, 'header:not(main header)')));
      const signIn = await page.locator('header').getByRole('link', { name: 'Sign in', exact: true }).boundingBox();
      if (!signIn || signIn.x + signIn.width > width) failures.push(`${path} at ${width} px: "Sign in" is not within the window`);
    }
    expect(failures).toEqual([]);
    await context.close();
  }
});

// The pages built without React (pages/, docs/architecture.md): the HTML carries one script, the
// site's own inline one, and no script file of Next's.
const WITHOUT_REACT = ['/', '/pricing', '/docs', '/docs/install', '/docs/api', '/docs/api/gate', '/docs/api/no-such-part', '/docs/no-such-page', '/changelog', '/download', '/security', '/trust', '/status', '/login', '/login?runtime=releases.acme.example&error=portal-unavailable'];

test('the pages sent without React carry only the inline site script', async ({ request }) => {
  for (const path of WITHOUT_REACT) {
    const html = await (await request.get(PUBLIC_URL + path)).text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts, path).toHaveLength(1);
    expect(scripts[0], path).toMatch(/^<script nonce="[^"]+">$/);
    expect(html.match(/\/_next\/static\/[^"]+\.js/g) ?? [], path).toEqual([]);
  }
});

test("the small-screen menu closes on Escape and on a click outside (the portal's header, with React: commerce.spec.ts)", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  for (const path of ['/', '/login']) {
    await page.goto(PUBLIC_URL + path);
    const menu = page.locator('header details');
    await menu.locator('summary').click();
    await expect(menu, path).toHaveAttribute('open');
    await page.keyboard.press('Escape');
    await expect(menu, path).not.toHaveAttribute('open');
    await expect(menu.locator('summary'), path).toBeFocused();
    await menu.locator('summary').click();
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await expect(menu, path).not.toHaveAttribute('open');
    await menu.locator('summary').click();
    await menu.getByRole('link', { name: 'Pricing' }).click();
    await expect(page).toHaveURL(/\/pricing$/);
    await expect(page.locator('header details'), path).not.toHaveAttribute('open');
  }
  expect(errors).toEqual([]);
  await context.close();
});

test('the security page lists every control of the security table, each linked to its enforcement', async ({ page }) => {
  await page.goto(PUBLIC_URL + '/security');
  const controls = ['Public route split', 'Commercial portal', 'Protected customer runtime', 'Token-gated mutation', 'Secret-backed config', 'Webhook signature', 'Sanitized reports', 'Scoped connectors', 'Owner separation'];
  for (const control of controls) {
    const link = page.getByRole('link', { name: `Enforcement of ${control}` });
    await expect(link).toBeVisible();
    const href = (await link.getAttribute('href'))!;
    const anchor = href.split('#')[1]!;
    const doc = await page.request.get(PUBLIC_URL + href.split('#')[0]);
    expect(await doc.text(), control).toContain(`id="${anchor}"`);
  }
});

test("the landing page's sample CI step is what rp gate prints", async ({ page }) => {
  await page.goto(PUBLIC_URL + '/');
  expect(await page.getByLabel('Example CI step').innerText()).toBe(landingSample());
});

test('the theme switch switches, names its state, and the choice holds across pages (and the portal: commerce.spec.ts)', async ({ page }) => {
  await page.goto(PUBLIC_URL + '/');
  const toggle = page.getByRole('button', { name: /theme/ });
  await expect(toggle).toHaveAccessibleName('System theme (switch to light theme)');
  await toggle.click();
  await expect(page.locator('html')).toHaveClass(/light/);
  await expect(toggle).toHaveAccessibleName('Light theme (switch to dark theme)');
  await toggle.click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect(toggle).toHaveText('Dark', { useInnerText: true });
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.goto(PUBLIC_URL + '/login');
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByRole('button', { name: /theme/ }).click();
  await page.goto(PUBLIC_URL + '/pricing');
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await expect(page.getByRole('button', { name: /theme/ })).toHaveAccessibleName('System theme (switch to light theme)');
});

test('the login entry hands a customer to their own runtime, without redirecting on its own', async ({ page }) => {
  await page.goto(PUBLIC_URL + '/login');
  await page.getByLabel('Runtime address').fill('releases.acme.example');
  await page.getByRole('button', { name: 'Find my sign-in page' }).click();
  const link = page.getByRole('link', { name: 'Continue to releases.acme.example' });
  await expect(link).toHaveAttribute('href', 'https://releases.acme.example/login');
  await page.getByLabel('Runtime address').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Find my sign-in page' }).click();
  await expect(page.getByText('That is not a runtime address.')).toBeVisible();
});

test('the OpenAPI document is served, and a page shows it readably', async ({ page, request }) => {
  const response = await request.get(PUBLIC_URL + '/openapi.json');
  expect(response.status()).toBe(200);
  const document = await response.json();
  expect(document.openapi).toBe('3.1.0');
  const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string; summary: string }>>).flatMap((item) => Object.values(item));
  expect(operations.length).toBeGreaterThan(0);
  // The overview links every operation to its tag's page, where it is described in full.
  await page.goto(PUBLIC_URL + '/docs/api');
  const links = new Map<string, string>();
  for (const operation of operations) {
    const link = page.getByRole('link', { name: operation.summary, exact: true });
    await expect(link).toHaveCount(1);
    links.set(operation.summary, (await link.getAttribute('href'))!);
  }
  for (const [summary, href] of links) {
    const [tagPage, anchor] = href.split('#');
    if (page.url() !== PUBLIC_URL + tagPage) await page.goto(PUBLIC_URL + tagPage);
    await expect(page.getByRole('heading', { name: summary, exact: true }), href).toBeVisible();
    await expect(page.locator(`[id="${anchor}"]`), href).toHaveCount(1);
  }
  expect((await page.request.get(PUBLIC_URL + '/docs/api/no-such-part')).status()).toBe(404);
});

test('a documentation page that does not exist is a 404', async ({ request }) => {
  expect((await request.get(PUBLIC_URL + '/docs/no-such-page')).status()).toBe(404);
});
