/**
 * The signing keys an OpenID Connect issuer publishes, found through its discovery document and
 * cached (jose refetches the JWKS on an unknown key id). Used for CI ID tokens (lib/ci-identity)
 * and for the runtime's own OIDC sign-in (lib/auth/id-token.ts): one way to trust an issuer's keys.
 * Both documents are fetched through the egress proxy when one is set.
 */
import { createRemoteJWKSet, customFetch } from 'jose';
import { proxyFailure, serverFetch } from '@/lib/http/egress-proxy';

export type IssuerKeys = ReturnType<typeof createRemoteJWKSet>;

const DISCOVERY_TTL_MS = 3_600_000;
const byIssuer = new Map<string, { keys: IssuerKeys; fetchedAt: number }>();

/** The discovery document could not be read, or names another issuer or no JWKS. */
export class IssuerKeysUnavailable extends Error {
  constructor(detail: string) {
    super(`the issuer's OIDC discovery document could not be read (${detail}); try again later`);
    this.name = 'IssuerKeysUnavailable';
  }
}

export async function issuerKeys(issuer: string): Promise<IssuerKeys> {
  const cached = byIssuer.get(issuer);
  if (cached && Date.now() - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.keys;
  let jwksUri: string;
  try {
    // An issuer may end in '/' (Auth0's do): the document is below it, and names the same URL.
    const response = await serverFetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (!sameIssuer(document.issuer, issuer) || typeof document.jwks_uri !== 'string') throw new Error('the discovery document names another issuer or no jwks_uri');
    jwksUri = document.jwks_uri;
  } catch (error) {
    throw new IssuerKeysUnavailable(proxyFailure(error) ?? (error as Error).message);
  }
  const keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000, cooldownDuration: 30_000, [customFetch]: serverFetch });
  byIssuer.set(issuer, { keys, fetchedAt: Date.now() });
  return keys;
}

/** The same issuer URL, as OIDC discovery compares them (https://idp.test and https://idp.test/ are one). */
function sameIssuer(named: unknown, issuer: string): boolean {
  return typeof named === 'string' && URL.canParse(named) && URL.canParse(issuer) && new URL(named).href === new URL(issuer).href;
}
