/** Rules about the evidence itself: present, fresh, and saying what the policy allows. */
import { z } from 'zod';
import { EVIDENCE_KINDS } from '@/lib/evidence/kinds';
import { junitNotes, type JunitSummary } from '@/lib/evidence/parsers/junit';
import { CARRIED_KINDS, CARRIED_NOUN, type CarriedKind, type CarrierAttestation } from '@/lib/evidence/parsers/provenance';
import { SEVERITIES, type SarifSummary, type Severity } from '@/lib/evidence/parsers/sarif';
import { VULNERABILITY_SEVERITIES, type SbomSummary, type VulnerabilitySeverity } from '@/lib/evidence/parsers/sbom';
import { applyVex, type VexOutcome, type VexTrust } from '../vex';
import type { EvidenceInput } from '../inputs';
import { identityLabel, signedRefusal, trustedIdentitySchema, type TrustedIdentity } from './integrity';
import { defineRule, evidenceOfKind, missing, summaryOf, type JsonValue, type RuleContext, type RuleOutcome } from './types';
import { formatCount, plural } from '@/lib/text/plural';

const HOUR_MS = 3_600_000;

/**
 * An evidence rule's `requireSigned` and `trustedIdentities`: only evidence that arrived inside an
 * attestation whose signature verified counts, by the same check as a findings rule's signed VEX
 * (signedRefusal). Absent, every piece counts and the result reads as before the parameters existed.
 */
function signedParams(what: string) {
  return {
    requireSigned: z
      .boolean()
      .optional()
      .describe(
        `Only ${what} sent inside an attestation whose signature verified at upload counts: signed with a key this policy trusts (its provenance-subject rules' trustedKeys), or keyless by one of trustedIdentities. ` +
          'Send it as an attestation (cosign attest, GitHub attest-sbom: a Sigstore bundle or DSSE envelope) instead of the bare file. If only unsigned or unverified ones were sent, the rule fails, naming each and why. Off by default.',
      ),
    trustedIdentities: z
      .array(trustedIdentitySchema)
      .min(1)
      .max(20)
      .optional()
      .describe(`Keyless Sigstore signers (OIDC issuer and certificate identity, e.g. a CI workflow) whose signature makes ${what} count, with requireSigned.`),
  };
}

const IDENTITIES_NEED_SIGNED = { check: (rule: SignedRule) => rule.trustedIdentities === undefined || rule.requireSigned === true, message: 'trustedIdentities count only with requireSigned: true', path: 'trustedIdentities' };

interface SignedRule {
  requireSigned?: boolean;
  trustedIdentities?: TrustedIdentity[];
}

/** The rule's signature settings as its threshold shows them (only when set: older results stay as they were). */
function signedThreshold(rule: SignedRule): Record<string, JsonValue> {
  if (!rule.requireSigned) return {};
  return { requireSigned: true, ...(rule.trustedIdentities ? { trustedIdentities: rule.trustedIdentities.map(identityLabel).sort() } : {}) };
}

const attestationOf = (item: EvidenceInput) => summaryOf<{ attestation?: CarrierAttestation }>(item).attestation;

/** With requireSigned, the evidence whose attestation signature counts and each other piece with why not; without it, all of it. */
function signedOnly(items: EvidenceInput[], rule: SignedRule, trustedKeys: RuleContext['trustedKeys']): { counted: EvidenceInput[]; refused: Array<{ item: EvidenceInput; why: string | null }> } {
  if (!rule.requireSigned) return { counted: items, refused: [] };
  const counted: EvidenceInput[] = [];
  const refused: Array<{ item: EvidenceInput; why: string | null }> = [];
  for (const item of items) {
    const refusal = signedRefusal(attestationOf(item), trustedKeys, rule.trustedIdentities ?? []);
    if (!refusal) counted.push(item);
    else refused.push({ item, why: 'why' in refusal ? refusal.why : null });
  }
  return { counted, refused };
}

/** The failure when evidence of the kind was sent but none of it is signed as the rule requires. */
function unsigned(kind: CarriedKind, refused: Array<{ item: EvidenceInput; why: string | null }>, threshold: JsonValue): RuleOutcome {
  const noun = CARRIED_NOUN[kind];
  const named = refused
    .slice(0, 3)
    .map(({ item, why }) => `the ${noun} sha256:${item.sha256.slice(0, 12)}… was sent ${why === null ? 'unsigned' : `in an attestation that does not count: ${why}`}`);
  const more = refused.length > named.length ? ` (and ${plural(refused.length - named.length, `other ${noun}`)})` : '';
  return {
    status: 'fail',
    message: `${named.join('; ')}${more}; send it as a cosign attestation signed by a trusted key (rp gate --${kind} ${kind}.att.json) or keyless by one of trustedIdentities, or drop requireSigned`,
    measured: { signed: 0, refused: refused.map(({ item, why }) => ({ sha256: item.sha256, reason: why ?? 'unsigned: not sent as an attestation' })) },
    threshold,
    evidence: refused.map(({ item }) => item.sha256).sort(),
  };
}

/** How the counted evidence was signed, for a result under requireSigned. */
const signatureText = (item: EvidenceInput) => attestationOf(item)?.signature?.text ?? 'signature verified';

export const evidenceRequired = defineRule({
  type: 'evidence-required',
  title: 'Evidence of a kind is present (and fresh)',
  params: {
    kind: z.enum(EVIDENCE_KINDS).describe('The kind of evidence the release must carry.'),
    maxAgeHours: z.number().positive().max(24 * 366).optional().describe('The newest evidence of the kind may be at most this many hours old when the release is judged; any age when empty.'),
    ...signedParams('evidence of the kind (an SBOM, SARIF scan or VEX document)'),
  },
  refine: [
    {
      check: (rule) => !rule.requireSigned || (CARRIED_KINDS as readonly string[]).includes(rule.kind),
      message: 'requireSigned applies to sbom, sarif and vex evidence (what can be sent inside an attestation); provenance is checked by a provenance-subject rule\'s trustedKeys and trustedIdentities',
      path: 'requireSigned',
    },
    IDENTITIES_NEED_SIGNED,
  ],
  evaluate(rule, { inputs, evaluatedAt, trustedKeys }): RuleOutcome {
    const threshold = { kind: rule.kind, maxAgeHours: rule.maxAgeHours ?? null, ...signedThreshold(rule) };
    const all = evidenceOfKind(inputs, rule.kind);
    if (all.length === 0) return missing(rule.kind, threshold, rule.requireSigned ? `send it as a signed attestation with "rp gate --${rule.kind} ${rule.kind}.att.json"` : `upload it with "rp gate --${rule.kind} FILE"`);
    const { counted, refused } = signedOnly(all, rule, trustedKeys);
    const [newest] = counted;
    if (!newest) return unsigned(rule.kind as CarriedKind, refused, threshold);
    const ageHours = Math.round(((Date.parse(evaluatedAt) - Date.parse(newest.collectedAt)) / HOUR_MS) * 10) / 10;
    const signature = rule.requireSigned ? signatureText(newest) : null;
    const measured = { ageHours, collectedAt: newest.collectedAt, ...(signature ? { signature } : {}) };
    if (rule.maxAgeHours !== undefined && ageHours > rule.maxAgeHours) {
      return {
        status: 'stale',
        message: `the newest ${signature ? 'signed ' : ''}${rule.kind} evidence is ${ageHours} h old; the limit is ${rule.maxAgeHours} h`,
        measured,
        threshold,
        evidence: [newest.sha256],
      };
    }
    return { status: 'pass', message: `${rule.kind} evidence present (${ageHours} h old${signature ? `; ${signature}` : ''})`, measured, threshold, evidence: [newest.sha256] };
  },
});

export const sbomPresent = defineRule({
  type: 'sbom-present',
  title: 'An SBOM lists the release’s components',
  params: {
    minComponents: z.number().int().min(0).default(1).describe('The fewest components the largest SBOM of the release must list.'),
    ...signedParams('an SBOM'),
  },
  refine: [IDENTITIES_NEED_SIGNED],
  evaluate(rule, { inputs, trustedKeys }): RuleOutcome {
    const threshold = { minComponents: rule.minComponents, ...signedThreshold(rule) };
    const all = evidenceOfKind(inputs, 'sbom');
    if (all.length === 0) return missing('sbom', threshold, rule.requireSigned ? 'send it as a signed attestation with "rp gate --sbom sbom.att.json"' : 'upload a CycloneDX or SPDX SBOM with "rp gate --sbom FILE"');
    const { counted: sboms, refused } = signedOnly(all, rule, trustedKeys);
    if (sboms.length === 0) return unsigned('sbom', refused, threshold);
    const best = sboms.reduce((a, b) => (summaryOf<SbomSummary>(b).components > summaryOf<SbomSummary>(a).components ? b : a));
    const components = summaryOf<SbomSummary>(best).components;
    const signature = rule.requireSigned ? signatureText(best) : null;
    const measured = { components, ...(signature ? { signature } : {}) };
    if (components < rule.minComponents) {
      return {
        status: 'fail',
        message: `the ${signature ? 'signed ' : ''}SBOM lists ${plural(components, 'component')}; at least ${rule.minComponents} are required`,
        measured,
        threshold,
        evidence: [best.sha256],
      };
    }
    return { status: 'pass', message: `the SBOM lists ${plural(components, 'component')}${signature ? ` (${signature})` : ''}`, measured, threshold, evidence: [best.sha256] };
  },
});

/** SPDX ids in a license expression ("MIT OR (Apache-2.0 WITH LLVM-exception)"). */
export function licenseIds(expression: string): string[] {
  return expression
    .split(/\s+(?:AND|OR|WITH)\s+|[()]/i)
    .map((part) => part.trim())
    .filter(Boolean);
}

export const licenseDeny = defineRule({
  type: 'license-deny',
  title: 'No component under a denied license',
  params: { licenses: z.array(z.string().min(1).max(128)).min(1).max(500).describe('License ids (SPDX) no component may carry, compared without regard to case.') },
  evaluate(rule, { inputs }): RuleOutcome {
    const denied = new Map(rule.licenses.map((license) => [license.toLowerCase(), license]));
    const threshold = { deny: [...rule.licenses].sort() };
    const sboms = evidenceOfKind(inputs, 'sbom');
    if (sboms.length === 0) return missing('sbom', threshold, 'licenses are read from the SBOM');
    const found: Record<string, number> = {};
    const evidence = new Set<string>();
    for (const sbom of sboms) {
      for (const [license, count] of Object.entries(summaryOf<SbomSummary>(sbom).licenses) as Array<[string, number]>) {
        const hits = licenseIds(license).filter((id) => denied.has(id.toLowerCase()));
        if (hits.length === 0) continue;
        found[license] = (found[license] ?? 0) + count;
        evidence.add(sbom.sha256);
      }
    }
    const entries = Object.entries(found).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length > 0) {
      const components = entries.reduce((sum, [, count]) => sum + count, 0);
      return {
        status: 'fail',
        message: `${plural(components, 'component')} under denied licenses: ${entries.map(([license, count]) => `${license} (${count})`).join(', ')}`,
        measured: { denied: Object.fromEntries(entries) },
        threshold,
        evidence: [...evidence].sort(),
      };
    }
    return { status: 'pass', message: 'no component under a denied license', measured: { denied: {} }, threshold, evidence: sboms.map((s) => s.sha256).sort() };
  },
});

/** Per-severity limits (findings of a scan, vulnerabilities in an SBOM); at least one is named. */
function severityLimits(noun: string, description: string) {
  const limit = (severity: string) => z.number().int().min(0).optional().describe(`Most ${severity} ${noun} allowed.`);
  return z
    .object({ critical: limit('critical'), high: limit('high'), medium: limit('medium'), low: limit('low') })
    .strict()
    .refine((limits) => Object.values(limits).some((value) => value !== undefined), 'name at least one severity limit')
    .describe(description);
}

/** Whose VEX a findings rule honours; absent, every VEX document of the release counts. */
const vexTrustSchema = z
  .object({
    trustedAuthors: z
      .array(z.string().trim().min(1).max(200))
      .min(1)
      .max(50)
      .optional()
      .describe('Only VEX whose author is one of these is applied, as the document names it (OpenVEX author, CSAF document.publisher.name, CycloneDX metadata authors, manufacturer or supplier), compared without regard to case. A name is what the document says: anyone can write it; with requireSigned it is also signed.'),
    requireSigned: z
      .boolean()
      .optional()
      .describe('Only VEX sent inside an attestation whose signature verified at upload is applied: signed with a key this policy trusts (its provenance-subject rules\' trustedKeys), or keyless by one of trustedIdentities.'),
    trustedIdentities: z
      .array(trustedIdentitySchema)
      .min(1)
      .max(20)
      .optional()
      .describe('Keyless Sigstore signers (OIDC issuer and certificate identity) whose signed VEX is applied, with requireSigned.'),
  })
  .strict()
  .refine((value) => value.trustedAuthors !== undefined || value.requireSigned === true, 'name trustedAuthors or set requireSigned: true')
  .refine((value) => value.trustedIdentities === undefined || value.requireSigned === true, 'trustedIdentities count only with requireSigned: true')
  .optional()
  .describe('Whose VEX statements this rule applies: by author and/or only signed VEX. Without it, every VEX document sent for the release is applied.');

/** The rule's VEX trust settings as the threshold shows them (only when it has them: older results stay as they were). */
function vexThreshold(trust: VexTrust | undefined): Record<string, JsonValue> {
  if (!trust) return {};
  return {
    vex: {
      ...(trust.trustedAuthors ? { trustedAuthors: [...trust.trustedAuthors].sort() } : {}),
      ...(trust.requireSigned ? { requireSigned: true } : {}),
      ...(trust.trustedIdentities ? { trustedIdentities: trust.trustedIdentities.map(identityLabel).sort() } : {}),
    },
  };
}

export const sarifSeverity = defineRule({
  type: 'sarif-severity',
  title: 'Static analysis findings within limits',
  params: {
    limits: severityLimits('findings', 'Most findings allowed per severity; a severity left empty is not limited.'),
    vex: vexTrustSchema,
  },
  evaluate(rule, context): RuleOutcome {
    const { inputs } = context;
    const limited = SEVERITIES.filter((severity): severity is Exclude<Severity, 'none'> => severity !== 'none' && rule.limits[severity] !== undefined);
    const threshold = { ...Object.fromEntries(limited.map((severity) => [severity, rule.limits[severity]!])), ...vexThreshold(rule.vex) } as JsonValue;
    const logs = evidenceOfKind(inputs, 'sarif');
    if (logs.length === 0) return missing('sarif', threshold, 'upload the scanner\'s SARIF log with "rp gate --sarif FILE"');
    const counts: Record<string, number> = Object.fromEntries(limited.map((severity) => [severity, 0]));
    const rules: Record<string, Set<string>> = {};
    for (const log of logs) {
      const summary = summaryOf<SarifSummary>(log);
      for (const severity of limited) {
        counts[severity]! += summary.bySeverity[severity] ?? 0;
        for (const ruleId of summary.rulesBySeverity[severity] ?? []) (rules[severity] ??= new Set()).add(ruleId);
      }
    }
    const vex = applyVex(context, 'sarif', rule.vex);
    subtractSuppressed(counts, rules, vex);
    const over = limited.filter((severity) => counts[severity]! > rule.limits[severity]!);
    const evidence = [...logs.map((log) => log.sha256), ...(vex?.evidence ?? [])].sort();
    const withVex = vex ? { vex: vex.application } : {};
    if (over.length > 0) {
      const parts = over.map((severity) => {
        const ids = [...(rules[severity] ?? [])].slice(0, 5);
        return `${plural(counts[severity]!, `${severity} finding`)} (limit ${rule.limits[severity]})${ids.length ? `: ${ids.join(', ')}` : ''}`;
      });
      return { status: 'fail', message: parts.join('; ') + suppressedNote(vex, 'finding'), measured: counts, threshold, evidence, ...withVex };
    }
    return { status: 'pass', message: `findings within limits (${limited.map((s) => `${s} ${counts[s]}`).join(', ')})${suppressedNote(vex, 'finding')}`, measured: counts, threshold, evidence, ...withVex };
  },
});

export const vulnerabilitySeverity = defineRule({
  type: 'vulnerability-severity',
  title: 'Known vulnerabilities in the SBOM within limits',
  params: {
    limits: severityLimits('vulnerabilities', 'Most vulnerabilities allowed per severity (each counted at its most severe rating); a severity left empty is not limited.'),
    vex: vexTrustSchema,
  },
  evaluate(rule, context): RuleOutcome {
    const { inputs } = context;
    const limited = VULNERABILITY_SEVERITIES.filter((severity): severity is Exclude<VulnerabilitySeverity, 'none'> => severity !== 'none' && rule.limits[severity] !== undefined);
    const threshold = { ...Object.fromEntries(limited.map((severity) => [severity, rule.limits[severity]!])), ...vexThreshold(rule.vex) } as JsonValue;
    const sboms = evidenceOfKind(inputs, 'sbom');
    if (sboms.length === 0) return missing('sbom', threshold, 'upload a CycloneDX SBOM with its vulnerabilities (trivy --format cyclonedx --scanners vuln) with "rp gate --sbom FILE"');
    // An SBOM without a vulnerabilities list says nothing about vulnerabilities: never read as zero.
    const scanned = sboms.filter((sbom) => summaryOf<SbomSummary>(sbom).vulnerabilities);
    if (scanned.length === 0) {
      return {
        status: 'missing',
        message: 'no SBOM of this release carries vulnerability data; generate it with the scan (trivy --format cyclonedx --scanners vuln, or grype -o cyclonedx-json), or limit a SARIF scan instead',
        measured: null,
        threshold,
        evidence: sboms.map((sbom) => sbom.sha256).sort(),
      };
    }
    const counts: Record<string, number> = Object.fromEntries(limited.map((severity) => [severity, 0]));
    const ids: Record<string, Set<string>> = {};
    let unrated = 0;
    for (const sbom of scanned) {
      const { vulnerabilities } = summaryOf<SbomSummary>(sbom);
      unrated += vulnerabilities!.unrated ?? 0;
      for (const severity of limited) {
        counts[severity]! += vulnerabilities!.bySeverity[severity] ?? 0;
        for (const item of vulnerabilities!.examples) if (item.severity === severity) (ids[severity] ??= new Set()).add(item.id);
      }
    }
    const vex = applyVex(context, 'sbom', rule.vex);
    subtractSuppressed(counts, ids, vex);
    const over = limited.filter((severity) => counts[severity]! > rule.limits[severity]!);
    // Said, not hidden: a vulnerability with no severity (and no CVSS score) falls under no limit.
    const unratedNote = unrated ? `; ${plural(unrated, 'vulnerability', 'vulnerabilities')} without a severity or CVSS score, which no limit counts` : '';
    const measured = unrated ? { ...counts, unrated } : counts;
    const evidence = [...scanned.map((sbom) => sbom.sha256), ...(vex?.evidence ?? [])].sort();
    const withVex = vex ? { vex: vex.application } : {};
    if (over.length > 0) {
      const parts = over.map((severity) => {
        const named = [...(ids[severity] ?? [])].slice(0, 5);
        return `${plural(counts[severity]!, `${severity} vulnerability`, `${severity} vulnerabilities`)} (limit ${rule.limits[severity]})${named.length ? `: ${named.join(', ')}` : ''}`;
      });
      return { status: 'fail', message: parts.join('; ') + suppressedNote(vex, 'vulnerability', 'vulnerabilities') + unratedNote, measured, threshold, evidence, ...withVex };
    }
    return {
      status: 'pass',
      message: `vulnerabilities within limits (${limited.map((s) => `${s} ${counts[s]}`).join(', ')})${suppressedNote(vex, 'vulnerability', 'vulnerabilities')}${unratedNote}`,
      measured,
      threshold,
      evidence,
      ...withVex,
    };
  },
});

/** Takes the findings VEX suppressed out of the counts, and their names out of those a message lists. */
function subtractSuppressed(counts: Record<string, number>, names: Record<string, Set<string>>, vex: VexOutcome | null): void {
  if (!vex) return;
  for (const severity of Object.keys(counts)) counts[severity] = Math.max(0, counts[severity]! - (vex.bySeverity[severity] ?? 0));
  for (const [severity, listed] of Object.entries(names)) for (const name of listed) if (vex.names.has(`${severity}\u0000${name}`)) listed.delete(name);
}

function suppressedNote(vex: VexOutcome | null, noun: string, pluralNoun?: string): string {
  if (!vex) return '';
  const count = vex.application.suppressed.reduce((sum, item) => sum + item.count, 0);
  const skipped = vex.application.notAppliedTotal;
  const untrusted = vex.application.untrusted?.length ?? 0;
  return ` (VEX: ${plural(count, noun, pluralNoun)} suppressed${skipped ? `, ${plural(skipped, 'statement')} not applied` : ''}${untrusted ? `, ${plural(untrusted, 'document')} from an untrusted source` : ''})`;
}

export const testsPass = defineRule({
  type: 'tests-pass',
  title: 'Test reports are green',
  params: {
    maxFailures: z.number().int().min(0).default(0).describe('Most failed or errored tests allowed.'),
    minTests: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Fewest tests that must have run (skipped and disabled ones do not count): a report of tests that did not run proves nothing.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const threshold = { maxFailures: rule.maxFailures, minTests: rule.minTests };
    const reports = evidenceOfKind(inputs, 'junit');
    if (reports.length === 0) return missing('junit', threshold, 'upload the JUnit XML report with "rp gate --junit FILE"');
    let tests = 0;
    let skipped = 0;
    let failed = 0;
    let flaky = 0;
    let suitesCountedFromTotals = 0;
    const names: string[] = [];
    for (const report of reports) {
      const summary = summaryOf<JunitSummary>(report);
      tests += summary.tests;
      skipped += summary.skipped;
      failed += summary.failures + summary.errors;
      flaky += summary.flaky ?? 0;
      suitesCountedFromTotals += summary.suitesCountedFromTotals ?? 0;
      names.push(...summary.failed);
    }
    const notes = junitNotes({ flaky, suitesCountedFromTotals });
    const noted = notes.length ? ` (${notes.join('; ')})` : '';
    const ran = tests - skipped;
    const measured = { tests, ran, failed };
    const evidence = reports.map((report) => report.sha256).sort();
    if (failed > rule.maxFailures) {
      return {
        status: 'fail',
        message: `${plural(failed, 'test')} failed (at most ${rule.maxFailures} allowed)${names.length ? `: ${names.slice(0, 3).join('; ')}` : ''}`,
        measured,
        threshold,
        evidence,
      };
    }
    const skippedNote = skipped ? `, ${formatCount(skipped)} skipped` : '';
    if (ran < rule.minTests) {
      const held = ran === tests ? plural(tests, 'test') : `${plural(tests, 'test')}, of which ${ran === 0 ? 'none' : formatCount(ran)} ran`;
      return { status: 'fail', message: `the reports hold ${held}; at least ${rule.minTests} must run`, measured, threshold, evidence };
    }
    return { status: 'pass', message: `${plural(tests, 'test')}, ${failed} failed${skippedNote}${noted}`, measured, threshold, evidence };
  },
});
