/**
 * What an SBOM summary keeps about who carries each license, read from SBOMs a real scanner wrote
 * (lib/evidence/testing/real/SOURCES.md), so a denied license points at the components behind it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, cyclonedx } from '../testing/fixtures';
import { LICENSE_EXAMPLES, type SbomSummary } from './sbom';
import { evaluateRelease } from '@/lib/gate/evaluate';
import { EVALUATED_AT, inputs, policy } from '@/lib/gate/testing';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'testing', 'real', file), 'utf8');
const summaryOf = async (text: string) => (await analyzeBytes('sbom', text)).summary as SbomSummary;

describe('the components behind each license', () => {
  it('Trivy CycloneDX: name and version of the components declaring a license', async () => {
    const summary = await summaryOf(real('trivy-npm.cdx.json'));
    expect(summary.format).toBe('cyclonedx');
    expect(summary.licenses.MIT).toBeGreaterThan(LICENSE_EXAMPLES);
    expect(summary.componentsByLicense!.MIT).toEqual([
      { name: 'jquery', version: '3.3.9' },
      { name: 'promise', version: '8.0.3' },
      { name: 'react-is', version: '16.8.6' },
    ]);
  });

  it('Trivy SPDX: the concluded license of each package, with its versionInfo; NOASSERTION is no license', async () => {
    const summary = await summaryOf(real('trivy-conda.spdx.json'));
    expect(summary.format).toBe('spdx');
    expect(summary.componentsByLicense).toEqual({ MIT: [{ name: 'pip', version: '22.2.2' }], OpenSSL: [{ name: 'openssl', version: '1.1.1q' }] });
    expect(summary.componentsWithoutLicense).toBe(1);
  });

  it('keeps at most a few per license, whatever the SBOM’s size', async () => {
    const many = Array.from({ length: 50 }, (_, index) => ({ name: `lib-${index}`, license: 'GPL-3.0-only' }));
    const summary = await summaryOf(JSON.stringify(cyclonedx(many)));
    expect(summary.licenses['GPL-3.0-only']).toBe(50);
    expect(summary.componentsByLicense!['GPL-3.0-only']).toHaveLength(LICENSE_EXAMPLES);
  });
});

describe('the vulnerabilities a CycloneDX SBOM carries', () => {
  it('are counted once each at their most severe rating, as a plain read of the same file counts them (Trivy)', async () => {
    const text = real('trivy-npm.cdx.json');
    const summary = await summaryOf(text);
    // Independently of the streaming parser: the whole document, parsed and counted here.
    const RANK = ['critical', 'high', 'medium', 'low'];
    const listed = (JSON.parse(text) as { vulnerabilities: Array<{ id: string; ratings?: Array<{ severity?: string }> }> }).vulnerabilities;
    const expected: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
    for (const item of listed) {
      const ranks = (item.ratings ?? []).map((rating) => RANK.indexOf(rating.severity ?? '')).filter((rank) => rank >= 0);
      expected[ranks.length ? RANK[Math.min(...ranks)]! : 'none']!++;
    }
    expect(summary.vulnerabilities).toMatchObject({ total: listed.length, bySeverity: expected, unrated: 0 });
    expect(summary.vulnerabilities!.examples[0]).toMatchObject({ id: 'CVE-2019-11358', severity: 'medium' });
  });

  it('a rating with a CVSS score but no severity (or "unknown") is rated by its score; another scale, or nothing, stays unrated, and the rule says so', async () => {
    const rated = (id: string, ratings: object[]) => ({ id, ratings, affects: [{ ref: 'pkg:npm/a@1' }] });
    const document = {
      ...cyclonedx([{ name: 'a', license: 'MIT' }]),
      vulnerabilities: [
        rated('CVE-2026-0001', [{ score: 9.8, method: 'CVSSv31' }]),
        rated('CVE-2026-0002', [{ severity: 'unknown', score: 7.5, method: 'CVSSv3' }]),
        rated('CVE-2026-0003', [{ score: 9.3, method: 'CVSSv2' }]),
        rated('CVE-2026-0004', [{ score: 9.1, method: 'CVSSv4' }, { severity: 'low' }]),
        rated('CVE-2026-0005', [{ score: 9, method: 'OWASP' }]),
        rated('CVE-2026-0006', [{ severity: 'unknown' }]),
      ],
    };
    const summary = await summaryOf(JSON.stringify(document));
    expect(summary.vulnerabilities).toMatchObject({ total: 6, bySeverity: { critical: 2, high: 2, medium: 0, low: 0, none: 0 }, unrated: 2 });
    const sbom = { kind: 'sbom' as const, sha256: 'c'.repeat(64), mediaType: 'application/json', size: 1, collectedAt: EVALUATED_AT, summary: summary as never };
    const judge = (limits: Record<string, number>) => evaluateRelease(inputs({ evidence: [sbom] }), policy('enforce', [{ id: 'cves', type: 'vulnerability-severity', limits }]), EVALUATED_AT).reasons[0];
    expect(judge({ critical: 2, high: 2 })).toMatchObject({
      status: 'pass',
      measured: { critical: 2, high: 2, unrated: 2 },
      message: 'vulnerabilities within limits (critical 2, high 2); 2 vulnerabilities without a severity or CVSS score, which no limit counts',
    });
  });

  it('are absent from an SBOM without a vulnerabilities list, which the rule never reads as none', async () => {
    const summary = await summaryOf(JSON.stringify(cyclonedx([{ name: 'a', license: 'MIT' }])));
    expect(summary.vulnerabilities).toBeUndefined();
    const applied = policy('enforce', [{ id: 'cves', type: 'vulnerability-severity', limits: { medium: 0 } }]);
    const release = inputs({ evidence: [{ kind: 'sbom', sha256: 'a'.repeat(64), mediaType: 'application/json', size: 1, collectedAt: EVALUATED_AT, summary: summary as never }] });
    expect(evaluateRelease(release, applied, EVALUATED_AT).reasons[0]).toMatchObject({ status: 'missing', message: expect.stringContaining('no SBOM of this release carries vulnerability data') });
  });

  it('fail the vulnerability rule over its limit, naming them; within it, pass', async () => {
    const summary = await summaryOf(real('trivy-npm.cdx.json'));
    const sbom = { kind: 'sbom' as const, sha256: 'b'.repeat(64), mediaType: 'application/json', size: 1, collectedAt: EVALUATED_AT, summary: summary as never };
    const judge = (limits: Record<string, number>) => evaluateRelease(inputs({ evidence: [sbom] }), policy('enforce', [{ id: 'cves', type: 'vulnerability-severity', limits }]), EVALUATED_AT).reasons[0];
    expect(judge({ critical: 0, medium: 0 })).toMatchObject({ status: 'fail', measured: { critical: 0, medium: 1 }, message: '1 medium vulnerability (limit 0): CVE-2019-11358' });
    expect(judge({ critical: 0, high: 0 })).toMatchObject({ status: 'pass', message: 'vulnerabilities within limits (critical 0, high 0)' });
  });
});
