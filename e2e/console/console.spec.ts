/**
 * The console as its people use it, in Chromium against the production build, on a runtime seeded
 * by the product's own data-access functions (e2e/console/support/seeded-runtime.ts).
 *   maintainer: find the blocked release, read why, approve it, download the signed passport,
 *               export the decisions, see both in the audit log;
 *   maintainer: edit a policy (an invalid rule is refused next to the rule), preview its impact,
 *               switch its mode with a reason;
 *   viewer:     reads everything a viewer may, cannot approve, cannot export, cannot see secrets
 *               or installation settings;
 * and every page passes axe (WCAG 2 A/AA) in light and dark themes, and works from the keyboard.
 */
import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { verifyPassport, parsePublicKeys } from '@/lib/passport/verify';
import { collectPageErrors, keepScreenshot } from '../support/screenshots';
import { signIn, startSeededRuntime, type SeededRuntime } from './support/seeded-runtime';
import { pageProblems, sidewaysScroll, wrappedText } from '../support/page-checks';
import { MODES } from '../support/modes';

const PORT = 3610;
let runtime: SeededRuntime;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  runtime = await startSeededRuntime(PORT);
});

test.afterAll(async () => {
  await runtime?.stop();
});

const password = (role: 'maintainer' | 'viewer' | 'admin' | 'developer') => runtime.scenario.passwords[role];

async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(
    results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`),
    `accessibility of ${what}`,
  ).toEqual([]);
}

test('a maintainer finds the blocked release, reads why, approves it and exports the decisions', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = collectPageErrors(page);
  await signIn(page, runtime.url, 'maintainer@acme.test', password('maintainer'), '/console/acme');

  // The overview names what needs attention first.
  const attention = page.getByRole('region', { name: 'Denied and warned releases' }).or(page.locator('section', { has: page.getByRole('heading', { name: 'Denied and warned releases' }) }));
  await expect(attention.getByRole('row', { name: /checkout staging blocked/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Stale evidence' })).toBeVisible();
  // Releases short of a sign-off wait in their own queue; the ones this maintainer can approve are marked.
  const queue = page.getByRole('table', { name: 'Releases awaiting approval' });
  await expect(queue.getByRole('row', { name: /^checkout staging 0 of 1 approval from a maintainer or above awaiting you/ })).toBeVisible();
  await keepScreenshot(page, testInfo, 'console-overview-maintainer');
  await expectAccessible(page, 'the overview');

  // Read why: the approvals rule failed, with measured value and threshold.
  await attention.getByRole('link', { name: 'Open the passport of checkout in staging' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('checkout → staging');
  await expect(page.getByRole('alert').filter({ hasText: 'This release is blocked' })).toContainText('maintainer-approval');
  const rule = page.getByRole('row', { name: /maintainer-approval/ });
  await expect(rule).toContainText('fail');
  // Measured value and threshold in words, not JSON.
  await expect(rule).toContainText('approvals: 0');
  await expect(rule).toContainText('count: 1');
  await expect(rule).toContainText('role: maintainer');
  await expect(page.getByText('valid', { exact: true })).toBeVisible();
  await expect(page.getByText('same decision, same bytes')).toBeVisible();
  await keepScreenshot(page, testInfo, 'passport-blocked');
  await expectAccessible(page, 'the passport page');

  // The signed passport downloads and verifies offline with the workspace's published key.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download signed passport' }).click()]);
  const envelope = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
  const keys = await (await page.request.get(`${runtime.url}/api/v1/workspaces/acme/keys`)).text();
  expect(verifyPassport(envelope, parsePublicKeys(keys))).toMatchObject({ valid: true, passportId: runtime.scenario.outcomes.checkoutBlocked.passport.id });

  // Approve: recorded, audited, and the release judged again with it at once: a newer passport.
  await page.getByLabel('Note (optional)').fill('Diff and SBOM reviewed.');
  await page.getByRole('button', { name: 'Approve this release' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved, and the release was judged again with your approval: allowed.' })).toBeVisible();
  await expect(page.getByText('1 of 1 approval from a maintainer or above')).toBeVisible();
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: 'A newer passport exists for this release' })).toContainText('(allow)');
  await expect(page.getByRole('button', { name: 'Withdraw my approval' })).toBeVisible();
  await page.getByLabel('Add a comment').fill('Approved after review; re-running the deploy job.');
  await page.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(page.getByText('Approved after review; re-running the deploy job.')).toBeVisible();
  await keepScreenshot(page, testInfo, 'passport-approved');

  // Export the decisions of checkout as CSV, from the reports page.
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Reports' }).click();
  const decisions = page.getByRole('form', { name: 'Export gate decisions' });
  await decisions.getByLabel('Service').selectOption('checkout');
  await keepScreenshot(page, testInfo, 'reports');
  await expectAccessible(page, 'the reports page');
  const [csv] = await Promise.all([page.waitForEvent('download'), decisions.getByRole('button', { name: 'Download gate decisions' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^release-passport-acme-decisions-\d{8}-\d{6}\.csv$/);
  const content = fs.readFileSync((await csv.path())!, 'utf8');
  expect(content.split('\n')[0]).toContain('Passport,Evaluated at,Service,Environment,Decision');
  expect(content).toContain(runtime.scenario.outcomes.checkoutBlocked.passport.id);
  expect(content).not.toContain('payments');

  // Both actions are in the audit log, and the chain verifies.
  await page.goto(`${runtime.url}/console/acme/audit?actor=maintainer%40acme.test`);
  await expect(page.getByText('The audit chain verifies')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'approval.create' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'report.export' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'comment.create' })).toBeVisible();
  // A gate decision's event names the release's decision beside the action ("allowed" is the request's outcome).
  await page.goto(`${runtime.url}/console/acme/audit?action=gate.evaluate`);
  await expect(page.getByRole('cell').filter({ hasText: 'gate.evaluate' }).filter({ hasText: /decision\s*blocked\s*enforce/ }).first()).toBeVisible();
  await keepScreenshot(page, testInfo, 'audit-log');
  await expectAccessible(page, 'the audit log');
  expect(errors).toEqual([]);
});

test('an admin rejects a release with a note: shown as typed beside the approvals, the approvals rule names who and why, and the rejection can be withdrawn', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  const errors = collectPageErrors(page);
  await signIn(page, runtime.url, 'admin@acme.test', password('admin'), `/console/acme/passports/${runtime.scenario.outcomes.checkoutProduction.passport.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('checkout → production');
  const note = '<b>No rollback plan</b> for the schema change.';
  await page.getByLabel('Why you reject it (required)').fill(note);
  await page.getByRole('button', { name: 'Reject this release' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rejected, and the release was judged again with your rejection' })).toBeVisible();
  // The note is text, never markup.
  await expect(page.getByRole('list', { name: 'Rejections' })).toContainText(note);
  await expect(page.locator('b', { hasText: 'No rollback plan' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Withdraw my rejection' })).toBeVisible();

  // The release judged again with it: the approvals rule fails, naming who rejected and why.
  await page.getByRole('link', { name: /See the passport of/ }).click();
  await expect(page.getByRole('row', { name: /maintainer-approval/ })).toContainText(`(admin): ${note}`);
  await keepScreenshot(page, testInfo, 'passport-rejected');
  await expectAccessible(page, 'a rejected passport');
  await page.getByRole('button', { name: 'Withdraw my rejection' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your rejection was withdrawn.' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Rejections' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a maintainer edits a policy in forms generated from the rule schemas and as JSON, sees errors next to the rule, previews its impact and switches mode with a reason', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page, runtime.url, 'maintainer@acme.test', password('maintainer'), '/console/acme/policies');
  await keepScreenshot(page, testInfo, 'policies');
  await page.getByRole('link', { name: 'Workspace policy' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Workspace policy');
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: 'Shadow report' })).toContainText('enforcing it would have blocked 1');

  // Each rule is a form generated from its type's schema; its JSON is one click away.
  const findings = page.getByRole('region', { name: 'Rule 2' });
  await expect(findings.getByLabel('Type')).toHaveValue('sarif-severity');
  await expect(findings.getByLabel('High')).toHaveValue('0');
  await expect(findings.getByText('Most high findings allowed.')).toBeVisible();
  await keepScreenshot(page, testInfo, 'policy-rule-form');

  // An invalid threshold typed as JSON: refused by the server, with the message under that rule.
  const editAs = (rule: number) => page.getByRole('group', { name: `Edit rule ${rule} as` });
  await editAs(2).getByRole('button', { name: 'JSON' }).click();
  const second = page.getByLabel('Rule 2 (JSON)');
  const text = await second.inputValue();
  await second.fill(text.replace('"high": 0', '"high": -1'));
  await page.getByRole('button', { name: /Save as version/ }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'nothing was saved' })).toBeVisible();
  await expect(second).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#rule-1-error')).toContainText('limits.high');
  await keepScreenshot(page, testInfo, 'policy-invalid-rule');

  // Fixed in the form, previewed, saved.
  await editAs(2).getByRole('button', { name: 'Form' }).click();
  await findings.getByLabel('High').fill('1');
  await page.getByRole('button', { name: 'Preview impact' }).click();
  await expect(page.getByRole('region', { name: 'Impact preview' })).toContainText('Enforced, these rules would have blocked');
  await page.getByLabel('Why (kept in the version history and the audit log)').fill('Allow one known high while the fix ships.');
  await page.getByRole('button', { name: /Save as version 2/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version 2.' })).toBeVisible();
  await page.reload();
  await expect(page.getByText('limits.high:')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Rule 2' }).getByLabel('High')).toHaveValue('1');

  // A new rule: its type's parameters appear as fields, and the JSON follows the form. Not saved.
  const rules = page.getByRole('region', { name: /^Rule \d+$/ });
  const added = (await rules.count()) + 1;
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const rule = page.getByRole('region', { name: `Rule ${added}` });
  await rule.getByLabel('Rule id').fill('two-approvals');
  await rule.getByLabel('Type').selectOption('approvals');
  await expect(rule.getByLabel('Kind')).toHaveCount(0);
  await rule.getByLabel('Count').fill('2');
  await rule.getByLabel('Role').selectOption('admin');
  await editAs(added).getByRole('button', { name: 'JSON' }).click();
  expect(JSON.parse(await page.getByLabel(`Rule ${added} (JSON)`).inputValue())).toEqual({ id: 'two-approvals', type: 'approvals', count: 2, role: 'admin' });
  await page.getByRole('button', { name: `Remove rule ${added}` }).click();
  await expect(page.getByLabel(`Rule ${added} (JSON)`)).toHaveCount(0);

  // Switching mode needs a reason; the history keeps it.
  await page.getByLabel(/^shadow/).check();
  await page.getByLabel('Reason').fill('Back to shadow while the new scanner settles.');
  await page.getByRole('button', { name: 'Switch mode' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'now in shadow mode' })).toBeVisible();
  await page.reload();
  await expect(page.getByText('“Back to shadow while the new scanner settles.”')).toBeVisible();
  await keepScreenshot(page, testInfo, 'policy-history');
  await expectAccessible(page, 'the policy page');
});

test('a viewer reads passports and policies but cannot approve, export, or see secrets and installation settings', async ({ page }, testInfo) => {
  await signIn(page, runtime.url, 'viewer@acme.test', password('viewer'), '/console/acme');
  const nav = page.getByRole('navigation', { name: 'Workspace' });
  await expect(nav.getByRole('link', { name: 'Passports' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Reports' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);

  await page.goto(`${runtime.url}/console/acme/passports/${runtime.scenario.outcomes.checkoutBlocked.passport.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('checkout → staging');
  await expect(page.getByRole('button', { name: 'Approve this release' })).toHaveCount(0);
  await expect(page.getByText('Maintainers and admins approve releases.')).toBeVisible();
  await expect(page.getByLabel('Add a comment')).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'passport-viewer');
  // The evidence behind a result opens from its digest: the stored, sanitized copy.
  await page.getByRole('link', { name: /open the sbom evidence/ }).click();
  await expect(page.getByRole('heading', { name: 'sbom evidence', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Evidence content')).toContainText('left-pad');
  await expect(page.getByText('the same: nothing was removed')).toBeVisible();

  // The findings behind a failing rule, on the passport itself: rule and its help, file and line.
  await page.goto(`${runtime.url}/console/acme/passports/${runtime.scenario.outcomes.payments.passport.id}`);
  const findings = page.getByRole('region', { name: /^Findings behind / });
  await expect(findings).toContainText('src/db/orders.ts:42');
  await expect(findings).toContainText('Database query built from user-controlled sources');
  await expect(findings.getByRole('link', { name: /js\/sql-injection/ })).toHaveAttribute('href', 'https://codeql.github.com/codeql-query-help/javascript/js-sql-injection/');

  // What changed since the previous release of checkout in staging: the sign-off rule, one click away.
  await page.goto(`${runtime.url}/console/acme/passports/${runtime.scenario.outcomes.checkoutBlocked.passport.id}`);
  await page.getByRole('link', { name: 'Compare with the previous release of checkout in staging' }).click();
  await expect(page.getByRole('heading', { name: 'Compare passports', level: 1 })).toBeVisible();
  const changedRules = page.getByRole('region', { name: 'Rules whose result changed' });
  await expect(changedRules.getByRole('row', { name: /maintainer-approval/ })).toContainText('not in that policy version');

  // Direct addresses are refused by the server, not only hidden.
  for (const path of ['/console/acme/reports', '/console/acme/audit', '/settings/acme/installation']) {
    const response = await page.goto(`${runtime.url}${path}`);
    expect(response?.status(), path).toBe(403);
  }
  const exported = await page.request.get(`${runtime.url}/api/v1/workspaces/acme/reports/passports?format=csv`);
  expect(exported.status()).toBe(403);
  expect((await exported.json()).code).toBe('forbidden');

  // Secrets: no installation secret, no key source, no value, for a viewer; installation status is not theirs either.
  await page.goto(`${runtime.url}/settings/acme`);
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.getByText("The installation's own secrets are shown to maintainers and admins.")).toBeVisible();
  await expect(page.getByText('Session key')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Installation' })).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'settings-viewer');
  await page.goto(`${runtime.url}/settings/acme/secrets`);
  await expect(page.getByRole('heading', { name: 'Installation secrets' })).toHaveCount(0);
  await expect(page.locator('dt', { hasText: /^Key$/ })).toHaveCount(0);

  // A workspace the viewer does not belong to does not exist for them.
  const other = await page.goto(`${runtime.url}/console/not-theirs/passports`);
  expect(other?.status()).toBe(404);
});

test('an admin trusts a CI identity in the console: errors by the field, the policy listed, removed; a viewer only reads', async ({ page }, testInfo) => {
  await signIn(page, runtime.url, 'admin@acme.test', password('admin'), '/settings/acme/ci-identities');
  await expect(page.getByRole('heading', { name: 'CI identities', level: 1 })).toBeVisible();
  const add = async (name: string, conditions: string) => {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Issuer', { exact: true }).selectOption('github');
    await page.getByLabel('Audience').fill('https://rp.acme.test');
    await page.getByLabel('Claim conditions').fill(conditions);
    await page.getByLabel('Only these environments (optional)').fill('production');
    await page.getByRole('button', { name: 'Add trust policy' }).click();
  };
  await add('api main', 'repository');
  await expect(page.locator('#policy-conditions-error')).toContainText('is not claim=value');
  await add('api main', 'repository=acme/api\nref=refs/heads/main');
  await expect(page.getByRole('status').filter({ hasText: 'Trust policy "api main" added' })).toBeVisible();
  await add('web any branch', 'repository=acme/web');
  const table = page.getByRole('region', { name: 'CI trust policies of' });
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('row', { name: /api main/ })).toContainText('repository = acme/api');
  await expect(table.getByRole('row', { name: /api main/ })).toContainText('environments: production');
  await keepScreenshot(page, testInfo, 'ci-identities-admin');
  await table.getByRole('button', { name: 'Remove web any branch' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await page.goto(`${runtime.url}/console/acme/audit`);
  await expect(page.getByText('ci_trust_policy.delete').first()).toBeVisible();

  await page.context().clearCookies();
  await signIn(page, runtime.url, 'viewer@acme.test', password('viewer'), '/settings/acme/ci-identities');
  await expect(page.getByText('Only admins add or remove trust policies.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add trust policy' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
});

test('an admin classifies the environments the gate created, orders them, adds a service with an owner and archives it', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const errors = collectPageErrors(page);
  await signIn(page, runtime.url, 'admin@acme.test', password('admin'), '/console/acme/services');

  // The gate created staging on first use: non-production, waiting for a tier (production was classified).
  const banner = page.getByRole('list', { name: 'Environments that need a tier' });
  await expect(page.getByText('1 environment needs a tier')).toBeVisible();
  await expect(banner.getByRole('listitem')).toHaveText([/staging\s*now non-production/]);
  await banner.getByLabel('Tier of staging').selectOption('non-production');
  await banner.getByRole('button', { name: 'Set tier of staging' }).click();
  // Nothing left to classify: the banner goes, and staging's tier is set.
  await expect(banner).toHaveCount(0);
  const stagingRow = page.getByRole('table', { name: 'Environments in promotion order' }).getByRole('row').filter({ hasText: 'staging' });
  await expect(stagingRow).not.toContainText('unclassified');
  await expect(stagingRow.getByLabel('Tier of staging')).toHaveValue('non-production');

  // A new environment, placed first in the promotion order: the columns follow it.
  await page.getByLabel('Environment slug').fill('dev');
  await page.getByLabel('Tier', { exact: true }).selectOption('non-production');
  await page.getByRole('button', { name: 'Add environment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Environment dev created (non-production).' })).toBeVisible();
  const order = page.getByRole('table', { name: 'Environments in promotion order' });
  const staging = order.getByRole('row').filter({ hasText: 'staging' });
  if ((await order.getByRole('row').nth(1).textContent())?.includes('staging')) await staging.getByRole('button', { name: 'Down move staging later' }).click();
  await expect(order.getByRole('row').nth(1)).toContainText('dev');
  await expect(order.getByRole('row').nth(2)).toContainText('staging');
  const matrix = page.getByRole('table', { name: 'Latest decision of each service in each environment' });
  const columns = await matrix.getByRole('columnheader').allTextContents();
  expect(columns.slice(1).map((text) => text.trim())).toEqual([expect.stringMatching(/^dev/), expect.stringMatching(/^staging/), expect.stringMatching(/^production/)]);

  // A service with an owner, then archived: the gate refuses it; unarchived, it is back.
  await page.getByLabel('Service slug').fill('ledger');
  await page.getByLabel('Owners (optional)').fill('maintainer@acme.test');
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Service ledger created.' })).toBeVisible();
  const services = page.getByRole('table', { name: 'Services and their owners' });
  await expect(services.getByRole('row').filter({ hasText: 'ledger' })).not.toContainText('no owners');
  await keepScreenshot(page, testInfo, 'services-managed');
  await expectAccessible(page, 'the services page with its management forms');
  await services.getByRole('row').filter({ hasText: 'ledger' }).getByRole('button', { name: 'Archive ledger' }).click();
  const archived = page.getByRole('table', { name: 'Archived services and environments' });
  await expect(archived.getByRole('row').filter({ hasText: 'ledger' })).toBeVisible();
  await archived.getByRole('button', { name: 'Unarchive ledger' }).click();
  await expect(services.getByRole('row').filter({ hasText: 'ledger' })).toBeVisible();
  expect(errors).toEqual([]);
});

test("an admin disables a member's account: the member's open session ends at their next page; enabled, they sign in again", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const developerContext = await browser.newContext();
  try {
    const admin = await adminContext.newPage();
    const developer = await developerContext.newPage();
    await signIn(developer, runtime.url, 'developer@acme.test', password('developer'), '/console/acme');
    await signIn(admin, runtime.url, 'admin@acme.test', password('admin'), '/settings/acme/members');

    const row = admin.getByRole('row', { name: /developer@acme\.test/ });
    await row.getByRole('button', { name: 'Disable account of developer@acme.test' }).click();
    await expect(row.getByText('account disabled', { exact: true })).toBeVisible();
    await expect(admin.getByRole('row', { name: /admin@acme\.test/ }).getByRole('button', { name: /Disable account/ })).toHaveCount(0);

    await developer.goto(`${runtime.url}/console/acme`);
    await expect(developer).toHaveURL(/\/login/);
    await developer.getByLabel('Email').fill('developer@acme.test');
    await developer.getByLabel('Password').fill(password('developer'));
    await developer.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(developer).toHaveURL(/\/login/);

    await row.getByRole('button', { name: 'Enable account of developer@acme.test' }).click();
    await expect(row.getByText('account disabled', { exact: true })).toHaveCount(0);
    await signIn(developer, runtime.url, 'developer@acme.test', password('developer'), '/console/acme');
  } finally {
    await adminContext.close();
    await developerContext.close();
  }
});

test('an admin gives a locked-out member a one-time sign-in link from Members: it signs them in once, and a second use says where a new one comes from', async ({ browser }) => {
  const adminContext = await browser.newContext();
  const viewerContext = await browser.newContext();
  try {
    const admin = await adminContext.newPage();
    await signIn(admin, runtime.url, 'admin@acme.test', password('admin'), '/settings/acme/members');
    await expect(admin.getByRole('row', { name: /admin@acme\.test/ }).getByRole('button', { name: /Sign-in link/ })).toHaveCount(0);
    await admin.getByRole('row', { name: /viewer@acme\.test/ }).getByRole('button', { name: 'Sign-in link for viewer@acme.test' }).click();
    const link = await admin.getByLabel('Sign-in link for viewer@acme.test').inputValue();
    expect(link).toMatch(/\/login\/link#[A-Za-z0-9_-]{43}$/);

    const viewer = await viewerContext.newPage();
    await viewer.goto(link);
    await viewer.getByRole('button', { name: 'Sign in and continue' }).click();
    await viewer.waitForURL(/\/account\?welcome=1$/);
    await viewer.goto(link);
    await viewer.getByRole('button', { name: 'Sign in and continue' }).click();
    await expect(viewer.getByText(/This sign-in link does not work any more/)).toContainText('Settings → Members');
  } finally {
    await adminContext.close();
    await viewerContext.close();
  }
});

function consolePages(): Array<[string, string]> {
  const { scenario } = runtime;
  return [
    ['overview', '/console/acme'],
    ['passports', '/console/acme/passports?decision=deny'],
    ['passport', `/console/acme/passports/${scenario.outcomes.checkoutBlocked.passport.id}`],
    ['passport-findings', `/console/acme/passports/${scenario.outcomes.payments.passport.id}`],
    ['passport-compare', `/console/acme/passports/compare?a=${scenario.outcomes.checkoutBlocked.passport.id}&b=${scenario.outcomes.payments.passport.id}`],
    ['evidence', `/console/acme/evidence/${scenario.evidence.findings}`],
    ['services', '/console/acme/services'],
    ['environments', '/console/acme/environments'],
    ['environment-timeline', '/console/acme/environments/production'],
    ['policies', '/console/acme/policies'],
    ['policy', `/console/acme/policies/${scenario.checkoutPolicyId}`],
    ['audit', '/console/acme/audit'],
    ['reports', '/console/acme/reports'],
    ['settings', '/settings/acme'],
    ['members', '/settings/acme/members'],
    ['tokens', '/settings/acme/tokens'],
    ['ci-identities', '/settings/acme/ci-identities'],
    ['secrets', '/settings/acme/secrets'],
    ['connectors', '/settings/acme/connectors'],
    ['notifications', '/settings/acme/notifications'],
    ['retention', '/settings/acme/retention'],
    ['license', '/settings/acme/license'],
    ['installation', '/settings/acme/installation'],
    ['account', '/account'],
    ['workspaces', '/console'],
    ['empty-overview', '/console/empty'],
    ['empty-passports', '/console/empty/passports'],
    ['empty-policies', '/console/empty/policies'],
    ['empty-environments', '/console/empty/environments'],
  ];
}

// Every console and settings page, in each mode: axe (WCAG 2.1 A/AA and best practices) and no
// sideways scroll. One test per mode, so a slow machine times out one mode, not all of them.
for (const mode of MODES) {
  test(`every console page passes axe and does not scroll sideways (${mode.name})`, async ({ page }, testInfo) => {
    test.setTimeout(300_000);
    await signIn(page, runtime.url, 'admin@acme.test', password('admin'), '/console/acme');
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.setViewportSize(mode.viewport);
    const failures: string[] = [];
    for (const [name, path] of consolePages()) {
      const response = await page.goto(`${runtime.url}${path}`);
      expect(response?.status(), `${name} answers 200`).toBe(200);
      await expect(page.locator('html')).toHaveClass(mode.scheme === 'dark' ? /dark/ : /light/);
      // A streamed page shows its loading state first (no h1 yet): axe judges the page, not the skeleton.
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      failures.push(...(await pageProblems(page, name, ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])));
      // Full-page screenshots cost more than the checks: kept for the phone layout, the one people review by eye.
      if (mode.name === '390px') await keepScreenshot(page, testInfo, `${name}-${mode.name}`);
    }
    expect(failures).toEqual([]);
  });
}

// Between the phone and the full layout (a small laptop, a window beside another): the header's
// links once pushed the account menu off the right edge at 1024 px. No axe here: the modes above run it.
test('at 1024 px no console page scrolls sideways and the account menu stays in view', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, runtime.url, 'admin@acme.test', password('admin'), '/console/acme');
  await page.setViewportSize({ width: 1024, height: 768 });
  const failures: string[] = [];
  for (const [name, path] of consolePages()) {
    const response = await page.goto(`${runtime.url}${path}`);
    expect(response?.status(), `${name} answers 200`).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    failures.push(...(await sidewaysScroll(page, name)));
    const menu = await page.getByText('Account menu for admin@acme.test').locator('..').boundingBox();
    if (!menu || menu.x + menu.width > 1024) failures.push(`${name}: the account menu is not within the window`);
  }
  expect(failures).toEqual([]);
});

// The header's names and links once wrapped onto two lines at every width from 1280 px up ("Release
// Passport" and the workspace's name squeezed by the one-row links in a 1,232 px container).
test('the console header keeps every name and link on one line, from a small laptop to a wide screen', async ({ page }) => {
  await signIn(page, runtime.url, 'maintainer@acme.test', password('maintainer'), '/console/acme');
  const failures: string[] = [];
  for (const width of [1024, 1280, 1439, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of ['/console/acme', '/settings/acme']) {
      await page.goto(`${runtime.url}${path}`);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      failures.push(...(await wrappedText(page, `${path} at ${width} px`, 'header:not(main header)')), ...(await sidewaysScroll(page, `${path} at ${width} px`)));
    }
    // Exactly one of the two navigations shows: the one-row links from 1440 px, their own row below.
    const oneRow = await page.getByRole('navigation', { name: 'Workspace', exact: true }).isVisible();
    const ownRow = await page.getByRole('navigation', { name: 'Workspace (small screens)' }).isVisible();
    if (oneRow !== width >= 1440 || ownRow === oneRow) failures.push(`at ${width} px the links show ${oneRow ? 'in the header row' : ''}${oneRow && ownRow ? ' and ' : ''}${ownRow ? 'in a row of their own' : ''}`);
  }
  expect(failures).toEqual([]);
});

test('unknown pages answer 404, the settings show installation status, and the keyboard and menus behave', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, runtime.url, 'admin@acme.test', password('admin'), '/console/acme');

  // What does not exist answers 404, not a 200 page that says so.
  for (const missing of [`/console/acme/passports/${'0'.repeat(64)}`, '/console/acme/policies/00000000-0000-4000-8000-000000000000']) {
    const response = await page.goto(`${runtime.url}${missing}`);
    expect(response?.status(), missing).toBe(404);
    await expect(page.getByText('Not found in this workspace')).toBeVisible();
  }
  await page.goto(`${runtime.url}/console/empty`);
  await expect(page.getByText('No passports yet')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Create an API token' })).toBeVisible();
  await page.goto(`${runtime.url}/settings/acme/installation`);
  await expect(page.getByRole('heading', { name: 'Database' })).toBeVisible();
  await expect(page.getByText('Fine for a trial on one machine. Before production, change these:')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Object storage' })).toHaveAttribute('href', '#check-storage');
  await expect(page.getByText('PostgreSQL answers and has every migration.')).toBeVisible();
  for (const title of ['Object storage', 'Rate limiter', 'Sign-in (OIDC)', 'Secret store']) await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByText('What to do:').first()).toBeVisible();

  // Keyboard: the skip link comes first and lands on the main content.
  await page.goto(`${runtime.url}/console/acme/passports`);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);

  // Menus close on Escape (focus back on their button), on a click outside, and after a link in them is followed.
  await page.goto(`${runtime.url}/console/acme`);
  const switcher = page.locator('details', { has: page.getByText('Your workspaces') });
  await switcher.locator('summary').click();
  await expect(switcher).toHaveAttribute('open');
  await page.keyboard.press('Escape');
  await expect(switcher).not.toHaveAttribute('open');
  await expect(switcher.locator('summary')).toBeFocused();
  const account = page.locator('details', { has: page.getByText('Your account and sessions') });
  await account.locator('summary').click();
  await expect(account).toHaveAttribute('open');
  await page.locator('main').click({ position: { x: 5, y: 5 } });
  await expect(account).not.toHaveAttribute('open');
  await switcher.locator('summary').click();
  await switcher.getByRole('link', { name: 'All workspaces' }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.locator('details', { has: page.getByText('Your workspaces') })).not.toHaveAttribute('open');
});
