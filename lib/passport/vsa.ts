/**
 * The passport as an SLSA Verification Summary Attestation (https://slsa.dev/verification_summary/v1),
 * for tools that take VSAs (slsa-verifier, cosign, Kyverno, sigstore policy-controller). Built only
 * from the signed passport, so it says nothing the passport does not:
 * - verificationResult: PASSED when the gate allowed the release (allow or warn), FAILED on a deny,
 *   whatever the policy's mode (a deny in shadow mode blocked nothing, but the policy still failed);
 * - verifiedLevels: `RELEASE_PASSPORT_ENV_<environment>` when PASSED, `FAILED` otherwise. Custom
 *   values, as the specification allows (none starts with SLSA_): the gate judges a release against
 *   a workspace's policy, not SLSA build levels, and claims none;
 * - timeVerified: when the gate judged it; policy: the policy version's hash; inputAttestations: the
 *   evidence judged, by digest.
 * Signed with the key that signed the passport (docs/decisions: same decision, same key), as a DSSE
 * envelope like the passport itself.
 */
import { canonicalJson } from '@/lib/json/canonical';
import { IN_TOTO_STATEMENT_TYPE, type PassportStatement } from './statement';

export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';

export interface VsaStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: Array<{ name: string; digest: Record<string, string> }>;
  predicateType: typeof VSA_PREDICATE_TYPE;
  predicate: {
    verifier: { id: string; version: Record<string, string> };
    timeVerified: string;
    resourceUri: string;
    policy: { uri: string; digest: Record<string, string> };
    inputAttestations: Array<{ uri: string; digest: Record<string, string> }>;
    verificationResult: 'PASSED' | 'FAILED';
    verifiedLevels: string[];
    slsaVersion: '1.0';
  };
}

/** The verifiedLevels value an admission policy requires to admit a release into `environment`. */
export function environmentLevel(environment: string): string {
  return `RELEASE_PASSPORT_ENV_${environment}`;
}

/**
 * `baseUrl` is the runtime's public address (the verifier's identity: this installation's
 * workspace); `version` the product version that judged it.
 */
export function buildVsa(passport: PassportStatement, options: { baseUrl: string; version: string; passportId: string }): { statement: VsaStatement; payload: string } {
  const { predicate } = passport;
  const { release } = predicate;
  const passed = predicate.decision.result !== 'deny';
  const workspaceUrl = `${options.baseUrl}/api/v1/workspaces/${predicate.workspace}`;
  const hex = release.imageDigest.slice('sha256:'.length);
  const statement: VsaStatement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    // The released image only: admission controllers match the VSA to the image by this digest.
    subject: [{ name: release.service, digest: { sha256: hex } }],
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: workspaceUrl, version: { 'release-passport': options.version } },
      timeVerified: predicate.decision.evaluatedAt,
      // A package URL for an OCI image by digest (the repository is not the gate's to know).
      resourceUri: `pkg:oci/${encodeURIComponent(release.service)}@sha256%3A${hex}`,
      policy: { uri: `${workspaceUrl}/policies/${predicate.policy.id}/versions/${predicate.policy.version}`, digest: { sha256: predicate.policy.hash } },
      inputAttestations: [
        { uri: `${workspaceUrl}/passports/${options.passportId}/envelope`, digest: { sha256: options.passportId } },
        ...predicate.evidence.map((item) => ({ uri: `${options.baseUrl}/api/v1/evidence/${item.sha256}`, digest: { sha256: item.sha256 } })),
      ],
      verificationResult: passed ? 'PASSED' : 'FAILED',
      verifiedLevels: passed ? [environmentLevel(release.environment)] : ['FAILED'],
      slsaVersion: '1.0',
    },
  };
  return { statement, payload: canonicalJson(statement) };
}
