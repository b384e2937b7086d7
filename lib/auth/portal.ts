/**
 * Buyer sign-in for the portal (public target only): next-auth with the vendor's OIDC issuer, its
 * own configuration, separate from the runtime's. The session cookie carries only the customer
 * id; every portal page re-reads the customer from the database (lib/portal/session.ts).
 */
import NextAuth, { customFetch, type NextAuthConfig } from 'next-auth';
import type { OIDCConfig } from 'next-auth/providers';
import { edgeAuthConfig } from '@/lib/auth/edge-config';
import { settings } from '@/lib/config/settings';
import { serverFetch } from '@/lib/http/egress-proxy';
import { ownerSecretsStatus, readOwnerSecret } from '@/lib/billing/secret-settings';
import { customerForIdentity, type SignInIdentity } from '@/lib/portal/customers';
import { emailVerifiedClaim } from './identities';

export const PORTAL_PROVIDER_ID = 'portal-oidc';

interface BuyerProfile {
  sub: string;
  iss?: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
}

/** Whether buyer sign-in is configured (issuer, client id, client secret set), without reading the secret. */
export async function portalOidcConfigured(): Promise<boolean> {
  if (!settings().portal.oidc) return false;
  const status = (await ownerSecretsStatus()).find((secret) => secret.name === 'portal.oidcClientSecret');
  return Boolean(status?.set);
}

// next-auth builds its configuration per request; the client secret is read (and its read audited)
// at most once a minute rather than on every portal page.
const PROVIDER_TTL_MS = 60_000;
let cachedProviders: { key: string; at: number; providers: NextAuthConfig['providers'] } | null = null;

async function providers(): Promise<NextAuthConfig['providers']> {
  const oidc = settings().portal.oidc;
  if (!oidc) return [];
  const { issuer, clientId, name } = oidc;
  const key = `${issuer} ${clientId}`;
  if (cachedProviders?.key === key && Date.now() - cachedProviders.at < PROVIDER_TTL_MS) return cachedProviders.providers;
  const clientSecret = await readOwnerSecret('portal.oidcClientSecret');
  if (!clientSecret) return [];
  const provider: OIDCConfig<BuyerProfile> = {
    id: PORTAL_PROVIDER_ID,
    name,
    type: 'oidc',
    issuer,
    clientId,
    clientSecret,
    checks: ['pkce', 'state', 'nonce'],
    authorization: { params: { scope: 'openid email profile' } },
    // Discovery, the token exchange and the keys, through the egress proxy when one is set.
    [customFetch]: serverFetch,
  };
  cachedProviders = { key, at: Date.now(), providers: [provider] };
  return cachedProviders.providers;
}

function identityOf(profile: BuyerProfile): SignInIdentity {
  return {
    issuer: profile.iss ?? settings().portal.oidc?.issuer ?? '',
    subject: profile.sub,
    email: profile.email ?? '',
    emailVerified: emailVerifiedClaim(profile),
    name: profile.name ?? '',
  };
}

export const { auth: portalAuth, handlers: portalAuthHandlers, signIn: portalSignIn, signOut: portalSignOut } = NextAuth(async () => ({
  ...edgeAuthConfig,
  providers: await providers(),
  callbacks: {
    async signIn({ profile }) {
      const buyer = profile as BuyerProfile | undefined;
      if (!buyer?.sub) return '/login?error=portal-identity';
      const resolution = await customerForIdentity(identityOf(buyer));
      return 'refused' in resolution ? '/login?error=portal-account' : true;
    },
    // At sign-in only (a profile is present): the same idempotent lookup names the customer.
    async jwt({ token, profile }) {
      const buyer = profile as BuyerProfile | undefined;
      if (buyer?.sub) {
        const resolution = await customerForIdentity(identityOf(buyer));
        if ('customer' in resolution) token.customerId = resolution.customer.id;
      }
      return token;
    },
    session({ session, token }) {
      session.customerId = token.customerId;
      return session;
    },
  },
}));
