/**
 * The runtime's own OIDC sign-in: the ID token's signature checked against the keys the issuer
 * publishes. next-auth (oauth4webapi) checks the token's issuer, audience, expiry and nonce but not
 * its signature when it comes from the token endpoint; a token signed by a key the issuer does not
 * publish must not sign anyone in.
 */
import { errors as joseErrors, jwtVerify } from 'jose';
import { issuerKeys, IssuerKeysUnavailable } from '@/lib/security/issuer-keys';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The token's iss is the discovery document's, which may differ from the setting by a trailing '/' (as next-auth allows). */
function issuerSpellings(issuer: string): string[] {
  return [...new Set([issuer, issuer.replace(/\/+$/, ''), URL.canParse(issuer) ? new URL(issuer).href : issuer])];
}

/** Null when the ID token verifies with the issuer's published keys, else why not (for the audit log). */
export async function idTokenRefusal(idToken: string | undefined, expected: { issuer: string; audience: string }): Promise<string | null> {
  if (!idToken) return 'the identity provider sent no ID token';
  try {
    await jwtVerify(idToken, await issuerKeys(expected.issuer), { issuer: issuerSpellings(expected.issuer), audience: expected.audience, algorithms: ALGORITHMS, clockTolerance: 60 });
    return null;
  } catch (error) {
    if (error instanceof IssuerKeysUnavailable) return error.message;
    if (error instanceof joseErrors.JWKSNoMatchingKey) return "the ID token is signed by a key the issuer's JWKS does not publish";
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "the ID token's signature does not verify with the issuer's key";
    if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the ID token is not signed with an asymmetric algorithm';
    if (error instanceof joseErrors.JWTExpired) return 'the ID token has expired';
    if (error instanceof joseErrors.JWTClaimValidationFailed) return `the ID token's ${error.claim} claim does not match`;
    return 'the ID token is not a valid signed JWT';
  }
}
