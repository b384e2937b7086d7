/** Test inputs for the gate: a release with evidence summaries as the parsers produce them. */
import type { ChecksumsSummary } from '@/lib/evidence/parsers/checksums';
import type { JunitSummary } from '@/lib/evidence/parsers/junit';
import type { ProvenanceSummary } from '@/lib/evidence/parsers/provenance';
import type { SarifSummary } from '@/lib/evidence/parsers/sarif';
import type { SbomSummary } from '@/lib/evidence/parsers/sbom';
import { parsePolicyDocument, policyHash, type PolicyMode } from '@/lib/policy/schema';
import type { AppliedPolicy } from './evaluate';
import type { EvidenceInput, GateInputs } from './inputs';

export const IMAGE_HEX = 'a'.repeat(64);
export const EVALUATED_AT = '2026-03-04T10:00:00.000Z';

let counter = 0;
function digest(): string {
  counter++;
  return counter.toString(16).padStart(64, '0');
}

export function evidence(kind: EvidenceInput['kind'], summary: object, collectedAt = '2026-03-04T09:00:00.000Z'): EvidenceInput {
  return { sha256: digest(), kind, mediaType: 'application/json', size: 1234, collectedAt, summary: summary as Record<string, unknown> };
}

export function sbomSummary(licenses: Record<string, number> = { MIT: 3 }, components = 3): SbomSummary {
  return { format: 'cyclonedx', specVersion: '1.5', subject: null, components, componentsWithoutLicense: 0, licenses };
}

export function sarifSummary(bySeverity: Partial<SarifSummary['bySeverity']> = {}, rulesBySeverity: SarifSummary['rulesBySeverity'] = {}): SarifSummary {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, none: 0, ...bySeverity };
  return {
    format: 'sarif',
    version: '2.1.0',
    runs: 1,
    tools: ['CodeQL'],
    results: Object.values(counts).reduce((a, b) => a + b, 0),
    suppressed: 0,
    byLevel: { error: counts.critical + counts.high, warning: counts.medium, note: counts.low, none: counts.none },
    bySeverity: counts,
    rulesBySeverity,
  };
}

export function provenanceSummary(sha256s: string[] = [IMAGE_HEX], overrides: Partial<ProvenanceSummary> = {}): ProvenanceSummary {
  return {
    format: 'in-toto',
    statementType: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subjects: sha256s.map((sha256, index) => ({ name: `image-${index}`, digest: { sha256 } })),
    builderId: 'https://github.com/actions/runner',
    buildType: null,
    materials: 1,
    envelope: null,
    ...overrides,
  };
}

/** A keyless signer as a provenance-subject rule names it (trustedIdentities). */
export const TRUSTED_IDENTITY = {
  issuer: 'https://token.actions.githubusercontent.com',
  identity: 'https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main',
};

/**
 * Provenance whose Sigstore bundle verified at ingest, signed by TRUSTED_IDENTITY (the summary
 * shape lib/evidence/provenance-verify.ts records; that verification is tested on real bundles
 * in lib/evidence/provenance-verify.test.ts).
 */
export function signedProvenanceSummary(sha256s: string[] = [IMAGE_HEX], overrides: Partial<ProvenanceSummary> = {}): ProvenanceSummary {
  return provenanceSummary(sha256s, {
    envelope: {
      payloadType: 'application/vnd.in-toto+json',
      signatures: 1,
      modifiedBySanitizer: false,
      sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verification: {
        method: 'sigstore-bundle',
        status: 'verified',
        reason: null,
        identity: { issuer: TRUSTED_IDENTITY.issuer, subjectAlternativeName: TRUSTED_IDENTITY.identity },
        tlog: [{ logIndex: '123456', integratedTime: '1772614800', inclusion: 'proof' }],
        trustedRoot: 'e'.repeat(64),
        keys: [],
        keysTried: 0,
      },
    },
    ...overrides,
  });
}

export function checksumsSummary(entries: Array<[string, string]>): ChecksumsSummary {
  return {
    format: 'checksums',
    algorithms: ['sha256'],
    count: entries.length,
    entries: entries.map(([name, sha]) => ({ name, algorithm: 'sha256', digest: sha })),
    truncated: false,
  };
}

export function junitSummary(tests: number, failed: string[] = []): JunitSummary {
  return { format: 'junit', suites: 1, tests, passed: tests - failed.length, failures: failed.length, errors: 0, skipped: 0, time: 1, failed };
}

export function inputs(overrides: Partial<GateInputs> & { production?: boolean } = {}): GateInputs {
  const { production = false, ...rest } = overrides;
  return {
    workspace: 'acme',
    release: {
      service: 'checkout',
      environment: production ? 'production' : 'staging',
      production,
      sourceSha: 'c'.repeat(40),
      imageDigest: `sha256:${IMAGE_HEX}`,
      chartVersion: '1.4.2',
    },
    evidence: [],
    artifacts: [],
    approvals: [],
    connectorReadings: [],
    license: { productionEnforcement: false },
    ...rest,
  };
}

export function policy(mode: PolicyMode, rules: unknown[]): AppliedPolicy {
  const document = parsePolicyDocument({ mode, rules });
  return { id: '00000000-0000-4000-8000-000000000001', name: 'test policy', version: 3, hash: policyHash(document), ...document };
}
