/**
 * `npm run lighthouse:console`: Lighthouse scores of signed-in console pages (issue 21: at least 95
 * in every category). Starts a seeded runtime (the console e2e's), signs in with Chromium, and runs
 * e2e/public/lighthouse.mjs on the overview, a blocked passport and a policy with that session.
 * A measurement, not a test: it prints the scores and exits 1 when a page is under the budget.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { signIn, startSeededRuntime } from './support/seeded-runtime';

const runtime = await startSeededRuntime(3630);
let status: number;
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, runtime.url, 'admin@acme.test', runtime.scenario.passwords.admin, '/console/acme');
  const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join('; ');
  await browser.close();
  const pages = ['/console/acme', `/console/acme/passports/${runtime.scenario.outcomes.checkoutBlocked.passport.id}`, `/console/acme/policies/${runtime.scenario.checkoutPolicyId}`];
  const run = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'public', 'lighthouse.mjs'), runtime.url, ...pages], {
    env: { ...process.env, RP_LIGHTHOUSE_COOKIE: cookie, RP_LIGHTHOUSE_BUDGET: process.env.RP_LIGHTHOUSE_BUDGET ?? 'all' },
    stdio: 'inherit',
  });
  status = run.status ?? 1;
} finally {
  await runtime.stop();
}
process.exit(status);
