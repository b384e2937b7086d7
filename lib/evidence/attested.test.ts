/**
 * SBOMs, scans and VEX sent inside an in-toto attestation (cosign attest, attest-sbom, vexctl
 * attest): read as the document the predicate carries, in every wrapper (a bare statement, a DSSE
 * envelope, a Sigstore bundle, a line of a JSON Lines bundle), with the attestation and its
 * signature status (checked by the provenance verification code) recorded. The carried documents
 * are real public files (lib/evidence/testing/real/SOURCES.md); the statements around them are
 * built here the way cosign builds them, and signed with generated keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect';
import type { CarrierAttestation } from './parsers/provenance';
import type { TrustedKeyMaterial } from './provenance-verify';
import { analyzeBytes, generatedSigner, problemOf, signedDsseEnvelope, statement } from './testing/fixtures';
import type { EvidenceKind } from './kinds';

const REAL = path.join(__dirname, 'testing', 'real');
const real = (name: string) => fs.readFileSync(path.join(REAL, name), 'utf8');
const IMAGE = { name: 'ghcr.io/acme/checkout', sha256: 'b'.repeat(64) };

/** An in-toto statement as cosign attest writes one (fields in its order). */
function attest(predicateType: string, predicate: unknown) {
  return { _type: 'https://in-toto.io/Statement/v0.1', predicateType, subject: [{ name: IMAGE.name, digest: { sha256: IMAGE.sha256 } }], predicate };
}

/** A CodeQL run with one finding of its hard-coded credentials query, which quotes the value in its message. */
function credentialFinding() {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'CodeQL', rules: [{ id: 'js/hardcoded-credentials', properties: { tags: ['security', 'external/cwe/cwe-798'] } }] } },
        results: [
          {
            ruleId: 'js/hardcoded-credentials',
            level: 'error',
            message: { text: 'The hard-coded value "Qm9vbS1kYi1wdw" is used as [authorization header](1).' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'src/client.js' }, region: { startLine: 7 } } }],
          },
        ],
      },
    ],
  };
}

const trusted = generatedSigner();
const unknown = generatedSigner();

async function read(kind: EvidenceKind, bytes: string, keys: TrustedKeyMaterial[] = [trusted.material]) {
  const analysis = await analyzeBytes(kind, bytes, 'application/json', { provenanceKeys: keys });
  const { attestation, ...carried } = analysis.summary as unknown as { attestation?: CarrierAttestation } & Record<string, unknown>;
  return { analysis, attestation: attestation!, carried };
}

const direct = async (kind: EvidenceKind, text: string) => (await analyzeBytes(kind, text, 'application/json')).summary;

const DOCUMENTS = [
  { kind: 'sbom', file: 'trivy-npm.cdx.json', predicateType: 'https://cyclonedx.org/bom' },
  { kind: 'sbom', file: 'trivy-conda.spdx.json', predicateType: 'https://spdx.dev/Document' },
  { kind: 'vex', file: 'vexctl-sample-2vulns.openvex.json', predicateType: 'https://openvex.dev/ns/v0.2.0' },
] as const;

describe('an attestation is read as the document its predicate carries', () => {
  describe.each(DOCUMENTS)('$file ($predicateType) sent as $kind', ({ kind, file, predicateType }) => {
    const document = JSON.parse(real(file)) as unknown;
    const statementOf = attest(predicateType, document);

    it('a bare statement: the summary is the document\'s, and the attestation is unsigned', async () => {
      const { analysis, attestation, carried } = await read(kind, JSON.stringify(statementOf));
      expect(carried).toEqual(await direct(kind, real(file)));
      expect(attestation).toMatchObject({
        predicateType,
        predicate: 'document',
        subjects: [{ name: IMAGE.name, digest: { sha256: IMAGE.sha256 } }],
        envelope: null,
        signature: { status: 'unsigned', text: 'unsigned' },
      });
      // Stored as sent: the evidence's identity is the digest of the attestation's bytes.
      expect(analysis.output).toEqual({ type: 'unchanged' });
    });

    it('a DSSE envelope signed by a trusted key: verified, naming the key', async () => {
      const { attestation, carried } = await read(kind, JSON.stringify(signedDsseEnvelope(statementOf, trusted.privateKey)));
      expect(carried).toEqual(await direct(kind, real(file)));
      expect(attestation.signature).toEqual({ status: 'verified', text: `signature verified by key ${trusted.material.fingerprint.slice(0, 'sha256:'.length + 16)}…` });
      expect(attestation.envelope).toMatchObject({ payloadType: 'application/vnd.in-toto+json', signatures: 1, sigstoreBundle: null, verification: { method: 'dsse-public-key', status: 'verified', keys: [trusted.material.fingerprint] } });
    });

    it('a DSSE envelope signed by a key the workspace does not trust: accepted, unverified, and why', async () => {
      const { attestation, carried } = await read(kind, JSON.stringify(signedDsseEnvelope(statementOf, unknown.privateKey)));
      expect(carried).toEqual(await direct(kind, real(file)));
      expect(attestation.signature).toEqual({ status: 'unverified', text: "signature not verified (none of the envelope's 1 signature is verified by the workspace's 1 trusted key)" });
    });
  });

  it('a CycloneDX VEX in a CycloneDX attestation sent as VEX is read as VEX (a CycloneDX VEX is a BOM)', async () => {
    const { attestation, carried } = await read('vex', JSON.stringify(attest('https://cyclonedx.org/bom', JSON.parse(real('cdx-cisa-case3.cdx.json')))));
    expect(carried).toEqual(await direct('vex', real('cdx-cisa-case3.cdx.json')));
    expect(carried).toMatchObject({ format: 'cyclonedx', total: 19 });
    expect(attestation.predicateType).toBe('https://cyclonedx.org/bom');
  });

  it('a line of an in-toto JSON Lines bundle (beside real provenance): that line is read, the others noted', async () => {
    const provenanceLine = real('gh-sigstore-js-2.1.0-two-bundles.intoto.jsonl').split('\n')[0]!;
    const sbomLine = JSON.stringify(signedDsseEnvelope(attest('https://cyclonedx.org/bom', JSON.parse(real('trivy-npm.cdx.json'))), trusted.privateKey));
    const { attestation, carried } = await read('sbom', `${provenanceLine}\n${sbomLine}\n`);
    expect(carried).toEqual(await direct('sbom', real('trivy-npm.cdx.json')));
    expect(attestation).toMatchObject({ line: 2, notes: ['line 1: https://slsa.dev/provenance/v1, not sbom'], signature: { status: 'verified' } });
  });

  it('a Sigstore bundle: read, and its signature checked by the provenance code (here it fails: the payload is not the one signed)', async () => {
    const bundle = JSON.parse(real('sigstore-js-bundleV03-intoto.sigstore.json')) as { dsseEnvelope: { payload: string } };
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(attest('https://spdx.dev/Document', JSON.parse(real('trivy-conda.spdx.json'))))).toString('base64');
    const { attestation, carried } = await read('sbom', JSON.stringify(bundle));
    expect(carried).toEqual(await direct('sbom', real('trivy-conda.spdx.json')));
    expect(attestation.envelope).toMatchObject({ sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json', verification: { method: 'sigstore-bundle', status: 'failed' } });
    expect(attestation.signature.status).toBe('unverified');
    expect(attestation.signature.text).toMatch(/^signature not verified \(.+\)$/);
  });

  it('a document carried as a string (cosign attest --type spdx): SPDX JSON text and SPDX tag-value text', async () => {
    const json = await read('sbom', JSON.stringify(attest('https://spdx.dev/Document', real('trivy-conda.spdx.json'))));
    expect(json.carried).toEqual(await direct('sbom', real('trivy-conda.spdx.json')));
    expect(json.attestation.predicate).toBe('string');
    const tagValue = await read('sbom', JSON.stringify(attest('https://spdx.dev/Document', real('spdx-spec-example-v2.3.spdx'))));
    expect(tagValue.carried).toEqual(await direct('sbom', real('spdx-spec-example-v2.3.spdx')));
    expect(tagValue.carried).toMatchObject({ format: 'spdx', encoding: 'tag-value' });
  });

  it('cosign\'s vulnerability predicate: a SARIF scanner.result is read as the SARIF log', async () => {
    const predicate = JSON.parse(real('cosign-vuln-predicate.json')) as { scanner: { result: unknown } };
    predicate.scanner.result = JSON.parse(real('trivy-alpine-310.sarif'));
    const { attestation, carried } = await read('sarif', JSON.stringify(signedDsseEnvelope(attest('https://cosign.sigstore.dev/attestation/vuln/v1', predicate), trusted.privateKey)));
    expect(carried).toEqual(await direct('sarif', real('trivy-alpine-310.sarif')));
    expect(attestation).toMatchObject({ scanner: { uri: 'fakescanner.example.com/cosign-testing', version: '' }, signature: { status: 'verified' } });
  });

  it('secrets inside the carried document are redacted in what is stored (inside the envelope\'s payload too); the summary is unchanged', async () => {
    const bom = { ...(JSON.parse(real('trivy-npm.cdx.json')) as object), properties: [{ name: 'api_token', value: 'hunter2-hunter2-hunter2' }] };
    for (const text of [JSON.stringify(attest('https://cyclonedx.org/bom', bom)), JSON.stringify(signedDsseEnvelope(attest('https://cyclonedx.org/bom', bom), trusted.privateKey))]) {
      const { analysis, attestation } = await read('sbom', text);
      expect(analysis.redactions.count).toBe(1);
      expect(analysis.output.type).toBe('rewrites');
      // The signature was checked on the bytes as sent, before anything was replaced.
      if (attestation.envelope) expect(attestation).toMatchObject({ signature: { status: 'verified' }, envelope: { modifiedBySanitizer: true } });
    }
  });

  it("a secret scanner's SARIF carried as a cosign vulnerability attestation loses its snippets too, in the statement and inside a signed envelope", async () => {
    const predicate = JSON.parse(real('cosign-vuln-predicate.json')) as { scanner: { result: unknown } };
    predicate.scanner.result = JSON.parse(real('gitleaks-8-sarif-simple.sarif'));
    const statementText = JSON.stringify(attest('https://cosign.sigstore.dev/attestation/vuln/v1', predicate));
    const bare = await read('sarif', statementText);
    expect(bare.analysis.redactions.items).toEqual([{ kind: 'secret-scanner-finding', location: '/predicate/scanner/result/runs/0/results/0/locations/0/physicalLocation/region/snippet/text' }]);
    const envelope = await read('sarif', JSON.stringify(signedDsseEnvelope(attest('https://cosign.sigstore.dev/attestation/vuln/v1', predicate), trusted.privateKey)));
    expect(envelope.analysis.redactions.byKind).toEqual({ 'secret-scanner-finding': 1 });
    expect(envelope.attestation).toMatchObject({ signature: { status: 'verified' }, envelope: { modifiedBySanitizer: true } });
    expect(envelope.carried).toMatchObject({ tools: ['gitleaks'], results: 1 });
  });

  it('the summary of a carried SARIF log is read from the stored statement: a credential CodeQL quotes in its message is in neither', async () => {
    const predicate = JSON.parse(real('cosign-vuln-predicate.json')) as { scanner: { result: unknown } };
    predicate.scanner.result = credentialFinding();
    const envelope = await read('sarif', JSON.stringify(signedDsseEnvelope(attest('https://cosign.sigstore.dev/attestation/vuln/v1', predicate), trusted.privateKey)));
    expect(envelope.attestation).toMatchObject({ signature: { status: 'verified' }, envelope: { modifiedBySanitizer: true } });
    expect(JSON.stringify(envelope.carried)).not.toContain('Qm9vbS1kYi1wdw');
    expect(envelope.carried).toMatchObject({ results: 1, findings: [{ ruleId: 'js/hardcoded-credentials', message: 'The hard-coded value "[redacted:secret-scanner-finding]" is used as authorization header.' }] });
  });

  it('detection names the carried kind from the statement or from the envelope\'s payload', () => {
    const sbom = attest('https://cyclonedx.org/bom', { bomFormat: 'CycloneDX' });
    expect(detectFormat(JSON.stringify(sbom))).toMatchObject({ kind: 'sbom', name: 'an in-toto statement (predicate https://cyclonedx.org/bom)' });
    expect(detectFormat(JSON.stringify(signedDsseEnvelope(sbom, trusted.privateKey)))).toMatchObject({ kind: 'sbom', name: 'a DSSE envelope (predicate https://cyclonedx.org/bom)' });
    expect(detectFormat(JSON.stringify(attest('https://openvex.dev/ns/v0.2.0', {})))).toMatchObject({ kind: 'vex' });
    expect(detectFormat(JSON.stringify(attest('https://cosign.sigstore.dev/attestation/vuln/v1', {})))).toMatchObject({ kind: 'sarif' });
    expect(detectFormat(real('npm-sigstore-3.1.0.sigstore.json'))).toMatchObject({ kind: 'provenance', name: 'a Sigstore bundle (predicate https://slsa.dev/provenance/v1)' });
  });
});

describe('refusals name the predicate type and what to send', () => {
  it('an SBOM attestation whose predicate is no SBOM', async () => {
    const problem = await problemOf(read('sbom', JSON.stringify(attest('https://cyclonedx.org/bom', { hello: 'world' }))));
    expect(problem.message).toMatch(/the predicate of this attestation \(https:\/\/cyclonedx\.org\/bom\) is not a readable SBOM \(.+\): send the SBOM itself \(CycloneDX JSON or XML, SPDX JSON or tag-value\), or an attestation whose predicate is one/);
  });

  it('cosign\'s vulnerability predicate without a SARIF result (the real cosign test predicate: result null), or with another format', async () => {
    const empty = await problemOf(read('sarif', JSON.stringify(attest('https://cosign.sigstore.dev/attestation/vuln/v1', JSON.parse(real('cosign-vuln-predicate.json'))))));
    expect(empty.message).toMatch(/the scan result \("predicate\.scanner\.result"\) of this cosign vulnerability attestation \(scanner fakescanner\.example\.com\/cosign-testing\) is missing: send the scanner's SARIF log itself/);
    const predicate = JSON.parse(real('cosign-vuln-predicate.json')) as { scanner: { result: unknown } };
    predicate.scanner.result = { matches: [{ vulnerability: { id: 'CVE-2024-0001' } }] };
    const grype = await problemOf(read('sarif', JSON.stringify(attest('https://cosign.sigstore.dev/attestation/vuln/v1', predicate))));
    expect(grype.message).toMatch(/\(scanner fakescanner\.example\.com\/cosign-testing\) is not a SARIF log \(.+\): send the scanner's SARIF log itself \(e\.g\. trivy image --format sarif\)/);
  });

  it('an SBOM attestation sent as --sarif names both', async () => {
    const problem = await problemOf(read('sarif', JSON.stringify(signedDsseEnvelope(attest('https://cyclonedx.org/bom', JSON.parse(real('trivy-npm.cdx.json'))), trusted.privateKey))));
    expect(problem.message).toMatch(/^this is a DSSE envelope \(predicate https:\/\/cyclonedx\.org\/bom\), sent as sarif evidence: /);
    expect(problem.message).toContain('it is an attestation of a CycloneDX SBOM (predicate https://cyclonedx.org/bom), not of a SARIF scan: send it as sbom evidence (rp gate --sbom FILE)');
    // Where it goes is said once, not once by the reader and again by the refusal around it.
    expect(problem.message.split('send it as sbom evidence')).toHaveLength(2);
  });

  it('provenance sent as --sbom or --vex says to send it as provenance', async () => {
    const problem = await problemOf(read('vex', real('npm-sigstore-3.1.0.sigstore.json')));
    expect(problem.message).toMatch(/^this is a Sigstore bundle \(predicate https:\/\/slsa\.dev\/provenance\/v1\), sent as vex evidence: send it as provenance evidence/);
    const statementProblem = await problemOf(read('sbom', JSON.stringify(statement([IMAGE]))));
    expect(statementProblem.message).toContain('it is build provenance (predicate https://slsa.dev/provenance/v1), not an SBOM: send it as provenance (rp gate --provenance FILE)');
  });
});
