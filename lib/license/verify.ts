/**
 * Offline license verification: the signature against the trusted public keys, the issuer the
 * signing key may vouch for, the validity window, then the claims' shape. No network, no owner
 * code: this runs inside the customer runtime.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { LICENSE_TYPE, licenseClaimsSchema, type LicenseClaims } from './claims';
import { trustedLicenseKeys, type TrustedKey } from './trusted-keys';

export type LicenseRefusal =
  | 'malformed'
  | 'unknown-key'
  | 'bad-signature'
  | 'wrong-issuer'
  | 'expired'
  | 'not-yet-valid'
  | 'invalid-claims'
  | 'other-installation';

export type LicenseVerification =
  | { valid: true; claims: LicenseClaims; trust: TrustedKey['trust']; kid: string }
  | {
      valid: false;
      reason: LicenseRefusal;
      message: string;
      /** Claims of a license whose signature verified but which is outside its validity window or for another installation. */
      claims?: LicenseClaims;
      trust?: TrustedKey['trust'];
    };

const REFUSAL_MESSAGES: Record<LicenseRefusal, string> = {
  malformed: 'This is not a Release Passport license (expected a signed token: three base64url parts separated by dots).',
  'unknown-key': 'The license was signed by a key this runtime does not trust. Licenses come only from the Release Passport portal.',
  'bad-signature': 'The license signature does not verify: the license was altered after it was issued.',
  'wrong-issuer': 'The license names an issuer its signing key may not vouch for.',
  expired: 'The license has expired. Download the current license from the portal and install it.',
  'not-yet-valid': 'The license is not valid yet. Check the clock of this server.',
  'invalid-claims': 'The license is signed but its contents are not a valid license for this version.',
  'other-installation':
    'The license was issued for another installation. Bind your license to this installation in the portal (its id is under Settings → License) and install the license it gives you.',
};

/** Allowed clock difference between the owner's signer and the runtime's server. */
const CLOCK_TOLERANCE_SECONDS = 120;

export async function verifyLicense(
  token: string,
  options: { now?: Date; keys?: TrustedKey[]; /** This runtime's id: a license bound to another is refused. */ installationId?: string } = {},
): Promise<LicenseVerification> {
  const keys = options.keys ?? (await trustedLicenseKeys());
  const trimmed = token.trim();
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(trimmed);
    if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') return refuse('malformed');
    if (header.typ !== LICENSE_TYPE) return refuse('malformed');
    kid = header.kid;
  } catch {
    return refuse('malformed');
  }
  const trusted = keys.find((candidate) => candidate.kid === kid);
  if (!trusted) return refuse('unknown-key');

  try {
    const { payload } = await jwtVerify(trimmed, trusted.key, {
      algorithms: ['EdDSA', 'Ed25519'],
      typ: LICENSE_TYPE,
      issuer: trusted.issuer,
      currentDate: options.now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    const parsed = licenseClaimsSchema.safeParse(payload);
    if (!parsed.success) return refuse('invalid-claims');
    const bound = parsed.data.installation;
    if (options.installationId && bound !== 'portable' && bound !== options.installationId) {
      return { valid: false, reason: 'other-installation', message: REFUSAL_MESSAGES['other-installation'], claims: parsed.data, trust: trusted.trust };
    }
    return { valid: true, claims: parsed.data, trust: trusted.trust, kid: trusted.kid };
  } catch (error) {
    // jose checks the signature before the claims, so a time error means the signature held.
    if (error instanceof errors.JWTExpired) return refuseSigned('expired', trimmed, trusted);
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') return refuseSigned('not-yet-valid', trimmed, trusted);
      if (error.claim === 'iss') return refuse('wrong-issuer');
      return refuse('invalid-claims');
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) return refuse('bad-signature');
    return refuse('malformed');
  }
}

function refuse(reason: LicenseRefusal): LicenseVerification {
  return { valid: false, reason, message: REFUSAL_MESSAGES[reason] };
}

function refuseSigned(reason: 'expired' | 'not-yet-valid', token: string, trusted: TrustedKey): LicenseVerification {
  const parsed = licenseClaimsSchema.safeParse(decodeJwt(token));
  if (!parsed.success) return refuse('invalid-claims');
  if (parsed.data.iss !== trusted.issuer) return refuse('wrong-issuer');
  return { valid: false, reason, message: REFUSAL_MESSAGES[reason], claims: parsed.data, trust: trusted.trust };
}
