import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '@/lib/http/problem';
import { analyzeEvidenceFile } from './analyze';
import { detectFormat } from './detect';

describe('detectFormat', () => {
  it.each([
    ['\uFEFF  <?xml version="1.0"?>\n<!-- by syft -->\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">', 'sbom', 'CycloneDX XML 1.6'],
    ['<bom:bom xmlns:bom="http://cyclonedx.org/schema/bom/1.3">', 'sbom', 'CycloneDX XML 1.3'],
    ['<?xml version="1.0"?><testsuites name="all">', 'junit', 'a JUnit XML report'],
    ['<rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#">', null, 'an SPDX RDF/XML document'],
    ['SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n', 'sbom', 'SPDX 2.2 tag-value'],
    ['{"spdxVersion": "SPDX-2.3", "packages": []}', 'sbom', 'SPDX 2.3 JSON'],
    ['{ "@context" : "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [] }', 'sbom', 'SPDX 3.0.1 JSON-LD'],
    ['{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}', 'sarif', 'a SARIF 2.1.0 log'],
    ['{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1"}', 'provenance', 'an in-toto statement (predicate https://slsa.dev/provenance/v1)'],
    ['{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.3"}}', 'sbom', 'an in-toto statement (predicate https://spdx.dev/Document)'],
    ['{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}', 'vex', 'an OpenVEX document'],
    ['{"document":{"category":"csaf_vex","csaf_version":"2.0"}}', 'vex', 'a CSAF VEX document'],
    ['{"document":{"category":"csaf_security_advisory","csaf_version":"2.0"}}', null, 'a CSAF document (not the VEX profile)'],
    [`${'a'.repeat(64)}  app.tgz\n`, 'checksums', 'a checksums file'],
    ['apiVersion: v1\nkind: ConfigMap\n', 'manifests', 'Kubernetes manifests (YAML)'],
    ['', null, 'an empty file'],
  ])('%j is %s: %s', (head, kind, name) => {
    expect(detectFormat(head)).toMatchObject({ kind, name });
  });
});

describe('JSON Lines', () => {
  const trufflehog = (raw: string) => JSON.stringify({ SourceMetadata: { Data: { Git: { file: 'db.env', line: 3 } } }, SourceName: 'trufflehog - git', DetectorType: 1004, DetectorName: 'Generic', Verified: false, Raw: raw });

  it("names TruffleHog's findings and other JSON Lines, and leaves a pretty-printed document alone", () => {
    expect(detectFormat(`${trufflehog('a')}\n${trufflehog('b')}\n`)).toMatchObject({ kind: null, name: "TruffleHog's JSON Lines output" });
    expect(detectFormat('{"level":"info"}\n{"level":"warn"}\n')).toMatchObject({ kind: null, name: 'JSON Lines (one JSON document per line)' });
    expect(detectFormat('{\n  "level": "info"\n}\n')).toMatchObject({ kind: null, name: 'a JSON document' });
    expect(detectFormat('[\n  {"level": "info"}\n]\n')).toMatchObject({ kind: null, name: 'a JSON array' });
  });

  it('refuses them as custom evidence with how to send them, not "unexpected \'{\' after the end of the document"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-jsonl-'));
    const file = path.join(dir, 'trufflehog.json');
    fs.writeFileSync(file, `${trufflehog('Zx81-internal-key')}\n${trufflehog('Qm9vbS1rZXk')}\n`);
    const refused = await analyzeEvidenceFile('custom', 'application/json', file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).message).toBe(
      "TruffleHog's JSON Lines output is not custom evidence (custom JSON): a file of one JSON document per line (as \"trufflehog --json\" writes it) is read only as provenance (an in-toto bundle of attestations); other evidence is one JSON document a file: for custom evidence, gather the lines into an array first (\"jq -s . FILE > FILE.json\"). A secret scanner's found values are removed before storage",
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('evidence saved in UTF-16 or UTF-32 (Windows PowerShell\'s ">" writes UTF-16)', () => {
  const sbom = fs.readFileSync(path.resolve('lib/evidence/testing/real/trivy-npm.cdx.json'), 'utf8');
  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
  // As readHead decodes a file's first bytes: UTF-8, each byte order mark byte turning into U+FFFD.
  const asRead = (bytes: Buffer) => bytes.subarray(0, 4096).toString('utf8');

  it.each([
    ['UTF-16 little-endian with a byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sbom, 'utf16le')]), 'UTF-16 text'],
    ['UTF-16 big-endian with a byte order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(sbom)]), 'UTF-16 text'],
    ['UTF-16 little-endian without one', Buffer.from(sbom, 'utf16le'), 'UTF-16 text'],
    ['UTF-32 little-endian with a byte order mark', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x7b, 0, 0, 0, 0x22, 0, 0, 0]), 'UTF-32 text'],
  ])('%s is named so, with what to do', (_, bytes, name) => {
    expect(detectFormat(asRead(bytes))).toMatchObject({ kind: null, name, advice: expect.stringContaining('save this one as UTF-8') });
  });

  it('leaves UTF-8 with or without a byte order mark alone', () => {
    expect(detectFormat(asRead(Buffer.from(sbom, 'utf8')))).toMatchObject({ kind: 'sbom', name: 'CycloneDX JSON 1.7' });
    expect(detectFormat(asRead(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sbom, 'utf8')])))).toMatchObject({ kind: 'sbom' });
  });

  it('refuses such a file with the advice, not "binary, not text"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-utf16-'));
    const file = path.join(dir, 'sbom.json');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sbom, 'utf16le')]));
    const refused = await analyzeEvidenceFile('sbom', 'application/json', file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).message).toMatch(/^UTF-16 text is not sbom evidence \(SBOM: .*\): evidence files are read as UTF-8: save this one as UTF-8 and send it again \(Windows PowerShell/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
