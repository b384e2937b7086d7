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
    /** Artifact names that must be reported and match; by default every reported artifact. */
    artifacts: z.array(z.string().min(1).max(512)).max(200).optional(),
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

export const provenanceSubject = defineRule({
  type: 'provenance-subject',
  title: 'Provenance is about the released image',
  params: {},
  evaluate(_rule, { inputs }): RuleOutcome {
    const imageDigest = inputs.release.imageDigest;
    const hex = imageDigest.slice('sha256:'.length);
    const threshold = { imageDigest };
    const attestations = evidenceOfKind(inputs, 'provenance');
    if (attestations.length === 0) return missing('provenance', threshold, 'upload the build\'s in-toto/SLSA provenance with "rp gate --provenance FILE"');
    for (const attestation of attestations) {
      const subject = summaryOf<ProvenanceSummary>(attestation).subjects.find((item) => item.digest.sha256 === hex);
      if (subject) {
        return {
          status: 'pass',
          message: `provenance names the released image${subject.name ? ` (${subject.name})` : ''}`,
          measured: { subject: subject.name, digest: imageDigest },
          threshold,
          evidence: [attestation.sha256],
        };
      }
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
      evidence: attestations.map((item) => item.sha256).sort(),
    };
  },
});
