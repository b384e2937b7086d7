/** Rules tying the evidence to the artifacts released: checksums and provenance. */
import path from 'node:path';
import { z } from 'zod';
import type { ChecksumsSummary } from '@/lib/evidence/parsers/checksums';
import { attestationsOf, SLSA_PROVENANCE_PREDICATE_TYPES, type CarrierAttestation, type ProvenanceAttestation, type ProvenanceSummary } from '@/lib/evidence/parsers/provenance';
import { parsePublicKey, shortFingerprint } from '@/lib/evidence/provenance-keys';
import { defineRule, evidenceOfKind, missing, summaryOf, type RuleContext, type RuleOutcome } from './types';
import { plural } from '@/lib/text/plural';

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

/** Why one attestation naming the image does not count, or null when it does. */
function provenanceRefusal(summary: ProvenanceAttestation, predicateTypes: readonly string[], builderIds: readonly string[] | undefined): string | null {
  if (!summary.predicateType || !predicateTypes.includes(summary.predicateType)) {
    return `its predicate type is ${summary.predicateType ? `"${summary.predicateType}"` : 'missing'}, not provenance (${predicateTypes.join(', ')})`;
  }
  if (builderIds && (!summary.builderId || !builderIds.includes(summary.builderId))) {
    return `its builder is ${summary.builderId ? `"${summary.builderId}"` : 'not named'}, not an allowed builder (${builderIds.join(', ')})`;
  }
  return null;
}

const trustedKeySchema = z
  .object({
    name: z.string().min(1).max(100).describe('Names the key in results and passports ("release signing key").'),
    publicKey: z
      .string()
      .min(1)
      .max(4096)
      .superRefine((text, context) => {
        const parsed = parsePublicKey(text);
        if ('error' in parsed) context.addIssue({ code: 'custom', message: parsed.error });
      })
      .describe('The public key: a PEM block (cosign.pub) or a JWK as JSON; ECDSA P-256 or Ed25519.'),
  })
  .strict();

export const trustedIdentitySchema = z
  .object({
    issuer: z.string().url().max(512).describe('The OIDC issuer the Fulcio certificate names, compared exactly (cosign --certificate-oidc-issuer): https://token.actions.githubusercontent.com for GitHub Actions.'),
    identity: z.string().min(1).max(1024).optional().describe('The certificate identity (its subject alternative name), compared exactly (cosign --certificate-identity).'),
    identityPattern: z
      .string()
      .min(1)
      .max(1024)
      .superRefine((pattern, context) => {
        try {
          new RegExp(pattern, 'u');
        } catch (error) {
          context.addIssue({ code: 'custom', message: `not a regular expression: ${(error as Error).message}` });
        }
      })
      .optional()
      .describe('A regular expression the whole certificate identity must match (cosign --certificate-identity-regexp, but anchored at both ends).'),
  })
  .strict()
  .refine((value) => (value.identity === undefined) !== (value.identityPattern === undefined), {
    message: 'give exactly one of identity (exact) or identityPattern (a regular expression)',
  });

type TrustedKey = z.infer<typeof trustedKeySchema>;
export type TrustedIdentity = z.infer<typeof trustedIdentitySchema>;

/** Who of the rule's trust roots verified the attestation, or why none did. */
export function trustedSigner(summary: Pick<ProvenanceAttestation, 'envelope'>, keys: readonly TrustedKey[], identities: readonly TrustedIdentity[]): { verifiedBy: string } | { why: string } {
  if (!summary.envelope) return { why: 'it is an unsigned statement' };
  const verification = summary.envelope.verification;
  if (!verification) return { why: 'its signatures were not checked when it was uploaded (before verification existed); upload it again' };
  if (verification.status !== 'verified') return { why: `its signature did not verify: ${verification.reason ?? 'no reason recorded'}` };
  for (const key of keys) {
    const parsed = parsePublicKey(key.publicKey);
    if ('fingerprint' in parsed && verification.keys.includes(parsed.fingerprint)) return { verifiedBy: `key "${key.name}" (${shortFingerprint(parsed.fingerprint)})` };
  }
  const identity = verification.identity;
  if (identity) {
    const log = verification.tlog.map((entry) => `Rekor log index ${entry.logIndex}`).join(', ');
    for (const trusted of identities) {
      if (identity.issuer !== trusted.issuer || !identity.subjectAlternativeName) continue;
      const san = identity.subjectAlternativeName;
      const matches =
        trusted.identity !== undefined ? san === trusted.identity : trusted.identityPattern !== undefined && new RegExp(`^(?:${trusted.identityPattern})$`, 'u').test(san);
      if (matches) return { verifiedBy: `${san} (issuer ${identity.issuer}${log ? `; ${log}` : ''})` };
    }
    return { why: `it is signed by ${identity.subjectAlternativeName ?? 'an unnamed identity'} (issuer ${identity.issuer ?? 'not named'}), which is not a trusted identity` };
  }
  if (verification.keys.length > 0) return { why: `it is signed by a key this rule does not trust (${verification.keys.map(shortFingerprint).join(', ')})` };
  return { why: 'it is signed by no trusted key' };
}

/** A trusted identity as a rule's threshold shows it: "issuer identity", or "issuer /pattern/". */
export const identityLabel = (item: TrustedIdentity) => `${item.issuer} ${item.identity ?? `/${item.identityPattern}/`}`;

/**
 * Whether evidence that arrived inside an attestation (an SBOM, scan or VEX document) counts as
 * signed, for a rule that requires it (a findings rule's `vex.requireSigned`, an evidence rule's
 * `requireSigned`): its signature verified at upload with a key the applied policy trusts now
 * (`trustedKeys`, its provenance-subject rules' keys), or keyless by one of `identities`. Null when
 * it counts; `unattested` when the document was sent as is; else why its attestation does not count.
 */
export function signedRefusal(
  attestation: CarrierAttestation | undefined,
  trustedKeys: RuleContext['trustedKeys'],
  identities: readonly TrustedIdentity[],
): { unattested: true } | { why: string } | null {
  if (!attestation) return { unattested: true };
  const verification = attestation.envelope?.verification;
  // Upload checks with every key any policy of the workspace trusted then; what counts is the policy applied now.
  if (verification?.status === 'verified' && verification.keys.length > 0) {
    if (trustedKeys.some((fingerprint) => verification.keys.includes(fingerprint))) return null;
    return {
      why: `it is signed by a key this policy does not trust (${verification.keys.map(shortFingerprint).join(', ')}); add it to a provenance-subject rule's trustedKeys`,
    };
  }
  const signer = trustedSigner(attestation, [], identities);
  return 'why' in signer ? { why: signer.why } : null;
}

/** The fingerprints of the keys a policy's provenance-subject rules trust (the rule context's `trustedKeys`). */
export function policyTrustedKeys(rules: ReadonlyArray<{ type: string; trustedKeys?: unknown }>): RuleContext['trustedKeys'] {
  const fingerprints = new Set<string>();
  for (const rule of rules) {
    if (rule.type !== 'provenance-subject' || !Array.isArray(rule.trustedKeys)) continue;
    for (const key of rule.trustedKeys as TrustedKey[]) {
      const parsed = parsePublicKey(key.publicKey);
      if ('fingerprint' in parsed) fingerprints.add(parsed.fingerprint);
    }
  }
  return [...fingerprints];
}

const CONFIGURE =
  'add the signer to the rule: trustedKeys [{name, publicKey}] for a key (cosign.pub), or trustedIdentities [{issuer, identity | identityPattern}] for a keyless Sigstore signer (a CI workflow)';

export const provenanceSubject = defineRule({
  type: 'provenance-subject',
  title: 'Provenance is about the released image',
  params: {
    predicateTypes: z.array(z.string().url().max(512)).min(1).max(20).optional().describe('in-toto predicate types that count as provenance; SLSA provenance v0.2 and v1 when empty.'),
    builderIds: z.array(z.string().min(1).max(512)).min(1).max(50).optional().describe('Builder ids (SLSA builder.id) allowed to have built the image, compared exactly; any builder when empty.'),
    trustedKeys: z.array(trustedKeySchema).min(1).max(20).optional().describe('Public keys whose signature makes provenance count (cosign-style DSSE, or a Sigstore bundle signed with a key).'),
    trustedIdentities: z
      .array(trustedIdentitySchema)
      .min(1)
      .max(20)
      .optional()
      .describe('Keyless Sigstore signers whose signature makes provenance count: OIDC issuer and certificate identity, verified offline against the Sigstore trusted root.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const imageDigest = inputs.release.imageDigest;
    const hex = imageDigest.slice('sha256:'.length);
    const predicateTypes = rule.predicateTypes ?? [...SLSA_PROVENANCE_PREDICATE_TYPES];
    const keys = rule.trustedKeys ?? [];
    const identities = rule.trustedIdentities ?? [];
    const threshold = {
      imageDigest,
      predicateTypes: [...predicateTypes].sort(),
      builderIds: rule.builderIds ? [...rule.builderIds].sort() : 'any',
      trustedKeys: keys.map((key) => key.name).sort(),
      trustedIdentities: identities.map(identityLabel).sort(),
    };
    const attestations = evidenceOfKind(inputs, 'provenance');
    if (attestations.length === 0) return missing('provenance', threshold, 'upload the build\'s in-toto/SLSA provenance with "rp gate --provenance FILE"');
    const refusals: string[] = [];
    // Each attestation of each file counts on its own: a JSON Lines bundle holds several.
    for (const [attestation, summary] of attestations.flatMap((item) => attestationsOf(summaryOf<ProvenanceSummary>(item)).map((one) => [item, one] as const))) {
      const subject = summary.subjects.find((item) => item.digest.sha256 === hex);
      if (!subject) continue;
      const refusal = provenanceRefusal(summary, predicateTypes, rule.builderIds);
      if (refusal) {
        refusals.push(`an attestation names the released image but ${refusal}`);
        continue;
      }
      const signer = keys.length + identities.length === 0 ? { why: 'this rule trusts no key or identity' } : trustedSigner(summary, keys, identities);
      if ('why' in signer) {
        refusals.push(`provenance (${summary.predicateType}) names the released image but no trusted key or identity verified it: ${signer.why}`);
        continue;
      }
      return {
        status: 'pass',
        message: `provenance (${summary.predicateType}) by ${summary.builderId ?? 'an unnamed builder'} names the released image${subject.name ? ` (${subject.name})` : ''}; verified by ${signer.verifiedBy}`,
        measured: {
          subject: subject.name,
          digest: imageDigest,
          predicateType: summary.predicateType,
          builderId: summary.builderId,
          signatureVerified: true,
          verifiedBy: signer.verifiedBy,
        },
        threshold,
        evidence: [attestation.sha256],
      };
    }
    const evidence = attestations.map((item) => item.sha256).sort();
    if (refusals.length > 0) {
      const unique = [...new Set(refusals)].sort();
      const unverified = unique.some((item) => item.includes('no trusted key or identity verified it'));
      return {
        status: 'fail',
        message: `${unique.join('; ')}; ${unverified ? CONFIGURE : 'upload SLSA provenance from an allowed builder with "rp gate --provenance FILE"'}`,
        measured: { refusals: unique, signatureVerified: false },
        threshold,
        evidence,
      };
    }
    const digests = [
      ...new Set(attestations.flatMap((item) => attestationsOf(summaryOf<ProvenanceSummary>(item)).flatMap((one) => one.subjects.map((subject) => subject.digest.sha256 ?? '')))),
    ]
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
