import { describe, expect, it } from 'vitest';
import type { SarifFinding, SarifSummary } from '@/lib/evidence/parsers/sarif';
import { componentsBehind, findingsBehind } from './findings-behind';

const finding = (severity: SarifFinding['severity'], ruleId: string): SarifFinding => ({ severity, ruleId, file: `src/${ruleId}.ts`, line: 1 });
const log = (sha256: string, findings: SarifFinding[] | undefined, bySeverity: Partial<SarifSummary['bySeverity']>) => ({
  kind: 'sarif',
  sha256,
  summary: { format: 'sarif', bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, ...bySeverity }, ...(findings ? { findings } : {}) },
});

describe('the findings behind a rule’s result', () => {
  const a = log('a'.repeat(64), [finding('high', 'h1'), finding('medium', 'm1'), finding('low', 'l1')], { high: 1, medium: 1, low: 1 });
  const b = log('b'.repeat(64), [finding('critical', 'c1')], { critical: 3 });
  const reason = { type: 'sarif-severity', threshold: { critical: 0, high: 0 }, evidence: [a.sha256, b.sha256] };

  it('are those of the judged logs at the severities the rule limits, most severe first, with the total counted', () => {
    const behind = findingsBehind(reason, [a, b]);
    expect(behind.findings.map((item) => item.ruleId)).toEqual(['c1', 'h1']);
    expect(behind.total).toBe(4); // 3 critical (only one listed in its log) + 1 high
  });

  it('leave out logs the rule did not judge, and other rules entirely', () => {
    expect(findingsBehind({ ...reason, evidence: [a.sha256] }, [a, b]).findings.map((item) => item.ruleId)).toEqual(['h1']);
    expect(findingsBehind({ type: 'tests-pass', threshold: { maxFailures: 0 }, evidence: [a.sha256] }, [a, b])).toEqual({ findings: [], total: 0 });
  });

  it('leave out the findings VEX took out of the count (the result lists those, with their justification)', () => {
    const vex = { suppressed: [{ vulnerability: 'c1', severity: 'critical', count: 3, evidence: b.sha256, product: 'the released image', status: 'not_affected' as const, vex: 'e'.repeat(64) }], notApplied: [], notAppliedTotal: 0 };
    const behind = findingsBehind({ ...reason, vex }, [a, b]);
    expect(behind).toEqual({ findings: [expect.objectContaining({ ruleId: 'h1' })], total: 1 });
  });

  it('are none, but still counted, for logs summarised before findings were recorded', () => {
    const old = log('c'.repeat(64), undefined, { high: 2 });
    expect(findingsBehind({ ...reason, evidence: [old.sha256] }, [old])).toEqual({ findings: [], total: 2 });
  });
});

describe('the components behind a license rule’s result', () => {
  const sbom = (sha256: string, componentsByLicense: Record<string, Array<{ name: string; version?: string }>> | undefined) => ({ kind: 'sbom', sha256, summary: { format: 'cyclonedx', ...(componentsByLicense ? { componentsByLicense } : {}) } });
  const a = sbom('a'.repeat(64), { 'GPL-3.0-only': [{ name: 'readline', version: '8.2' }], 'AGPL-3.0-only': [{ name: 'ghostscript', version: '10.0' }], MIT: [{ name: 'left-pad', version: '1.3.0' }] });
  const b = sbom('b'.repeat(64), { 'GPL-3.0-only': [{ name: 'readline', version: '8.2' }, { name: 'bash', version: '5.2' }] });

  it('names each denied license with its count and the components under it, most widespread first, without repeats across SBOMs', () => {
    const reason = { type: 'license-deny', measured: { denied: { 'AGPL-3.0-only': 1, 'GPL-3.0-only': 3 } }, evidence: [a.sha256, b.sha256] };
    expect(componentsBehind(reason, [a, b])).toEqual([
      { license: 'GPL-3.0-only', count: 3, components: [{ name: 'readline', version: '8.2' }, { name: 'bash', version: '5.2' }] },
      { license: 'AGPL-3.0-only', count: 1, components: [{ name: 'ghostscript', version: '10.0' }] },
    ]);
  });

  it('is empty for a passing license rule and for other rules; counts without names for SBOMs summarised before names were kept', () => {
    expect(componentsBehind({ type: 'license-deny', measured: { denied: {} }, evidence: [a.sha256] }, [a])).toEqual([]);
    expect(componentsBehind({ type: 'sbom-present', measured: { components: 3 }, evidence: [a.sha256] }, [a])).toEqual([]);
    const old = sbom('c'.repeat(64), undefined);
    expect(componentsBehind({ type: 'license-deny', measured: { denied: { 'GPL-3.0-only': 2 } }, evidence: [old.sha256] }, [old])).toEqual([{ license: 'GPL-3.0-only', count: 2, components: [] }]);
  });
});
