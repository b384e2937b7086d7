/**
 * What a Release Passport license says, shared by the owner's issuer (public target) and the
 * runtime's offline verifier. A license is a compact JWS (a JWT) signed with the owner's Ed25519
 * key: `alg: EdDSA`, `kid` = the RFC 7638 thumbprint of the signing key, `typ: rp-license+jwt`.
 */
import { z } from 'zod';

/** Issuer of licenses signed with a vendor key shipped in the runtime. */
export const VENDOR_ISSUER = 'https://releasepassport.com';
/**
 * Issuer of licenses signed with a key the operator trusted through RP_LICENSE_TEST_PUBLIC_KEY.
 * A test key can only ever vouch for this issuer, so such a license can never pass for the vendor's.
 */
export const TEST_ISSUER = 'urn:release-passport:test-license';

export const LICENSE_TYPE = 'rp-license+jwt';

/** Enforce mode on a production environment needs a license carrying this feature. */
export const PRODUCTION_FEATURE = 'production-enforce';

export const LICENSE_FEATURES = [PRODUCTION_FEATURE, 'packages', 'air-gapped-bundle', 'priority-support'] as const;
export type LicenseFeature = (typeof LICENSE_FEATURES)[number];

export const licenseClaimsSchema = z.object({
  iss: z.enum([VENDOR_ISSUER, TEST_ISSUER]),
  /** The owner's customer id. */
  sub: z.string().min(1),
  /** The license id, unique per issuance. */
  jti: z.string().min(1),
  iat: z.number().int(),
  nbf: z.number().int().optional(),
  exp: z.number().int(),
  licensee: z.object({ name: z.string(), email: z.string() }),
  plan: z.string().min(1),
  seats: z.number().int().positive(),
  // Unknown future features are kept (an older runtime ignores them) rather than refused.
  features: z.array(z.string()),
  /**
   * The runtime installation the license is for (its id, Settings → License), or "portable": valid
   * on any installation. Licenses made before this claim existed are portable.
   */
  installation: z.union([z.uuid(), z.literal('portable')]).default('portable'),
});

export type LicenseClaims = z.infer<typeof licenseClaimsSchema>;
