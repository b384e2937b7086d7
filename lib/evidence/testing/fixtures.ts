/**
 * Evidence documents for tests: small, realistic examples of each kind, and secrets in the
 * formats the sanitizer must catch (fake values with the right shape).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProblemError } from '@/lib/http/problem';
import { dsse } from '@sigstore/core';
import { analyzeEvidenceFile, type Analysis, type AnalysisOptions } from '../analyze';
import type { EvidenceKind } from '../kinds';
import { parsePublicKey } from '../provenance-keys';
import type { TrustedKeyMaterial } from '../provenance-verify';
import { fakePrivateKeyPem } from '@/lib/testing/fake-keys';

export const FAKE_SECRETS = {
  github: 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
  rp: 'rp_' + 'live_3fa9c2d1e0b7a6958473625140abcdef',
  aws: 'AKIA' + 'IOSFODNN7EXAMPLE',
  stripe: 'sk_live_' + '51HqJxRabcdefghijklmnopqrstu',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.' + 'eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  slack: 'xoxb-' + '123456789012-abcdefghijklmnop',
  privateKey: fakePrivateKeyPem('OPENSSH'),
} as const;

export { sha256Hex } from '@/lib/json/canonical';

/** Writes `content` to a temporary file, analyzes it as `kind`, and removes the file. */
export async function analyzeBytes(kind: EvidenceKind, content: string | Buffer, mediaType = defaultMediaType(kind), options: AnalysisOptions = {}): Promise<Analysis> {
  const file = path.join(os.tmpdir(), `rp-evidence-test-${crypto.randomUUID()}`);
  await fs.promises.writeFile(file, content);
  try {
    return await analyzeEvidenceFile(kind, mediaType, file, options);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

export function defaultMediaType(kind: EvidenceKind): string {
  return {
    sbom: 'application/json',
    sarif: 'application/sarif+json',
    vex: 'application/json',
    checksums: 'text/plain',
    provenance: 'application/vnd.in-toto+json',
    manifests: 'application/yaml',
    junit: 'application/xml',
    custom: 'application/json',
  }[kind];
}

export function cyclonedx(components: Array<{ name: string; license?: string; expression?: string; components?: unknown[] }>) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: { component: { type: 'application', name: 'checkout', version: '2.4.1' }, tools: { components: [{ name: 'syft' }] } },
    components: components.map((component) => ({
      type: 'library',
      name: component.name,
      version: '1.0.0',
      purl: `pkg:npm/${component.name}@1.0.0`,
      ...(component.license ? { licenses: [{ license: { id: component.license } }] } : {}),
      ...(component.expression ? { licenses: [{ expression: component.expression }] } : {}),
      ...(component.components ? { components: component.components } : {}),
    })),
  };
}

export function spdx(packages: Array<{ name: string; concluded?: string; declared?: string }>) {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'checkout-2.4.1',
    documentNamespace: 'https://example.com/spdx/checkout-2.4.1',
    creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: syft'] },
    packages: packages.map((pkg, index) => ({
      SPDXID: `SPDXRef-Package-${index}`,
      name: pkg.name,
      versionInfo: '1.0.0',
      downloadLocation: 'NOASSERTION',
      licenseConcluded: pkg.concluded ?? 'NOASSERTION',
      licenseDeclared: pkg.declared ?? 'NOASSERTION',
    })),
  };
}

export interface SarifFinding {
  ruleId: string;
  level?: 'error' | 'warning' | 'note' | 'none';
  securitySeverity?: string;
  suppressed?: boolean;
  /** The first location; absent means the result has none. */
  file?: string;
  line?: number;
}

export function sarif(findings: SarifFinding[], rules: Array<{ id: string; level?: string; securitySeverity?: string; title?: string; helpUri?: string }> = []) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'CodeQL',
            rules: rules.map((rule) => ({
              id: rule.id,
              ...(rule.level ? { defaultConfiguration: { level: rule.level } } : {}),
              ...(rule.securitySeverity ? { properties: { 'security-severity': rule.securitySeverity } } : {}),
              ...(rule.title ? { shortDescription: { text: rule.title } } : {}),
              ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
            })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.ruleId,
          ...(finding.level ? { level: finding.level } : {}),
          message: { text: `finding of ${finding.ruleId}` },
          ...(finding.securitySeverity ? { properties: { 'security-severity': finding.securitySeverity } } : {}),
          ...(finding.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
          ...(finding.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: finding.file }, ...(finding.line ? { region: { startLine: finding.line } } : {}) } }] } : {}),
        })),
      },
    ],
  };
}

export function statement(subjects: Array<{ name: string; sha256: string }>) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects.map((subject) => ({ name: subject.name, digest: { sha256: subject.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/checkout' } },
        resolvedDependencies: [{ uri: 'git+https://github.com/acme/checkout@refs/heads/main', digest: { gitCommit: 'a'.repeat(40) } }],
      },
      runDetails: { builder: { id: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0' } },
    },
  };
}

export function dsseEnvelope(payload: unknown) {
  return {
    payloadType: 'application/vnd.in-toto+json',
    payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
    signatures: [{ keyid: '', sig: Buffer.from('not-a-real-signature').toString('base64') }],
  };
}

/** A DSSE envelope signed as cosign attest --key signs one: over the PAE, ECDSA P-256 with SHA-256 (DER) or Ed25519. */
export function signedDsseEnvelope(payload: unknown, privateKey: crypto.KeyObject) {
  const body = Buffer.from(JSON.stringify(payload));
  const pae = dsse.preAuthEncoding('application/vnd.in-toto+json', body);
  const sig = crypto.sign(privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', pae, privateKey);
  return { payloadType: 'application/vnd.in-toto+json', payload: body.toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] };
}

/** A generated ECDSA P-256 signing key, and its public half as the workspace's trusted-key material. */
export function generatedSigner(): { privateKey: crypto.KeyObject; publicKeyPem: string; material: TrustedKeyMaterial } {
  const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const parsed = parsePublicKey(publicKeyPem);
  if (!('key' in parsed)) throw new Error(parsed.error);
  return { privateKey: pair.privateKey, publicKeyPem, material: { fingerprint: parsed.fingerprint, key: parsed.key } };
}

export function junit(cases: Array<{ suite: string; name: string; outcome: 'pass' | 'fail' | 'error' | 'skip' }>, output = ''): string {
  const suites = new Map<string, typeof cases>();
  for (const testcase of cases) suites.set(testcase.suite, [...(suites.get(testcase.suite) ?? []), testcase]);
  const body = [...suites.entries()]
    .map(([suite, items]) => {
      const testcases = items
        .map((item) => {
          const inner =
            item.outcome === 'fail'
              ? '<failure message="expected 1 to be 2" type="AssertionError">stack</failure>'
              : item.outcome === 'error'
                ? '<error message="boom"/>'
                : item.outcome === 'skip'
                  ? '<skipped/>'
                  : '';
          return `    <testcase name="${escapeXml(item.name)}" classname="${escapeXml(suite)}" time="0.01">${inner}</testcase>`;
        })
        .join('\n');
      return `  <testsuite name="${escapeXml(suite)}" tests="${items.length}" time="0.5">\n${testcases}\n    <system-out>${escapeXml(output)}</system-out>\n  </testsuite>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="all">\n${body}\n</testsuites>\n`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The problem a promise rejects with (fails the test when it resolves or throws anything else). */
export async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a problem+json rejection');
}
