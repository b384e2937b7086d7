/**
 * `npm run lighthouse:portal`: Lighthouse scores of the portal, the one public part sent with React
 * (a buyer's session; issue 21: at least 95 in every category). Starts the public build with a real
 * OIDC provider for buyers (e2e/public/support/buyer-idp.ts), signs in through the sign-in page
 * with Chromium, and runs e2e/public/lighthouse.mjs on the portal and the checkout page with that
 * session. A measurement, not a test: it prints the scores and exits 1 when a page is under the
 * budget. Needs `npm run build:public`.
 *
 * SEO is printed but not held to the budget: the portal's pages are a buyer's own (license key,
 * billing) and say `robots: noindex` on purpose, which Lighthouse's "is-crawlable" audit counts
 * against SEO (60). RP_LIGHTHOUSE_BUDGET=all holds it anyway.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { signInAsBuyer, startBuyerIdp } from './support/buyer-idp';
import { startTarget } from './support/servers';

// Ports of the public e2e range (e2e/public/support/servers.ts) that no spec of it uses at the same time as this.
const IDP_PORT = 3418;
const SITE_PORT = 3419;

const idp = await startBuyerIdp({ port: IDP_PORT, redirectUri: `http://localhost:${SITE_PORT}/api/auth/callback/portal-oidc` });
let status: number;
try {
  const site = await startTarget('public', SITE_PORT, {
    PORTAL_OIDC_ISSUER: idp.issuer,
    PORTAL_OIDC_CLIENT_ID: idp.clientId,
    PORTAL_OIDC_CLIENT_SECRET: idp.clientSecret,
  });
  try {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/login?callbackUrl=%2Fportal`);
    await signInAsBuyer(page, 'buyer@acme.test');
    await page.waitForURL(`${site.url}/portal`);
    const cookie = (await context.cookies(site.url)).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    await browser.close();
    const run = spawnSync(process.execPath, [path.join(import.meta.dirname, 'lighthouse.mjs'), site.url, '/portal', '/portal/checkout?plan=team'], {
      env: { ...process.env, RP_LIGHTHOUSE_COOKIE: cookie, RP_LIGHTHOUSE_BUDGET: process.env.RP_LIGHTHOUSE_BUDGET ?? 'performance,accessibility,bestPractices' },
      stdio: 'inherit',
    });
    status = run.status ?? 1;
  } finally {
    await site.stop();
  }
} finally {
  await idp.stop();
}
process.exit(status);
