/**
 * VEX statements applied by the findings rules, on real files where projects publish a pair
 * (vexctl's Trivy SARIF of nginx and its OpenVEX for the same image; CycloneDX's VEX example) and
 * on small documents for the cases they do not cover.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, cyclonedx } from '@/lib/evidence/testing/fixtures';
import { evaluateRelease } from './evaluate';
import type { EvidenceInput } from './inputs';
import { EVALUATED_AT, inputs, policy } from './testing';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'evidence', 'testing', 'real', file), 'utf8');
const NGINX = 'sha256:13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0';

let counter = 0;
async function evidence(kind: 'sbom' | 'sarif' | 'vex', text: string): Promise<EvidenceInput> {
  counter++;
  const summary = (await analyzeBytes(kind, text)).summary;
  return { kind, sha256: counter.toString(16).padStart(64, 'e'), mediaType: 'application/json', size: text.length, collectedAt: EVALUATED_AT, summary: summary as never };
}

function judge(evidenceList: EvidenceInput[], rule: Record<string, unknown>, imageDigest = NGINX) {
  const release = inputs({ evidence: evidenceList });
  return evaluateRelease({ ...release, release: { ...release.release, imageDigest } }, policy('enforce', [{ id: 'findings', ...rule }]), EVALUATED_AT).reasons[0]!;
}

const openvex = (statements: unknown[]) => JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'test', statements });

describe('VEX on SARIF findings (vexctl: Trivy on nginx, and its OpenVEX)', () => {
  const sarifRule = { type: 'sarif-severity', limits: { critical: 1000, high: 1000, medium: 1000, low: 1000 } };

  it('takes the findings of the two stated vulnerabilities out of the counts, each listed with its justification and the VEX digest', async () => {
    const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
    const vex = await evidence('vex', real('vexctl-sample-2vulns.openvex.json'));
    const without = judge([log], sarifRule);
    const withVex = judge([log, vex], sarifRule);
    // Independently of the parsers: the results of those two rules in the log.
    const results = (JSON.parse(real('vexctl-nginx-trivy.sarif')) as { runs: Array<{ results: Array<{ ruleId: string }> }> }).runs.flatMap((run) => run.results);
    const stated = results.filter((result) => ['CVE-2023-27103', 'CVE-2007-5686'].includes(result.ruleId)).length;
    const total = (measured: unknown) => Object.values(measured as Record<string, number>).reduce((sum, count) => sum + count, 0);
    expect(stated).toBe(3);
    expect(total(without.measured) - total(withVex.measured)).toBe(stated);
    expect(without).not.toHaveProperty('vex');
    expect(withVex.evidence).toContain(vex.sha256);
    expect(withVex.vex!.suppressed.map((item) => [item.vulnerability, item.status, item.justification ?? null, item.count, item.vex])).toEqual(
      expect.arrayContaining([
        ['CVE-2023-27103', 'not_affected', 'component_not_present', 1, vex.sha256],
        ['CVE-2007-5686', 'fixed', null, 2, vex.sha256],
      ]),
    );
    expect(withVex.vex!.suppressed.reduce((sum, item) => sum + item.count, 0)).toBe(stated);
    expect(withVex.vex!.suppressed[0]!.product).toBe(`the released image ${NGINX}`);
    expect(withVex.vex!.notApplied).toEqual([]);
    expect(withVex.message).toContain('VEX: 3 findings suppressed');
  });

  it('suppresses nothing for another image: each statement is shown as not applied, with why', async () => {
    const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
    const vex = await evidence('vex', real('vexctl-sample-2vulns.openvex.json'));
    const other = `sha256:${'0'.repeat(64)}`;
    const result = judge([log, vex], sarifRule, other);
    expect(result.measured).toEqual(judge([log], sarifRule, other).measured);
    expect(result.vex!.suppressed).toEqual([]);
    expect(result.vex!.notApplied).toHaveLength(2);
    expect(result.vex!.notApplied[0]).toMatchObject({ vulnerability: 'CVE-2023-27103', vex: vex.sha256, reason: expect.stringContaining(`name neither this release's image (${other})`) });
    expect(result.message).toContain('2 statements not applied');
  });

  it('a failing rule passes once VEX takes its only findings out; statements that do not suppress say so', async () => {
    const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
    const image = { '@id': `pkg:oci/nginx@${NGINX.replace(':', '%3A')}` };
    const high = (judge([log], sarifRule).measured as Record<string, number>).high!;
    const vex = await evidence(
      'vex',
      openvex([
        { vulnerability: { name: 'CVE-2023-27103' }, products: [image], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'libde265 is never loaded by nginx' },
        { vulnerability: { name: 'CVE-2007-5686' }, products: [image], status: 'affected', action_statement: 'upgrade' },
        { vulnerability: { name: 'CVE-2011-3374' }, products: [{ '@id': 'pkg:deb/debian/apt@2.6.1' }], status: 'not_affected', justification: 'component_not_present' },
      ]),
    );
    const result = judge([log, vex], { type: 'sarif-severity', limits: { high: high - 1 } });
    expect(result.status).toBe('pass');
    expect(result.vex!.suppressed).toEqual([
      expect.objectContaining({ vulnerability: 'CVE-2023-27103', severity: 'high', justification: 'vulnerable_code_not_in_execute_path', impact: 'libde265 is never loaded by nginx' }),
    ]);
    expect(result.vex!.notApplied.map((item) => [item.vulnerability, item.reason])).toEqual([
      ['CVE-2007-5686', 'its status is affected: only not_affected and fixed statements suppress findings'],
      ['CVE-2011-3374', 'it is about components, and SARIF results name no component: only a statement about the released image applies to them'],
    ]);
  });
});

describe('statements that contradict each other', () => {
  const sarifRule = { type: 'sarif-severity', limits: { high: 0 } };
  const image = { '@id': `pkg:oci/nginx@${NGINX.replace(':', '%3A')}` };
  const statement = (status: string, timestamp?: string) => ({ vulnerability: { name: 'CVE-2023-27103' }, products: [image], status, justification: status === 'not_affected' ? 'component_not_present' : undefined, timestamp });

  it('the latest decides: affected after not_affected keeps the finding; not_affected after affected suppresses it', async () => {
    const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
    const later = judge([log, await evidence('vex', openvex([statement('not_affected', '2024-01-01T00:00:00Z'), statement('affected', '2024-02-01T00:00:00Z')]))], sarifRule);
    expect(later.vex!.suppressed).toEqual([]);
    expect(later.vex!.notApplied.map((item) => [item.status, item.reason])).toEqual([
      ['not_affected', expect.stringMatching(/^a statement that it is affected \(VEX sha256:[0-9a-f]{12}…\) is not older: the latest statement decides/)],
      ['affected', 'its status is affected: only not_affected and fixed statements suppress findings'],
    ]);
    const earlier = judge([log, await evidence('vex', openvex([statement('affected', '2024-01-01T00:00:00Z'), statement('not_affected', '2024-02-01T00:00:00Z')]))], sarifRule);
    expect(earlier.vex!.suppressed.map((item) => item.vulnerability)).toEqual(['CVE-2023-27103']);
  });

  it('undated, or across documents at the same time, nothing is suppressed', async () => {
    const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
    const undated = judge([log, await evidence('vex', openvex([statement('not_affected'), statement('under_investigation')]))], sarifRule);
    expect(undated.vex!.suppressed).toEqual([]);
    const sameTime = '2024-01-01T00:00:00Z';
    const across = judge([log, await evidence('vex', openvex([statement('not_affected', sameTime)])), await evidence('vex', openvex([statement('affected', sameTime)]))], sarifRule);
    expect(across.vex!.suppressed).toEqual([]);
  });
});

describe('VEX on SBOM vulnerabilities', () => {
  const vulnerabilityRule = { type: 'vulnerability-severity', limits: { critical: 0, high: 0, medium: 0 } };
  const JACKSON = 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar';
  const sbom = () => {
    const document = cyclonedx([{ name: 'jackson-databind' }, { name: 'log4j-core' }]) as Record<string, unknown> & { components: Array<Record<string, unknown>> };
    document.components[0]!['bom-ref'] = 'jackson';
    document.components[0]!.purl = JACKSON;
    document.components[1]!['bom-ref'] = 'log4j';
    document.components[1]!.purl = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
    document.vulnerabilities = [
      { id: 'CVE-2020-25649', ratings: [{ severity: 'high' }], affects: [{ ref: 'jackson' }] },
      { id: 'CVE-2021-44228', references: [{ id: 'GHSA-jfh8-c2jp-5v3q' }], ratings: [{ severity: 'critical' }], affects: [{ ref: 'log4j' }] },
    ];
    return JSON.stringify(document);
  };

  it('CycloneDX VEX (bom-examples): its BOM-Link names the component by purl, so the high one goes; the critical stays', async () => {
    const result = judge([await evidence('sbom', sbom()), await evidence('vex', real('cdx-vex.cdx.json'))], vulnerabilityRule);
    expect(result).toMatchObject({ status: 'fail', measured: { critical: 1, high: 0, medium: 0 } });
    expect(result.message).toMatch(/^1 critical vulnerability \(limit 0\): CVE-2021-44228/);
    expect(result.vex!.suppressed).toEqual([
      expect.objectContaining({ vulnerability: 'CVE-2020-25649', product: JACKSON, status: 'not_affected', justification: 'code_not_reachable', impact: expect.stringContaining('not reachable') }),
    ]);
  });

  it('matches by alias (GHSA for CVE), and by a subcomponent purl without qualifiers under the released image', async () => {
    const image = `sha256:${'ab'.repeat(32)}`;
    const vex = openvex([
      {
        vulnerability: { name: 'GHSA-jfh8-c2jp-5v3q' },
        products: [{ '@id': `pkg:oci/app@${image.replace(':', '%3A')}`, subcomponents: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' }] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
      },
      // The same component at another version: not this release's.
      { vulnerability: { name: 'CVE-2020-25649' }, products: [{ '@id': 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.0' }], status: 'fixed' },
    ]);
    const result = judge([await evidence('sbom', sbom()), await evidence('vex', vex)], vulnerabilityRule, image);
    expect(result.measured).toEqual({ critical: 0, high: 1, medium: 0 });
    expect(result.vex!.suppressed.map((item) => [item.vulnerability, item.product])).toEqual([['CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']]);
    expect(result.vex!.notApplied).toEqual([expect.objectContaining({ vulnerability: 'CVE-2020-25649', reason: 'the findings that name CVE-2020-25649 are in other components than the statement names' })]);
  });

  it('CSAF VEX: a product named by its purl helper matches; one named only by name (the published examples) is not applied', async () => {
    const csaf = JSON.parse(real('csaf-sec-vex-2022-0001.json')) as { product_tree: unknown; vulnerabilities: Array<{ cve: string }> };
    const unmatched = judge([await evidence('sbom', sbom()), await evidence('vex', JSON.stringify(csaf))], vulnerabilityRule);
    expect(unmatched.vex!.suppressed).toEqual([]);
    expect(unmatched.vex!.notApplied[0]).toMatchObject({ vulnerability: 'CVE-2021-44228', products: ['CSAFPID-0001 (Secvisogram <=1.14.0)'] });
    csaf.product_tree = {
      branches: [{ category: 'product_version', name: '2.14.1', product: { product_id: 'CSAFPID-0001', name: 'log4j-core 2.14.1', product_identification_helper: { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' } } }],
    };
    const matched = judge([await evidence('sbom', sbom()), await evidence('vex', JSON.stringify(csaf))], vulnerabilityRule);
    expect(matched.measured).toEqual({ critical: 0, high: 1, medium: 0 });
    expect(matched.vex!.suppressed).toEqual([expect.objectContaining({ vulnerability: 'CVE-2021-44228', justification: 'component_not_present', impact: 'Secvisogram is written in JavaScript. No Java is included.' })]);
  });

  it('without VEX evidence the result is as before (no vex field: old passports replay byte for byte)', async () => {
    const result = judge([await evidence('sbom', sbom())], vulnerabilityRule);
    expect(result).not.toHaveProperty('vex');
    expect(result.measured).toEqual({ critical: 1, high: 1, medium: 0 });
  });
});
