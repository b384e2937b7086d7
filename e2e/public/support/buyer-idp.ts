/**
 * A real OpenID Connect provider (the oidc-provider package) for buyers of the portal, started by
 * the test. Its development login form accepts any login: the login typed becomes the subject and
 * the email. conformIdTokenClaims is off so the email claim reaches the ID token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';

export interface BuyerIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export async function startBuyerIdp(options: { port: number; redirectUri: string }): Promise<BuyerIdp> {
  // oidc-provider ships no types; a non-literal specifier keeps TypeScript from looking for them.
  const packageName = 'oidc-provider';
  const { default: Provider } = (await import(packageName)) as { default: new (issuer: string, configuration: object) => { callback(): http.RequestListener } };
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'release-passport-portal';
  const clientSecret = 'portal-client-secret-for-tests-only-0123456789';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['buyer-idp-cookie-key-for-tests'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_context: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id.includes('@') ? id : `${id}@buyers.test`, email_verified: true, name: `Buyer ${id.split('@')[0]}` }),
    }),
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    clientSecret,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Signs a buyer in from the portal's sign-in page (the page must be on it): the provider's
 * development form takes any password, and the login typed becomes the buyer's email.
 */
export async function signInAsBuyer(page: Page, email: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in to the portal' }).click();
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}
