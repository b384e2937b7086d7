import { describe, expect, it } from 'vitest';
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
