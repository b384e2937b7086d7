/**
 * The findings behind a rule's result, for the passport's "why": from the SARIF logs a findings
 * rule judged, the findings at the severities it limits, most severe first; from the SBOMs a
 * license rule judged, the components under each denied license. They come from the signed inputs
 * (the summaries taken at upload), so they are what the decision saw.
 */
import type { RuleResult } from '@/lib/gate/evaluate';
import { SEVERITIES, type SarifFinding, type SarifSummary } from '@/lib/evidence/parsers/sarif';
import type { SbomComponent, SbomSummary } from '@/lib/evidence/parsers/sbom';

/** Findings shown under a result; the rest are in the evidence, one click away. */
const SHOWN = 10;

export interface FindingsBehind {
  findings: SarifFinding[];
  /** Findings at those severities in the judged logs (the summaries count them all). */
  total: number;
}

/** Findings VEX statements took out of the count are not among them: the result lists those with their justification. */
export function findingsBehind(reason: Pick<RuleResult, 'type' | 'threshold' | 'evidence' | 'vex'>, evidence: ReadonlyArray<{ kind: string; sha256: string; summary: unknown }>): FindingsBehind {
  if (reason.type !== 'sarif-severity' || typeof reason.threshold !== 'object' || reason.threshold === null || Array.isArray(reason.threshold)) return { findings: [], total: 0 };
  const limited = new Set(Object.keys(reason.threshold));
  const judged = new Set(reason.evidence);
  const logs = evidence.filter((item) => item.kind === 'sarif' && judged.has(item.sha256)).map((item) => item.summary as SarifSummary);
  const rank = (finding: SarifFinding) => SEVERITIES.indexOf(finding.severity);
  const suppressed = new Set((reason.vex?.suppressed ?? []).map((item) => `${item.severity}\u0000${item.vulnerability}`));
  const findings = logs
    .flatMap((summary) => (summary.findings ?? []).filter((finding) => limited.has(finding.severity) && !suppressed.has(`${finding.severity}\u0000${finding.ruleId}`)))
    .sort((a, b) => rank(a) - rank(b));
  const counted = logs.reduce((sum, summary) => sum + [...limited].reduce((count, severity) => count + (summary.bySeverity?.[severity as keyof SarifSummary['bySeverity']] ?? 0), 0), 0);
  const total = counted - (reason.vex?.suppressed ?? []).filter((item) => limited.has(item.severity)).reduce((sum, item) => sum + item.count, 0);
  return { findings: findings.slice(0, SHOWN), total };
}

export interface LicenseBehind {
  license: string;
  /** Components under it in the judged SBOMs. */
  count: number;
  /** The first few of them, with their versions. */
  components: SbomComponent[];
}

export function componentsBehind(reason: Pick<RuleResult, 'type' | 'measured' | 'evidence'>, evidence: ReadonlyArray<{ kind: string; sha256: string; summary: unknown }>): LicenseBehind[] {
  const denied = reason.type === 'license-deny' ? (reason.measured as { denied?: Record<string, number> } | null)?.denied : undefined;
  if (!denied || typeof denied !== 'object') return [];
  const judged = new Set(reason.evidence);
  const sboms = evidence.filter((item) => item.kind === 'sbom' && judged.has(item.sha256)).map((item) => item.summary as SbomSummary);
  return Object.entries(denied)
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))
    .map(([license, count]) => {
      const seen = new Set<string>();
      const components = sboms
        .flatMap((summary) => summary.componentsByLicense?.[license] ?? [])
        .filter((component) => {
          const key = `${component.name}@${component.version ?? ''}`;
          return !seen.has(key) && seen.add(key);
        })
        .slice(0, 5);
      return { license, count, components };
    });
}
