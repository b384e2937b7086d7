/** Rules tying the evidence to the artifacts released: checksums and provenance. */
import path from 'node:path';
import { z } from 'zod';
import type { ChecksumsSummary } from '@/lib/evidence/parsers/checksums';
import type { ProvenanceSummary } from '@/lib/evidence/parsers/provenance';
import { defineRule, evidenceOfKind, missing, plural, summaryOf, type RuleOutcome } from './types';

export const checksumMatch = defineRule({
  type: 'checksum-match',
  title: 'Released artifacts match the checksums file',
  params: {
    artifacts: z.array(z.string().min(1).max(512)).max(200).optional().describe('Artifact names that must be reported and match; every reported artifact when empty.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const threshold = { artifacts: rule.artifacts ? [...rule.artifacts].sort() : 'every reported artifact' };
    const files = evidenceOfKind(inputs, 'checksums');
    if (files.length === 0) return missing('checksums', threshold, 'upload the release\'s checksums file with "rp gate --checksums FILE"');
    const listed = new Map<string, string>();
    for (const file of files) {
      for (const entry of summaryOf<ChecksumsSummary>(file).entries) {
        if (entry.algorithm === 'sha256') listed.set(path.posix.basename(entry.name.replace(/^\*/, '')), entry.digest);
      }
    }
    const reported = new Map(inputs.artifacts.map((artifact) => [path.posix.basename(artifact.name), artifact.sha256]));
    const names = rule.artifacts ? rule.artifacts.map((name) => path.posix.basename(name)) : [...reported.keys()];
    const evidence = files.map((file) => file.sha256).sort();
    if (names.length === 0) {
      return {
        status: 'missing',
        message: 'no artifact was reported with this release; pass the files to compare with "rp gate --artifact FILE"',
        measured: null,
        threshold,
        evidence,
      };
    }
    const notReported = names.filter((name) => !reported.has(name)).sort();
    const notListed = names.filter((name) => reported.has(name) && !listed.has(name)).sort();
    const mismatched = names.filter((name) => reported.has(name) && listed.has(name) && reported.get(name) !== listed.get(name)).sort();
    const matched = names.length - notReported.length - notListed.length - mismatched.length;
    const measured = { matched, mismatched, notListed, notReported };
    if (mismatched.length + notListed.length + notReported.length > 0) {
      const parts = [
        mismatched.length ? `${mismatched.join(', ')} ${mismatched.length === 1 ? 'does' : 'do'} not match the checksums file` : '',
        notListed.length ? `${notListed.join(', ')} ${notListed.length === 1 ? 'is' : 'are'} not in the checksums file` : '',
        notReported.length ? `${notReported.join(', ')} ${notReported.length === 1 ? 'was' : 'were'} not reported` : '',
      ].filter(Boolean);
      return { status: 'fail', message: parts.join('; '), measured, threshold, evidence };
    }
    return { status: 'pass', message: `${plural(matched, 'artifact')} match the checksums file`, measured, threshold, evidence };
  },
});

/** SLSA provenance predicates accepted unless the rule names others. */
export const SLSA_PROVENANCE_PREDICATE_TYPES = ['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1'] as const;

/** Why one attestation naming the image does not count, or null when it does. */
function provenanceRefusal(summary: ProvenanceSummary, predicateTypes: readonly string[], builderIds: readonly string[] | undefined): string | null {
  if (!summary.predicateType || !predicateTypes.includes(summary.predicateType)) {
    return `its predicate type is ${summary.predicateType ? `"${summary.predicateType}"` : 'missing'}, not provenance (${predicateTypes.join(', ')})`;
  }
  if (builderIds && (!summary.builderId || !builderIds.includes(summary.builderId))) {
    return `its builder is ${summary.builderId ? `"${summary.builderId}"` : 'not named'}, not an allowed builder (${builderIds.join(', ')})`;
  }
  return null;
}

export const provenanceSubject = defineRule({
  type: 'provenance-subject',
  title: 'Provenance is about the released image',
  params: {
    predicateTypes: z.array(z.string().url().max(512)).min(1).max(20).optional().describe('in-toto predicate types that count as provenance; SLSA provenance v0.2 and v1 when empty.'),
    builderIds: z.array(z.string().min(1).max(512)).min(1).max(50).optional().describe('Builder ids (SLSA builder.id) allowed to have built the image, compared exactly; any builder when empty.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const imageDigest = inputs.release.imageDigest;
    const hex = imageDigest.slice('sha256:'.length);
    const predicateTypes = rule.predicateTypes ?? [...SLSA_PROVENANCE_PREDICATE_TYPES];
    const threshold = { imageDigest, predicateTypes: [...predicateTypes].sort(), builderIds: rule.builderIds ? [...rule.builderIds].sort() : 'any' };
    const attestations = evidenceOfKind(inputs, 'provenance');
    if (attestations.length === 0) return missing('provenance', threshold, 'upload the build\'s in-toto/SLSA provenance with "rp gate --provenance FILE"');
    const refusals: string[] = [];
    for (const attestation of attestations) {
      const summary = summaryOf<ProvenanceSummary>(attestation);
      const subject = summary.subjects.find((item) => item.digest.sha256 === hex);
      if (!subject) continue;
      const refusal = provenanceRefusal(summary, predicateTypes, rule.builderIds);
      if (refusal) {
        refusals.push(`an attestation names the released image but ${refusal}`);
        continue;
      }
      // No signature is verified yet: say so rather than let "pass" read as "signed by a trusted builder".
      const signatures = summary.envelope ? `${plural(summary.envelope.signatures, 'signature')} not verified` : 'unsigned statement';
      return {
        status: 'pass',
        message: `provenance (${summary.predicateType}) by ${summary.builderId ?? 'an unnamed builder'} names the released image${subject.name ? ` (${subject.name})` : ''}; ${signatures}`,
        measured: {
          subject: subject.name,
          digest: imageDigest,
          predicateType: summary.predicateType,
          builderId: summary.builderId,
          signatureVerified: false,
        },
        threshold,
        evidence: [attestation.sha256],
      };
    }
    const evidence = attestations.map((item) => item.sha256).sort();
    if (refusals.length > 0) {
      return {
        status: 'fail',
        message: `${[...new Set(refusals)].sort().join('; ')}; upload SLSA provenance from an allowed builder with "rp gate --provenance FILE"`,
        measured: { refusals: [...new Set(refusals)].sort() },
        threshold,
        evidence,
      };
    }
    const digests = [...new Set(attestations.flatMap((item) => summaryOf<ProvenanceSummary>(item).subjects.map((subject) => subject.digest.sha256 ?? '')))]
      .filter(Boolean)
      .sort()
      .slice(0, 10)
      .map((digest) => `sha256:${digest}`);
    return {
      status: 'fail',
      message: `no provenance subject has the released image digest ${imageDigest}; the provenance is about ${digests.join(', ') || 'other digests'}`,
      measured: { subjects: digests },
      threshold,
      evidence,
    };
  },
});
