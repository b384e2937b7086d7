/**
 * The origin of the portal's identity provider (PORTAL_OIDC_ISSUER), read in one place, Edge-safe:
 * the public site's pages allow a form to lead there (CSP form-action, lib/security/headers.ts),
 * because the sign-in page's plain form post is answered with a redirect to it
 * (app/(site)/login/portal/route.public.ts). A value that does not parse reads as unset (the
 * settings module refuses it at start).
 */
type Env = Record<string, string | undefined>;

export function portalIssuerOrigin(env: Env = process.env): string | null {
  const value = env.PORTAL_OIDC_ISSUER;
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}
