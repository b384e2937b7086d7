/**
 * SBOM encodings other than JSON, on real public files (lib/evidence/testing/real/SOURCES.md):
 * CycloneDX XML and SPDX tag-value, read into the summary CycloneDX and SPDX JSON get. Expected
 * figures are counted from the text with plain patterns, not with the parsers under test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, escapeXml, problemOf } from '../testing/fixtures';
import type { SbomSummary } from './sbom';

const real = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'testing', 'real', name), 'utf8');
const summarize = async (text: string, mediaType?: string) => (await analyzeBytes('sbom', text, mediaType)).summary as SbomSummary;

/** <component ...> elements that are the SBOM's components: not in <metadata> (the subject, tools) nor in a <pedigree>. */
function countCycloneDxXmlComponents(text: string): number {
  const body = text.replace(/<metadata>[\s\S]*?<\/metadata>/g, '').replace(/<pedigree>[\s\S]*?<\/pedigree>/g, '');
  return body.match(/<component[\s>]/g)?.length ?? 0;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe('CycloneDX XML', () => {
  it('syft 1.7 (real): components, licenses, version from the namespace, subject', async () => {
    const text = real('syft-image.cdx.xml');
    const summary = await summarize(text);
    const withoutMetadata = text.replace(/<metadata>[\s\S]*?<\/metadata>/, '');
    const ids = [...withoutMetadata.matchAll(/<license>\s*<id>([^<]+)<\/id>/g)].map((match) => match[1]!);
    expect(summary).toMatchObject({
      format: 'cyclonedx',
      encoding: 'xml',
      specVersion: /xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/([0-9.]+)"/.exec(text)![1],
      subject: { name: 'user-image-input', version: 'sha256:redacted' },
      components: countCycloneDxXmlComponents(text),
      componentsWithoutLicense: countCycloneDxXmlComponents(text) - ids.length,
      licenses: countBy(ids),
    });
    expect(summary.components).toBeGreaterThan(1);
  });

  it('the CycloneDX 1.2 example (real): pedigree ancestors and metadata are not components; ids, names and expressions are licenses', async () => {
    const text = real('cyclonedx-spec-valid-bom-1.2.xml');
    const summary = await summarize(text, 'application/vnd.cyclonedx+xml');
    const body = text.replace(/<metadata>[\s\S]*?<\/metadata>/g, '').replace(/<pedigree>[\s\S]*?<\/pedigree>/g, '');
    const licenses = [...body.matchAll(/<license>\s*<(?:id|name)>([^<]+)<\/(?:id|name)>|<expression>([^<]+)<\/expression>/g)].map((match) => (match[1] ?? match[2])!);
    expect(summary).toMatchObject({ specVersion: '1.2', encoding: 'xml', components: countCycloneDxXmlComponents(text), licenses: countBy(licenses), componentsWithoutLicense: 0 });
    expect(summary.components).toBe(3);
  });

  it('reads nested components and vulnerabilities like the JSON form (bom-refs named by their purls, references as aliases, for VEX)', async () => {
    const xml = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="library" bom-ref="ref-a"><name>a &amp; b</name><version>1</version><purl>pkg:npm/a@1</purl><licenses><license><id>MIT</id></license></licenses>
      <components><component type="library"><name>inner</name><licenses><expression>MIT OR Apache-2.0</expression></licenses></component></components>
    </component>
    <component type="library"><name>bare</name></component>
  </components>
  <vulnerabilities>
    <vulnerability><id>CVE-2026-1</id><ratings><rating><severity>medium</severity></rating><rating><severity>critical</severity></rating></ratings><references><reference><id>GHSA-aaaa-bbbb-cccc</id></reference></references><affects><target><ref>ref-a</ref></target><target><ref>pkg:npm/other@2</ref></target></affects></vulnerability>
    <vulnerability><id>CVE-2026-2</id></vulnerability>
    <vulnerability><id>CVE-2026-3</id><ratings><rating><score>7.5</score><severity>unknown</severity><method>CVSSv31</method></rating></ratings></vulnerability>
  </vulnerabilities>
</bom>`;
    expect(await summarize(xml)).toEqual({
      format: 'cyclonedx',
      specVersion: '1.5',
      encoding: 'xml',
      subject: null,
      components: 3,
      componentsWithoutLicense: 1,
      licenses: { MIT: 1, 'MIT OR Apache-2.0': 1 },
      componentsByLicense: { MIT: [{ name: 'a & b', version: '1' }], 'MIT OR Apache-2.0': [{ name: 'inner' }] },
      vulnerabilities: {
        total: 3,
        bySeverity: { critical: 1, high: 1, medium: 0, low: 0, none: 0 },
        unrated: 1,
        examples: [{ id: 'CVE-2026-1', severity: 'critical', affects: 'ref-a' }, { id: 'CVE-2026-3', severity: 'high' }, { id: 'CVE-2026-2', severity: 'unrated' }],
        items: [
          { id: 'CVE-2026-1', aliases: ['GHSA-aaaa-bbbb-cccc'], severity: 'critical', affects: ['pkg:npm/a@1', 'pkg:npm/other@2'] },
          { id: 'CVE-2026-2', aliases: [], severity: 'unrated', affects: [] },
          { id: 'CVE-2026-3', aliases: [], severity: 'high', affects: [] },
        ],
      },
    });
  });

  it('reads a document whose elements carry a namespace prefix', async () => {
    const xml = '<bom:bom xmlns:bom="http://cyclonedx.org/schema/bom/1.3"><bom:components><bom:component type="library"><bom:name>a</bom:name><bom:licenses><bom:license><bom:id>MIT</bom:id></bom:license></bom:licenses></bom:component></bom:components></bom:bom>';
    expect(await summarize(xml)).toMatchObject({ specVersion: '1.3', components: 1, licenses: { MIT: 1 } });
  });

  it('expands no entity: external entities (XXE) and entity bombs are refused before parsing', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&x;</name></component></components></bom>`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&c;</name></component></components></bom>`;
    for (const document of [xxe, laughs]) {
      const problem = await problemOf(summarize(document));
      expect(problem.status).toBe(422);
      expect(problem.message).toMatch(/^CycloneDX XML 1\.4 is read, but this file was refused: the XML has a DOCTYPE declaration/);
    }
  });

  it.each([
    ['<bom xmlns="http://cyclonedx.org/schema/bom/1.1"><components/></bom>', /^CycloneDX XML 1\.1 is read, but this file was refused: CycloneDX 1\.1 is not read; versions 1\.2 to 1\.7 are/],
    ['<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component></bom>', /^CycloneDX XML 1\.4 is read, but this file was refused: invalid XML at line 1/],
    ['<project><name>x</name></project>', /^An XML document \(root <project>\) is not sbom evidence \(SBOM: .*\): this is not a CycloneDX XML SBOM: the root element is <project>/],
    [`<testsuites><testsuite name="${escapeXml('a')}"/></testsuites>`, /^this is a JUnit XML report, sent as sbom evidence: send it as junit evidence \(rp gate --junit FILE, or --kind junit\)/],
  ])('refuses %s naming the format', async (document, message) => {
    expect((await problemOf(summarize(document))).message).toMatch(message);
  });
});

describe('SPDX tag-value', () => {
  /** Each package section's concluded license, else its declared one (NOASSERTION and NONE are none). */
  function expectedLicenses(text: string): Array<string | null> {
    return text
      .split(/^PackageName:/m)
      .slice(1)
      .map((section) => section.split(/^(?:FileName|SnippetSPDXID|LicenseID):/m)[0]!)
      .map((section) => {
        const concluded = /^PackageLicenseConcluded:\s*(.+)$/m.exec(section)?.[1]?.trim();
        const declared = /^PackageLicenseDeclared:\s*(.+)$/m.exec(section)?.[1]?.trim();
        const usable = (value: string | undefined) => value && value !== 'NOASSERTION' && value !== 'NONE';
        return usable(concluded) ? concluded! : usable(declared) ? declared! : null;
      });
  }

  it.each(['spdx-spec-example-v2.3.spdx', 'syft-image.spdx'])('%s (real): every PackageName line is a component, with its license', async (name) => {
    const text = real(name);
    const licenses = expectedLicenses(text);
    const summary = await summarize(text);
    expect(summary).toMatchObject({
      format: 'spdx',
      encoding: 'tag-value',
      specVersion: /^SPDXVersion:\s*(\S+)/m.exec(text)![1],
      subject: { name: /^DocumentName:\s*(.+)$/m.exec(text)![1]!.trim() },
      components: text.match(/^PackageName:/gm)!.length,
      componentsWithoutLicense: licenses.filter((license) => license === null).length,
      licenses: countBy(licenses.filter((license): license is string => license !== null)),
    });
    expect(summary.components).toBeGreaterThan(2);
  });

  it('joins <text> values across lines, so a tag inside one is not read as a tag', async () => {
    const text = ['SPDXVersion: SPDX-2.3', 'DocumentName: x', 'PackageName: a', 'PackageComment: <text>line one', 'PackageLicenseDeclared: GPL-3.0-only', '</text>', 'PackageLicenseDeclared: MIT', ''].join('\n');
    expect(await summarize(text, 'text/spdx')).toMatchObject({ components: 1, licenses: { MIT: 1 } });
  });

  it.each([
    ['SPDXVersion: SPDX-2.3\nPackageName: a\nthis line has no tag\n', /^SPDX 2\.3 tag-value is read, but this file was refused: line 3 is not "Tag: value"/],
    ['SPDXVersion: SPDX-2.3\nPackageComment: <text>never closed\n', /never closed with <\/text>/],
    ['SPDXVersion: SPDX-3.0\n', /SPDX 2\.x tag-value documents are read/],
    ['just some notes\n', /^A text file is not sbom evidence .*: this is not an SPDX tag-value document: it has no "SPDXVersion:" line/],
  ])('refuses %j naming the format', async (document, message) => {
    expect((await problemOf(summarize(document))).message).toMatch(message);
  });

  it('an SBOM declared as one encoding and written in another is refused, saying to let the content decide', async () => {
    const problem = await problemOf(summarize(real('syft-image.spdx'), 'application/vnd.cyclonedx+xml'));
    expect(problem.message).toContain('the Content-Type application/vnd.cyclonedx+xml says CycloneDX XML, but the document is SPDX 2.3 tag-value');
  });
});

describe('SPDX 3.0 JSON-LD', () => {
  it('the SPDX examples\' Maven SBOM (real): software_Package elements, licenses through hasConcludedLicense / hasDeclaredLicense relationships', async () => {
    const text = real('spdx-examples-maven.spdx3.json');
    // Worked out with JSON.parse, not with the streaming reader under test.
    const graph = (JSON.parse(text) as { '@graph': Array<Record<string, unknown>> })['@graph'];
    const expression = new Map(graph.filter((item) => item.type === 'simplelicensing_LicenseExpression').map((item) => [item.spdxId, item.simplelicensing_licenseExpression as string]));
    const related = (id: unknown, type: string) =>
      graph
        .filter((item) => item.type === 'Relationship' && item.from === id && item.relationshipType === type)
        .flatMap((item) => item.to as string[])
        .map((target) => expression.get(target))
        .find((value) => value && value !== 'NOASSERTION' && value !== 'NONE');
    const packages = graph.filter((item) => item.type === 'software_Package');
    const licenses = packages.map((item) => related(item.spdxId, 'hasConcludedLicense') ?? related(item.spdxId, 'hasDeclaredLicense') ?? null);
    const summary = await summarize(text);
    expect(summary).toMatchObject({
      format: 'spdx',
      encoding: 'json-ld',
      specVersion: /"@context"\s*:\s*"https:\/\/spdx\.org\/rdf\/([0-9.]+)\//.exec(text)![1],
      components: text.match(/"type"\s*:\s*"software_Package"/g)!.length,
      componentsWithoutLicense: licenses.filter((license) => license === null).length,
      licenses: countBy(licenses.filter((license): license is string => license !== null)),
    });
    expect(summary.components).toBe(packages.length);
    expect(Object.keys(summary.licenses).length).toBeGreaterThan(1);
  });

  it('reads listed licenses by IRI, "@type" and "@id" spellings, and elements in any order', async () => {
    const document = {
      '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
      '@graph': [
        { '@type': 'Relationship', from: 'urn:a', relationshipType: 'hasDeclaredLicense', to: ['https://spdx.org/licenses/MIT'] },
        { '@type': 'Relationship', from: 'urn:b', relationshipType: 'hasConcludedLicense', to: ['urn:expr'] },
        { '@type': 'software_Package', '@id': 'urn:a', name: 'a', software_packageVersion: '1' },
        { type: 'software_Package', spdxId: 'urn:b', name: 'b' },
        { type: 'software_Package', spdxId: 'urn:c', name: 'c' },
        { type: 'simplelicensing_LicenseExpression', spdxId: 'urn:expr', simplelicensing_licenseExpression: 'Apache-2.0 OR MIT' },
      ],
    };
    expect(await summarize(JSON.stringify(document))).toMatchObject({
      specVersion: '3.0.1',
      components: 3,
      componentsWithoutLicense: 1,
      licenses: { MIT: 1, 'Apache-2.0 OR MIT': 1 },
      componentsByLicense: { MIT: [{ name: 'a', version: '1' }], 'Apache-2.0 OR MIT': [{ name: 'b' }] },
    });
  });

  it('refuses another SPDX RDF version, naming it', async () => {
    const problem = await problemOf(summarize(JSON.stringify({ '@context': 'https://spdx.org/rdf/2.9/spdx-context.jsonld', '@graph': [] })));
    expect(problem.message).toMatch(/^SPDX 2\.9 JSON-LD is read, but this file was refused: "@context" is "https:\/\/spdx\.org\/rdf\/2\.9\/spdx-context\.jsonld"; SPDX 3\.0 JSON-LD documents/);
  });
});

describe("GitHub's dependency-graph export", () => {
  it('its answer (real: the SPDX document wrapped in {"sbom": …}) is read as the SPDX it wraps, and says so', async () => {
    expect(await summarize(real('github-dependency-graph-export.spdx.json'))).toMatchObject({
      format: 'spdx',
      specVersion: 'SPDX-2.3',
      components: 1,
      licenses: { MIT: 1 },
      readFrom: 'github-dependency-graph',
    });
    // The same document wrapped or not: the same summary (trivy's SPDX 2.3, real, in GitHub's wrapper).
    const trivy = real('trivy-conda.spdx.json');
    const { readFrom, ...wrapped } = await summarize(`{"sbom": ${trivy}}`);
    expect(readFrom).toBe('github-dependency-graph');
    expect(wrapped).toEqual(await summarize(trivy));
  });

  it('a wrapper around something else is not read as an SBOM', async () => {
    expect((await problemOf(analyzeBytes('sbom', '{"sbom": {"name": "not an SBOM"}}'))).message).toMatch(/^A JSON document is not sbom evidence .*this is not an SBOM/);
  });
});

describe('refusals name the detected format and what to do', () => {
  const sbomStatement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'checkout', digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://cyclonedx.org/bom',
    predicate: { bomFormat: 'CycloneDX', specVersion: '1.5', components: [] },
  };

  it('an attestation of an SBOM sent as SARIF: send it as an SBOM', async () => {
    const problem = await problemOf(analyzeBytes('sarif', JSON.stringify(sbomStatement)));
    expect(problem.message).toMatch(/^this is an in-toto statement \(predicate https:\/\/cyclonedx\.org\/bom\), sent as sarif evidence: it is an attestation of a CycloneDX SBOM .*, not of a SARIF scan: send it as sbom evidence \(rp gate --sbom FILE\)$/);
    expect(problem.extensions).toEqual({ detectedFormat: 'an in-toto statement (predicate https://cyclonedx.org/bom)', detectedKind: 'sbom' });
  });

  it.each([
    ['sarif', real('syft-image.cdx.xml'), /^this is CycloneDX XML 1\.7, sent as sarif evidence: send it as sbom evidence \(rp gate --sbom FILE, or --kind sbom\)/],
    ['junit', real('syft-image.cdx.xml'), /^this is CycloneDX XML 1\.7, sent as junit evidence: send it as sbom evidence/],
    ['checksums', real('spdx-spec-example-v2.3.spdx'), /^this is SPDX 2\.3 tag-value, sent as checksums evidence: send it as sbom evidence/],
    ['provenance', real('spdx-examples-maven.spdx3.json'), /^this is SPDX 3\.0\.1 JSON-LD, sent as provenance evidence: send it as sbom evidence/],
    ['sarif', real('gh-sigstore-js-2.1.0-two-bundles.intoto.jsonl'), /^this is a Sigstore bundle \(predicate https:\/\/slsa\.dev\/provenance\/v1\), sent as sarif evidence: send it as provenance evidence .*no attestation of this JSON Lines bundle carries a SARIF scan/],
  ] as const)('%s evidence that is another kind says which', async (kind, text, message) => {
    expect((await problemOf(analyzeBytes(kind, text))).message).toMatch(message);
  });
});

describe('size', () => {
  it('an XML or tag-value SBOM over 16 MB is refused before it is read, asking for the JSON form', async () => {
    const text = `<bom xmlns="http://cyclonedx.org/schema/bom/1.5">${' '.repeat(16 * 1024 * 1024)}</bom>`;
    expect((await problemOf(summarize(text))).message).toMatch(/^CycloneDX XML 1\.5 is read, but this file was refused: an SBOM in XML or tag-value is read whole, up to 16 MB; this one is 16\.0 MB: send its JSON form/);
  });
});
