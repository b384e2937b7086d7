/** The walking skeleton as a person (and a curl) sees it: two targets, each hiding the other. */
import { expect, test } from '@playwright/test';
import { collectPageErrors, keepScreenshot } from './support/screenshots';
import { PUBLIC_URL, RUNTIME_URL } from './support/servers';

test('the public home page renders in Chromium with no console errors', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  const response = await page.goto(PUBLIC_URL + '/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('load');
  await keepScreenshot(page, testInfo, 'public-home');
  expect(errors).toEqual([]);
});

test('the runtime console redirects to the login page without a session', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await page.goto(RUNTIME_URL + '/console');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fconsole$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('load');
  await keepScreenshot(page, testInfo, 'runtime-login');
  expect(errors).toEqual([]);
});

test('the runtime answers 404 for the public site, portal and webhook', async ({ page, request }, testInfo) => {
  for (const path of ['/pricing', '/portal', '/docs', '/download', '/security']) {
    const response = await request.get(RUNTIME_URL + path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(404);
  }
  const webhook = await request.post(RUNTIME_URL + '/api/webhooks/stripe', { data: '{}', maxRedirects: 0 });
  expect(webhook.status()).toBe(404);
  await page.goto(RUNTIME_URL + '/portal');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await keepScreenshot(page, testInfo, 'runtime-404-portal');
});

test('the public site answers 404 for the console, settings, account and API', async ({ page, request }, testInfo) => {
  for (const path of ['/console', '/console/acme', '/settings/acme/tokens', '/account', '/api/v1/gate/evaluate']) {
    const response = await request.get(PUBLIC_URL + path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(404);
  }
  await page.goto(PUBLIC_URL + '/console');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await keepScreenshot(page, testInfo, 'public-404-console');
});

test('every page carries the security headers and a fresh CSP nonce', async ({ request }) => {
  const nonces = new Set<string>();
  for (const url of [PUBLIC_URL + '/', PUBLIC_URL + '/', RUNTIME_URL + '/login']) {
    const response = await request.get(url);
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    nonces.add(/'nonce-([^']+)'/.exec(csp)![1]!);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['strict-transport-security']).toBeUndefined(); // plain http
  }
  expect(nonces.size).toBe(3);
});

test('HSTS is sent when a TLS proxy forwards the request', async ({ request }) => {
  const response = await request.get(RUNTIME_URL + '/login', { headers: { 'x-forwarded-proto': 'https' } });
  expect(response.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
});

test('a valid incoming request id is propagated, an invalid one replaced', async ({ request }) => {
  const kept = await request.get(RUNTIME_URL + '/login', { headers: { 'x-request-id': 'ci-build-1234.step-7' } });
  expect(kept.headers()['x-request-id']).toBe('ci-build-1234.step-7');
  const replaced = await request.get(RUNTIME_URL + '/login', { headers: { 'x-request-id': 'bad id' } });
  expect(replaced.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const api = await request.get(RUNTIME_URL + '/api/v1/passports', { headers: { 'x-request-id': 'ci-build-1234.step-8' } });
  expect(api.headers()['x-request-id']).toBe('ci-build-1234.step-8');
});

test('the API answers 401 problem+json without credentials', async ({ request }) => {
  const response = await request.post(RUNTIME_URL + '/api/v1/gate/evaluate', { data: {} });
  expect(response.status()).toBe(401);
  expect(response.headers()['content-type']).toBe('application/problem+json');
  const body = await response.json();
  expect(body).toMatchObject({ status: 401, code: 'unauthorized' });
  expect(body.requestId).toBe(response.headers()['x-request-id']);
});

test('a request carrying x-middleware-subrequest gains nothing', async ({ request }) => {
  const forged = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };
  const console = await request.get(RUNTIME_URL + '/console', { headers: forged, maxRedirects: 0 });
  expect(console.status()).toBe(307);
  expect(console.headers()['location']).toContain('/login');
  const api = await request.get(RUNTIME_URL + '/api/v1/passports', { headers: forged });
  expect(api.status()).toBe(401);
  const portal = await request.get(RUNTIME_URL + '/portal', { headers: forged, maxRedirects: 0 });
  expect(portal.status()).toBe(404);
});

test('health and readiness answer in both targets', async ({ request }) => {
  for (const [url, target] of [[RUNTIME_URL, 'runtime'], [PUBLIC_URL, 'public']] as const) {
    expect(await (await request.get(url + '/api/health')).json()).toMatchObject({ status: 'ok', target });
    expect(await (await request.get(url + '/api/ready')).json()).toMatchObject({ status: 'ready', database: 'postgres', engine: 'embedded' });
  }
});

test('a path whose percent-encoding is not valid UTF-8 is a 400 problem, not a 500, in both targets', async ({ request }) => {
  for (const url of [RUNTIME_URL, PUBLIC_URL]) {
    for (const path of ['/api/v1/workspaces/%ED%A0%80/keys', '/console/%FF', '/docs/%C3']) {
      const response = await request.get(url + path, { maxRedirects: 0 });
      expect(response.status(), url + path).toBe(400);
      expect(response.headers()['content-type']).toContain('application/problem+json');
      const body = (await response.json()) as { code: string; detail: string; requestId: string };
      expect(body).toMatchObject({ code: 'bad-request', detail: expect.stringContaining('not valid UTF-8') });
      expect(body.requestId).toBe(response.headers()['x-request-id']);
    }
  }
});

test('a server action posted from another site, or from an opaque origin, is a 403 problem, not a 500', async ({ request }) => {
  for (const url of [RUNTIME_URL, PUBLIC_URL]) {
    for (const origin of ['http://evil.example', 'null']) {
      const response = await request.post(url + '/login', {
        headers: { 'next-action': '0'.repeat(40), origin, 'content-type': 'text/plain;charset=UTF-8' },
        data: '[]',
        maxRedirects: 0,
      });
      expect(response.status(), `${url} from ${origin}`).toBe(403);
      expect(response.headers()['content-type']).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('sent from another site') });
    }
  }
});
