/**
 * VEX documents as their projects publish them (lib/evidence/testing/real/SOURCES.md): each is read
 * into statements, and the counts are compared with counts taken from the same file without the
 * parser (a regular expression over the text, or a plain walk of JSON.parse's result).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, problemOf } from '../testing/fixtures';
import type { VexSummary } from './vex';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'testing', 'real', file), 'utf8');
const summaryOf = async (text: string) => (await analyzeBytes('vex', text)).summary as VexSummary;
/** Occurrences of a JSON key in the text, whatever the parser makes of them. */
const keyCount = (text: string, key: string) => text.match(new RegExp(`"${key}"\\s*:`, 'g'))?.length ?? 0;

describe('OpenVEX', () => {
  it.each(['vexctl-sample-2vulns.openvex.json', 'vexctl-document1.openvex.json', 'vexctl-v001-1.openvex.json'])('%s: one statement per "status", ids and products as written', async (file) => {
    const text = real(file);
    const summary = await summaryOf(text);
    expect(summary.format).toBe('openvex');
    expect(summary.total).toBe(keyCount(text, 'status'));
    expect(summary.statements.map((statement) => statement.vulnerability)).toEqual(text.match(/CVE-\d{4}-\d+/g)!.filter((id, index, all) => all.indexOf(id) === index));
    const statuses = [...text.matchAll(/"status"\s*:\s*"([a-z_]+)"/g)].map((match) => match[1]);
    expect(summary.statements.map((statement) => statement.status)).toEqual(statuses);
  });

  it('reads v0.2 products, aliases, justification; v0.0.1 string products', async () => {
    const sample = await summaryOf(real('vexctl-sample-2vulns.openvex.json'));
    expect(sample.statements[0]).toMatchObject({
      vulnerability: 'CVE-2023-27103',
      aliases: ['SNYK-DEBIAN12-LIBDE265-3361563'],
      status: 'not_affected',
      justification: 'component_not_present',
      products: [{ identifiers: ['pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0'] }],
    });
    expect(sample.byStatus).toEqual({ not_affected: 1, affected: 0, fixed: 1, under_investigation: 0 });
    const old = await summaryOf(real('vexctl-v001-1.openvex.json'));
    expect(old.statements[0]).toMatchObject({ vulnerability: 'CVE-1234-5678', products: [{ name: 'pkg:apk/wolfi/bash@1.0.0', identifiers: ['pkg:apk/wolfi/bash@1.0.0'] }] });
  });

  it('refuses a statement with an unknown status, naming it', async () => {
    const document = { '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2024-1' }, products: [], status: 'maybe' }] };
    const problem = await problemOf(analyzeBytes('vex', JSON.stringify(document)));
    expect(problem).toMatchObject({ status: 422, message: expect.stringContaining('statements[0].status is "maybe"') });
  });
});

describe('CycloneDX VEX', () => {
  it.each(['cdx-vex.cdx.json', 'cdx-cisa-case1-not-affected.cdx.json'])('%s: one statement per analysis state, its affects resolved', async (file) => {
    const text = real(file);
    const summary = await summaryOf(text);
    expect(summary.format).toBe('cyclonedx');
    expect(summary.total).toBe(keyCount(text, 'state'));
    const parsed = JSON.parse(text) as { vulnerabilities: Array<{ id: string; analysis?: { state: string; justification?: string }; affects: Array<{ ref: string }> }> };
    const analysed = parsed.vulnerabilities.filter((item) => item.analysis);
    expect(summary.statements.map((statement) => [statement.vulnerability, statement.justification, statement.products.map((product) => product.name)])).toEqual(
      analysed.map((item) => [item.id, item.analysis!.justification, item.affects.map((affected) => affected.ref)]),
    );
  });

  it('names a BOM-Link target by the bom-ref it points at (here a purl)', async () => {
    const summary = await summaryOf(real('cdx-vex.cdx.json'));
    expect(summary.statements[0]!.products[0]!.identifiers).toContain('pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar');
    expect(summary.statements[0]).toMatchObject({ status: 'not_affected', justification: 'code_not_reachable', aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302'] });
  });

  it('uploaded as an SBOM, is refused as VEX instead of read as an SBOM of no component', async () => {
    for (const file of ['cdx-vex.cdx.json', 'cdx-cisa-case1-not-affected.cdx.json']) {
      const problem = await problemOf(analyzeBytes('sbom', real(file)));
      expect(problem).toMatchObject({ status: 422, message: expect.stringContaining('is VEX, not an SBOM') });
    }
    // And an SBOM is not VEX.
    const problem = await problemOf(analyzeBytes('vex', real('cdx-bom.cdx.json')));
    expect(problem).toMatchObject({ status: 422, message: expect.stringContaining('it is an SBOM, not VEX') });
  });
});

describe('CSAF VEX', () => {
  const CSAF_LISTS = ['known_not_affected', 'fixed', 'first_fixed', 'known_affected', 'first_affected', 'last_affected', 'under_investigation'];

  it.each(['csaf-2022-evd-uc-01-na-001.json', 'csaf-sec-vex-2022-0001.json', 'csaf-2022-evd-uc-03-ms-001.json'])('%s: every product of every status list is in a statement', async (file) => {
    const text = real(file);
    const summary = await summaryOf(text);
    expect(summary.format).toBe('csaf');
    // A plain walk: each product id in a product_status list that states a status.
    const parsed = JSON.parse(text) as { vulnerabilities: Array<{ product_status?: Record<string, string[]> }> };
    const expected = parsed.vulnerabilities.flatMap((item) => CSAF_LISTS.flatMap((list) => item.product_status?.[list] ?? []));
    expect(summary.statements.flatMap((statement) => statement.products)).toHaveLength(expected.length);
    expect(summary.total).toBeGreaterThan(0);
  });

  it('resolves products to their identification helpers and takes the justification from flags, the impact from threats', async () => {
    const text = real('csaf-2022-evd-uc-01-na-001.json');
    const parsed = JSON.parse(text) as { vulnerabilities: Array<{ cve: string; threats: Array<{ details: string }> }> };
    const [statement] = (await summaryOf(text)).statements;
    expect(statement).toMatchObject({ vulnerability: parsed.vulnerabilities[0]!.cve, status: 'not_affected', impact: parsed.vulnerabilities[0]!.threats[0]!.details });
    expect(statement!.products[0]!.name).toBe('CSAFPID-0001 (Example Company ABC 4.2)');
    // sec-vex-2022-0001: flags naming the justification, one per flagged statement.
    const withFlags = await summaryOf(real('csaf-sec-vex-2022-0001.json'));
    const flagged = withFlags.statements.filter((item) => item.justification);
    const flags = (JSON.parse(real('csaf-sec-vex-2022-0001.json')) as { vulnerabilities: Array<{ flags?: Array<{ label: string }> }> }).vulnerabilities.flatMap((item) => item.flags ?? []);
    expect(flagged.map((item) => item.justification)).toEqual(flags.map((flag) => flag.label));
    // Named by product name only: nothing to match a release by (the gate says so).
    expect(withFlags.statements.flatMap((item) => item.products.flatMap((product) => product.identifiers))).toEqual([]);
  });

  it('refuses a CSAF document of another profile', async () => {
    const document = JSON.parse(real('csaf-sec-vex-2022-0001.json')) as { document: { category: string } };
    document.document.category = 'csaf_security_advisory';
    const problem = await problemOf(analyzeBytes('vex', JSON.stringify(document)));
    expect(problem).toMatchObject({ status: 422, message: expect.stringContaining('"csaf_security_advisory"') });
  });
});

describe('the same statements in two formats (CISA VEX use case 3: product GHI 17.4 and Ripple20)', () => {
  it('CycloneDX and CSAF give each CVE the same status, as the use case describes them', async () => {
    const statuses = (summary: VexSummary) => Object.fromEntries(summary.statements.map((statement) => [statement.vulnerability, statement.status]).sort());
    const cyclonedx = await summaryOf(real('cdx-cisa-case3.cdx.json'));
    const csaf = await summaryOf(real('csaf-2022-evd-uc-03-ms-001.json'));
    expect(statuses(cyclonedx)).toEqual(statuses(csaf));
    // The use case's own words (CycloneDX/bom-examples VEX/CISA-Use-Cases/Case-3/README.md).
    expect(cyclonedx.byStatus).toEqual({ not_affected: 6, affected: 5, fixed: 3, under_investigation: 5 });
    expect(statuses(cyclonedx)['CVE-2020-11901']).toBe('fixed');
    expect(statuses(cyclonedx)['CVE-2020-11896']).toBe('under_investigation');
  });
});

describe('VEX evidence in general', () => {
  it('is stored byte for byte: identifiers (purls, CPEs, bom-refs, digests) are never rewritten', async () => {
    for (const file of ['vexctl-sample-2vulns.openvex.json', 'cdx-vex.cdx.json', 'csaf-sec-vex-2022-0001.json', 'csaf-2022-evd-uc-03-ms-001.json']) {
      const analysis = await analyzeBytes('vex', real(file));
      expect(analysis.output).toEqual({ type: 'unchanged' });
    }
  });

  it('refuses a document of none of the three formats, saying what each looks like', async () => {
    const problem = await problemOf(analyzeBytes('vex', JSON.stringify({ hello: 'world' })));
    expect(problem).toMatchObject({ status: 422, message: expect.stringContaining('this is not a VEX document') });
  });
});
