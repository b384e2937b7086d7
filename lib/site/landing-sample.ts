/**
 * The landing page's sample CI step: a real evaluation (the gate's own pure evaluator, on a
 * release with a SARIF scan that has high findings, an SBOM and week-old provenance) rendered by the
 * CLI's own formatter, so the sample is what `rp gate` prints and cannot drift from it.
 */
import { formatDecision } from '@/cli/support/decision';
import type { GateAnswer } from '@/cli/commands/gate';
import { evaluateRelease, type AppliedPolicy } from '@/lib/gate/evaluate';
import type { GateInputs } from '@/lib/gate/inputs';
import { parsePolicyDocument, policyHash } from '@/lib/policy/schema';

export const LANDING_COMMAND = `$ npx rp gate --service api --environment production \\
    --sbom sbom.cdx.json --sarif scan.sarif --provenance provenance.intoto.jsonl`;

const EVALUATED_AT = '2026-11-03T14:22:05.000Z';
const IMAGE = `sha256:${'5d3e0c41'.repeat(8)}`;

function sampleAnswer(): GateAnswer {
  const document = parsePolicyDocument({
    mode: 'enforce',
    rules: [
      { id: 'no-high-findings', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
      { id: 'sbom', type: 'sbom-present' },
      { id: 'fresh-provenance', type: 'evidence-required', kind: 'provenance', maxAgeHours: 168 },
    ],
  });
  const policy: AppliedPolicy = { id: '3f1c2a90-6d1e-4c59-9a7e-0b8f6c1d2e34', name: 'production', version: 7, hash: policyHash(document), ...document };
  const summary = (value: object) => value as Record<string, unknown>;
  const inputs: GateInputs = {
    workspace: 'acme',
    release: { service: 'api', environment: 'production', production: true, sourceSha: '9c41e07b2d3f5a6e8b1c0d9f7a6e5b4c3d2e1f0a', imageDigest: IMAGE, chartVersion: null },
    evidence: [
      {
        sha256: '9f2c'.repeat(16),
        kind: 'sarif',
        mediaType: 'application/sarif+json',
        size: 48_211,
        collectedAt: '2026-11-03T14:20:41.000Z',
        summary: summary({ format: 'sarif', version: '2.1.0', runs: 1, tools: ['CodeQL'], results: 2, suppressed: 0, byLevel: { error: 2, warning: 0, note: 0, none: 0 }, bySeverity: { critical: 0, high: 2, medium: 0, low: 0, none: 0 }, rulesBySeverity: { high: ['js/sql-injection'] } }),
      },
      {
        sha256: '41ab'.repeat(16),
        kind: 'sbom',
        mediaType: 'application/vnd.cyclonedx+json',
        size: 201_377,
        collectedAt: '2026-11-03T14:19:02.000Z',
        summary: summary({ format: 'cyclonedx', specVersion: '1.6', subject: null, components: 412, componentsWithoutLicense: 3, licenses: { MIT: 301, 'Apache-2.0': 108 } }),
      },
      {
        sha256: 'c07e'.repeat(16),
        kind: 'provenance',
        mediaType: 'application/vnd.in-toto+json',
        size: 9_804,
        collectedAt: '2026-10-25T09:12:44.000Z',
        summary: summary({ format: 'in-toto', statementType: 'https://in-toto.io/Statement/v1', predicateType: 'https://slsa.dev/provenance/v1', subjects: [{ name: 'api', digest: { sha256: IMAGE.slice(7) } }], builderId: 'https://github.com/actions/runner', buildType: null, materials: 3, envelope: null }),
      },
    ],
    artifacts: [],
    approvals: [],
    connectorReadings: [],
    license: { productionEnforcement: true },
  };
  const evaluation = evaluateRelease(inputs, policy, EVALUATED_AT);
  const passportId = '5d3e'.repeat(15) + 'a91b';
  return {
    ...evaluation,
    evaluatedAt: EVALUATED_AT,
    inputHash: 'e3b1'.repeat(16),
    policy: { id: policy.id, name: policy.name, version: policy.version, hash: policy.hash },
    release: { id: '7a0e3c51-2b4d-4e6f-8a9b-1c2d3e4f5a6b', service: 'api', environment: 'production', sourceSha: inputs.release.sourceSha, imageDigest: IMAGE, chartVersion: null },
    passport: { id: passportId, url: `/api/v1/passports/${passportId}`, consoleUrl: `/console/acme/passports/${passportId}`, keyId: 'ws-acme-2026', envelope: { payloadType: 'application/vnd.in-toto+json', payload: '', signatures: [] } },
  };
}

/** The sample as the landing page shows it: the command, then exactly what the CLI prints. */
export function landingSample(baseUrl = 'https://passport.acme.example'): string {
  return [LANDING_COMMAND, ...formatDecision(sampleAnswer(), baseUrl)].join('\n');
}

export { sampleAnswer as landingSampleAnswer };
