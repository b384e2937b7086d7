/**
 * Evidence as the console shows it: one line a person can read for each kind's parsed summary,
 * and a freshness badge. Freshness is judged against the policy's own age limit for the kind
 * (an `evidence-required` rule's maxAgeHours) when it has one, otherwise against a default week,
 * and the page says which.
 */
import type { ChecksumsSummary } from '@/lib/evidence/parsers/checksums';
import type { CustomSummary } from '@/lib/evidence/parsers/custom';
import { junitNotes, type JunitSummary } from '@/lib/evidence/parsers/junit';
import type { ManifestsSummary } from '@/lib/evidence/parsers/manifests';
import { attestationSignature, type CarrierAttestation, type ProvenanceSummary } from '@/lib/evidence/parsers/provenance';
import { SEVERITIES, type SarifSummary } from '@/lib/evidence/parsers/sarif';
import type { SbomSummary } from '@/lib/evidence/parsers/sbom';
import { VEX_STATUSES, type VexSummary } from '@/lib/evidence/parsers/vex';
import type { PolicyRule } from '@/lib/policy/schema';
import { plural } from '@/lib/text/plural';

const HOUR_MS = 3_600_000;
/** Evidence older than this is shown as stale when the policy sets no limit for its kind. */
export const DEFAULT_MAX_AGE_HOURS = 7 * 24;
/** Past this share of its limit, evidence is shown as ageing. */
const AGEING_SHARE = 0.75;

export type Freshness = 'fresh' | 'ageing' | 'stale';

export interface FreshnessJudgement {
  freshness: Freshness;
  ageHours: number;
  maxAgeHours: number;
  /** Where the limit comes from: a rule of the policy, or the console's default. */
  limitFrom: { ruleId: string } | 'default';
}

/** The policy's age limit for each evidence kind (the strictest when several rules set one). */
export function ageLimits(rules: readonly PolicyRule[]): Map<string, { maxAgeHours: number; ruleId: string }> {
  const limits = new Map<string, { maxAgeHours: number; ruleId: string }>();
  for (const rule of rules) {
    if (rule.type !== 'evidence-required' || typeof rule.maxAgeHours !== 'number' || typeof rule.kind !== 'string') continue;
    const existing = limits.get(rule.kind);
    if (!existing || rule.maxAgeHours < existing.maxAgeHours) limits.set(rule.kind, { maxAgeHours: rule.maxAgeHours, ruleId: rule.id });
  }
  return limits;
}

export function judgeFreshness(collectedAt: Date | string, at: Date, limit: { maxAgeHours: number; ruleId: string } | undefined): FreshnessJudgement {
  const ageHours = Math.max(0, (at.getTime() - new Date(collectedAt).getTime()) / HOUR_MS);
  const maxAgeHours = limit?.maxAgeHours ?? DEFAULT_MAX_AGE_HOURS;
  const freshness: Freshness = ageHours > maxAgeHours ? 'stale' : ageHours > maxAgeHours * AGEING_SHARE ? 'ageing' : 'fresh';
  return { freshness, ageHours: Math.round(ageHours * 10) / 10, maxAgeHours, limitFrom: limit ? { ruleId: limit.ruleId } : 'default' };
}

/** "3 d 4 h", "45 min": an age as people say it. */
export function formatAge(hours: number): string {
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  const days = Math.floor(hours / 24);
  const rest = Math.round(hours - days * 24);
  return rest ? `${days} d ${rest} h` : `${days} d`;
}


/** One line about what a piece of evidence says. */
export function describeSummary(kind: string, summary: unknown): string {
  const s = (summary ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'sbom': {
      const sbom = s as unknown as SbomSummary;
      const licenses = Object.keys(sbom.licenses ?? {}).length;
      const vulnerabilities = sbom.vulnerabilities
        ? `; ${plural(sbom.vulnerabilities.total, 'known vulnerability', 'known vulnerabilities')}` +
          (sbom.vulnerabilities.total ? ` (${(['critical', 'high', 'medium', 'low'] as const).filter((severity) => sbom.vulnerabilities!.bySeverity[severity]).map((severity) => `${sbom.vulnerabilities!.bySeverity[severity]} ${severity}`).join(', ') || 'none rated'})` : '')
        : '';
      return (
        `${sbom.format ?? 'SBOM'} ${sbom.specVersion ?? ''}${sbom.encoding ? ` (${sbom.encoding})` : ''}`.trim() +
        `: ${plural(sbom.components ?? 0, 'component')}, ${plural(licenses, 'license')}` +
        (sbom.componentsWithoutLicense ? `, ${sbom.componentsWithoutLicense} without a license` : '') +
        vulnerabilities +
        (sbom.readFrom === 'github-dependency-graph' ? "; read from GitHub's dependency-graph export" : '') +
        attestedText(sbom.attestation)
      );
    }
    case 'sarif': {
      const sarif = s as unknown as SarifSummary;
      const counts = SEVERITIES.filter((severity) => severity !== 'none' && (sarif.bySeverity?.[severity] ?? 0) > 0).map((severity) => `${sarif.bySeverity[severity]} ${severity}`);
      const tools = (sarif.tools ?? []).join(', ');
      return `${tools || 'SARIF'}: ${counts.length ? counts.join(', ') : 'no findings'}` + (sarif.suppressed ? ` (${sarif.suppressed} suppressed)` : '') + attestedText(sarif.attestation);
    }
    case 'vex': {
      const vex = s as unknown as VexSummary;
      const statuses = VEX_STATUSES.filter((status) => (vex.byStatus?.[status] ?? 0) > 0).map((status) => `${vex.byStatus[status]} ${status.replace('_', ' ')}`);
      return `${{ openvex: 'OpenVEX', cyclonedx: 'CycloneDX VEX', csaf: 'CSAF VEX' }[vex.format] ?? 'VEX'}: ${plural(vex.total ?? 0, 'statement')}${statuses.length ? ` (${statuses.join(', ')})` : ''}${vex.author ? `, by ${vex.author}` : ''}` + attestedText(vex.attestation);
    }
    case 'checksums': {
      const checksums = s as unknown as ChecksumsSummary;
      return `${plural(checksums.count ?? 0, 'checksum')} (${(checksums.algorithms ?? []).join(', ') || 'unknown algorithm'})`;
    }
    case 'provenance': {
      const provenance = s as unknown as ProvenanceSummary;
      return (
        `${provenance.predicateType ?? 'in-toto statement'}: ${plural(provenance.subjects?.length ?? 0, 'subject')}` +
        (provenance.builderId ? `, built by ${provenance.builderId}` : '') +
        `; ${signatureText(provenance)}` +
        (provenance.lines ? `; ${plural(provenance.lines.length, 'attestation')} read from a JSON Lines bundle` : '') +
        (provenance.notes?.length ? ` (${provenance.notes.join('; ')})` : '')
      );
    }
    case 'manifests': {
      const manifests = s as unknown as ManifestsSummary;
      const kinds = Object.entries(manifests.kinds ?? {})
        .map(([name, count]) => `${count} ${name}`)
        .join(', ');
      return `${plural(manifests.documents ?? 0, 'document')}${kinds ? `: ${kinds}` : ''}`;
    }
    case 'junit': {
      const junit = s as unknown as JunitSummary;
      const notes = junitNotes(junit);
      return `${plural(junit.tests ?? 0, 'test')}: ${junit.passed ?? 0} passed, ${junit.failures ?? 0} failed, ${plural(junit.errors ?? 0, 'error')}, ${junit.skipped ?? 0} skipped${notes.length ? ` (${notes.join('; ')})` : ''}`;
    }
    case 'custom': {
      const custom = s as unknown as CustomSummary;
      return `JSON ${custom.type ?? 'document'} with ${plural(custom.entries ?? 0, 'entry')}`.replace('entrys', 'entries');
    }
    default:
      return kind;
  }
}

/** What verifying a provenance document's signature found at upload, in words. */
/** "; in an attestation (predicate …) about app (sha256:…), signature verified by …": how an SBOM, scan or VEX arrived. */
function attestedText(attestation: CarrierAttestation | undefined): string {
  if (!attestation) return '';
  const subjects = attestation.subjects.map((subject) => `${subject.name || 'unnamed'}${subject.digest.sha256 ? ` (sha256:${subject.digest.sha256.slice(0, 12)}…)` : ''}`);
  return `; in an attestation (predicate ${attestation.predicateType}) about ${subjects.slice(0, 3).join(', ') || 'no subject'}${subjects.length > 3 ? ` and ${subjects.length - 3} more` : ''}; ${attestation.signature.text}`;
}

function signatureText(provenance: ProvenanceSummary): string {
  return attestationSignature(provenance.envelope).text;
}
