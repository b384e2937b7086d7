import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '@/lib/policy/schema';
import { buildPassport } from '@/lib/passport/statement';
import { evaluateRelease, PRODUCTION_LICENSE_NOTE, type RuleResult } from './evaluate';
import { inputHash } from './inputs';
import {
  checksumsSummary,
  EVALUATED_AT,
  evidence,
  IMAGE_HEX,
  inputs,
  junitSummary,
  policy,
  provenanceSummary,
  sarifSummary,
  sbomSummary,
  signedProvenanceSummary,
  TRUSTED_IDENTITY,
} from './testing';

function only(rule: object, release = inputs()): RuleResult {
  const evaluation = evaluateRelease(release, policy('enforce', [rule]), EVALUATED_AT);
  expect(evaluation.reasons).toHaveLength(1);
  return evaluation.reasons[0]!;
}

describe('each rule type judges for the right reason', () => {
  it('evidence-required: missing, stale, fresh', () => {
    const rule = { id: 'fresh-sbom', type: 'evidence-required', kind: 'sbom', maxAgeHours: 24 };
    expect(only(rule)).toMatchObject({ status: 'missing', effect: 'deny', message: expect.stringMatching(/^no sbom evidence was given/) });
    const old = evidence('sbom', sbomSummary(), '2026-03-02T22:00:00.000Z');
    expect(only(rule, inputs({ evidence: [old] }))).toMatchObject({
      status: 'stale',
      measured: { ageHours: 36, collectedAt: '2026-03-02T22:00:00.000Z' },
      threshold: { kind: 'sbom', maxAgeHours: 24 },
      evidence: [old.sha256],
      message: 'the newest sbom evidence is 36 h old; the limit is 24 h',
    });
    const fresh = evidence('sbom', sbomSummary(), '2026-03-04T08:00:00.000Z');
    expect(only(rule, inputs({ evidence: [old, fresh] }))).toMatchObject({ status: 'pass', evidence: [fresh.sha256] });
  });

  it('sbom-present: too few components fails', () => {
    const rule = { id: 'sbom', type: 'sbom-present', minComponents: 5 };
    expect(only(rule).status).toBe('missing');
    expect(only(rule, inputs({ evidence: [evidence('sbom', sbomSummary({}, 2))] }))).toMatchObject({
      status: 'fail',
      measured: { components: 2 },
      threshold: { minComponents: 5 },
      message: 'the SBOM lists 2 components; at least 5 are required',
    });
    expect(only(rule, inputs({ evidence: [evidence('sbom', sbomSummary({}, 9))] })).status).toBe('pass');
  });

  it('license-deny: a denied id inside an expression fails, case-insensitively', () => {
    const rule = { id: 'licenses', type: 'license-deny', licenses: ['gpl-3.0-only', 'AGPL-3.0-only'] };
    const sbom = evidence('sbom', sbomSummary({ MIT: 10, '(MIT OR GPL-3.0-only)': 2, 'Apache-2.0': 1 }));
    expect(only(rule, inputs({ evidence: [sbom] }))).toMatchObject({
      status: 'fail',
      measured: { denied: { '(MIT OR GPL-3.0-only)': 2 } },
      threshold: { deny: ['AGPL-3.0-only', 'gpl-3.0-only'] },
      evidence: [sbom.sha256],
      message: '2 components under denied licenses: (MIT OR GPL-3.0-only) (2)',
    });
    expect(only(rule, inputs({ evidence: [evidence('sbom', sbomSummary({ MIT: 4 }))] })).status).toBe('pass');
  });

  it('sarif-severity: counts over the limits fail, naming the rules', () => {
    const rule = { id: 'sast', type: 'sarif-severity', limits: { critical: 0, high: 1 } };
    const codeql = evidence('sarif', sarifSummary({ high: 1, medium: 9 }, { high: ['js/xss'] }));
    const trivy = evidence('sarif', sarifSummary({ critical: 1, high: 1 }, { critical: ['CVE-2026-0001'], high: ['CVE-2026-0002'] }));
    expect(only(rule, inputs({ evidence: [codeql] }))).toMatchObject({ status: 'pass', measured: { critical: 0, high: 1 } });
    expect(only(rule, inputs({ evidence: [codeql, trivy] }))).toMatchObject({
      status: 'fail',
      measured: { critical: 1, high: 2 },
      threshold: { critical: 0, high: 1 },
      message: '1 critical finding (limit 0): CVE-2026-0001; 2 high findings (limit 1): js/xss, CVE-2026-0002',
    });
  });

  it('tests-pass: failures fail, naming the tests', () => {
    const rule = { id: 'tests', type: 'tests-pass' };
    expect(only(rule, inputs({ evidence: [evidence('junit', junitSummary(10, ['api › login']))] }))).toMatchObject({
      status: 'fail',
      measured: { tests: 10, ran: 10, failed: 1 },
      message: '1 test failed (at most 0 allowed): api › login',
    });
    expect(only(rule, inputs({ evidence: [evidence('junit', junitSummary(10))] })).status).toBe('pass');
    expect(only(rule, inputs({ evidence: [evidence('junit', junitSummary(0))] })).message).toMatch(/at least 1 must run/);
  });

  it('checksum-match: mismatched, unlisted and unreported artifacts fail', () => {
    const rule = { id: 'checksums', type: 'checksum-match' };
    const file = evidence('checksums', checksumsSummary([['dist/app.tgz', 'b'.repeat(64)], ['chart-1.4.2.tgz', 'c'.repeat(64)]]));
    expect(only(rule, inputs({ evidence: [file] }))).toMatchObject({ status: 'missing', message: expect.stringMatching(/no artifact was reported/) });
    expect(only(rule, inputs({ evidence: [file], artifacts: [{ name: 'app.tgz', sha256: 'b'.repeat(64) }] }))).toMatchObject({
      status: 'pass',
      measured: { matched: 1, mismatched: [], notListed: [], notReported: [] },
    });
    expect(
      only(rule, inputs({ evidence: [file], artifacts: [{ name: 'app.tgz', sha256: 'd'.repeat(64) }, { name: 'extra.bin', sha256: 'e'.repeat(64) }] })),
    ).toMatchObject({ status: 'fail', message: 'app.tgz does not match the checksums file; extra.bin is not in the checksums file' });
    expect(only({ ...rule, artifacts: ['chart-1.4.2.tgz'] }, inputs({ evidence: [file] }))).toMatchObject({
      status: 'fail',
      message: 'chart-1.4.2.tgz was not reported',
    });
  });

  it('provenance-subject: a subject with another digest fails', () => {
    const rule = { id: 'provenance', type: 'provenance-subject', trustedIdentities: [TRUSTED_IDENTITY] };
    expect(only(rule).status).toBe('missing');
    expect(only(rule, inputs({ evidence: [evidence('provenance', signedProvenanceSummary(['f'.repeat(64)]))] }))).toMatchObject({
      status: 'fail',
      measured: { subjects: [`sha256:${'f'.repeat(64)}`] },
      threshold: { imageDigest: `sha256:${IMAGE_HEX}` },
    });
    expect(only(rule, inputs({ evidence: [evidence('provenance', signedProvenanceSummary(['f'.repeat(64), IMAGE_HEX]))] })).status).toBe('pass');
  });

  it('provenance-subject: only an allowed predicate type from an allowed builder, verified by a trusted signer, counts', () => {
    const rule = { id: 'provenance', type: 'provenance-subject', trustedIdentities: [TRUSTED_IDENTITY] };
    // A cosign attestation of an SBOM names the image too; it is not provenance.
    const sbomAttestation = signedProvenanceSummary([IMAGE_HEX], { predicateType: 'https://cyclonedx.org/bom', builderId: null });
    expect(only(rule, inputs({ evidence: [evidence('provenance', sbomAttestation)] }))).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('its predicate type is "https://cyclonedx.org/bom", not provenance'),
    });
    const noPredicate = signedProvenanceSummary([IMAGE_HEX], { predicateType: null });
    expect(only(rule, inputs({ evidence: [evidence('provenance', noPredicate)] })).status).toBe('fail');
    const v02 = signedProvenanceSummary([IMAGE_HEX], { predicateType: 'https://slsa.dev/provenance/v0.2' });
    expect(only(rule, inputs({ evidence: [evidence('provenance', v02)] }))).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`verified by ${TRUSTED_IDENTITY.identity} (issuer ${TRUSTED_IDENTITY.issuer}; Rekor log index 123456)`),
      measured: { signatureVerified: true, predicateType: 'https://slsa.dev/provenance/v0.2' },
    });
    // Unsigned, signed before verification existed, or by an untrusted signer: never a pass.
    expect(only(rule, inputs({ evidence: [evidence('provenance', provenanceSummary())] }))).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('no trusted key or identity verified it: it is an unsigned statement'),
      measured: { signatureVerified: false },
    });
    const unchecked = provenanceSummary([IMAGE_HEX], { envelope: { payloadType: 'application/vnd.in-toto+json', signatures: 1, modifiedBySanitizer: false, sigstoreBundle: null } });
    expect(only(rule, inputs({ evidence: [evidence('provenance', unchecked)] })).message).toContain('were not checked when it was uploaded');
    const otherWorkflow = { ...rule, trustedIdentities: [{ ...TRUSTED_IDENTITY, identity: `${TRUSTED_IDENTITY.identity}x` }] };
    expect(only(otherWorkflow, inputs({ evidence: [evidence('provenance', signedProvenanceSummary())] })).message).toContain('which is not a trusted identity');

    const generator = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';
    const builderRule = { ...rule, builderIds: [generator] };
    expect(only(builderRule, inputs({ evidence: [evidence('provenance', signedProvenanceSummary())] }))).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('its builder is "https://github.com/actions/runner", not an allowed builder'),
    });
    expect(only(builderRule, inputs({ evidence: [evidence('provenance', signedProvenanceSummary([IMAGE_HEX], { builderId: generator }))] })).status).toBe('pass');
    // A rule may name its own predicate types.
    const custom = { ...rule, predicateTypes: ['https://example.com/provenance/v9'] };
    expect(only(custom, inputs({ evidence: [evidence('provenance', signedProvenanceSummary())] })).status).toBe('fail');
  });

  it('change-freeze: inside an absolute or a weekly window fails', () => {
    const absolute = { id: 'freeze', type: 'change-freeze', windows: [{ start: '2026-03-04T00:00:00Z', end: '2026-03-05T00:00:00Z', reason: 'quarter close' }] };
    expect(only(absolute)).toMatchObject({ status: 'fail', message: 'change freeze until 2026-03-05T00:00:00.000Z: quarter close' });
    // 2026-03-04 is a Wednesday; 10:00 UTC is 11:00 in Berlin.
    const weekly = (days: string[], from: string, to: string) => ({ id: 'weekly', type: 'change-freeze', weekly: [{ days, from, to, timezone: 'Europe/Berlin', reason: 'no releases' }] });
    expect(only(weekly(['wed'], '10:30', '12:00')).status).toBe('fail');
    expect(only(weekly(['wed'], '11:30', '12:00')).status).toBe('pass');
    expect(only(weekly(['tue'], '18:00', '12:00')).status).toBe('fail'); // wraps past midnight
    expect(only(weekly(['thu'], '00:00', '24:00')).status).toBe('pass');
  });

  it('approvals: counts distinct approvers at or above the role', () => {
    const rule = { id: 'two-maintainers', type: 'approvals', count: 2, role: 'maintainer' };
    const approvals = [
      { approver: 'u1', role: 'maintainer' as const, at: '2026-03-04T09:00:00.000Z' },
      { approver: 'u2', role: 'developer' as const, at: '2026-03-04T09:01:00.000Z' },
    ];
    expect(only(rule, inputs({ approvals }))).toMatchObject({ status: 'fail', measured: { approvals: 1 }, message: '1 approval from a maintainer or above; 2 required' });
    expect(only(rule, inputs({ approvals: [...approvals, { approver: 'u3', role: 'admin', at: '2026-03-04T09:02:00.000Z' }] })).status).toBe('pass');
  });

  it('approvals: a standing rejection from someone of the role fails the rule whatever the approvals, naming who and why', () => {
    const rule = { id: 'one-maintainer', type: 'approvals', count: 1, role: 'maintainer' };
    const approvals = [{ approver: 'u1', role: 'admin' as const, at: '2026-03-04T09:00:00.000Z' }];
    const rejection = (rejecter: string, role: 'maintainer' | 'developer', at: string, note: string) => ({ rejecter, name: `${rejecter}@example.test`, role, at, note });
    const byMaintainer = rejection('u2', 'maintainer', '2026-03-04T09:05:00.000Z', 'The migration is not reversible.');
    expect(only(rule, inputs({ approvals, rejections: [byMaintainer] }))).toMatchObject({
      status: 'fail',
      measured: { approvals: 1, rejections: 1 },
      message: 'rejected by u2@example.test (maintainer): The migration is not reversible.',
    });
    const later = rejection('u3', 'maintainer', '2026-03-04T09:06:00.000Z', 'x'.repeat(300));
    expect(only(rule, inputs({ approvals, rejections: [later, byMaintainer] })).message).toBe(`rejected by u3@example.test (maintainer): ${'x'.repeat(200)}… (and 1 other rejection)`);
    // A rejection from below the rule's role is not weighed, as their approval would not be counted.
    const lowRank = rejection('u4', 'developer', '2026-03-04T09:05:00.000Z', 'Looks risky.');
    const notWeighed = only(rule, inputs({ approvals, rejections: [lowRank] }));
    expect([notWeighed.status, notWeighed.measured]).toEqual(['pass', { approvals: 1 }]);
  });

  it('approvals: the requester’s own approval is not counted when the rule forbids it, and counted when it does not', () => {
    const approvals = [
      { approver: 'requester', role: 'maintainer' as const, at: '2026-03-04T09:00:00.000Z' },
      { approver: 'u2', role: 'maintainer' as const, at: '2026-03-04T09:01:00.000Z' },
    ];
    const forbidding = { id: 'two-maintainers', type: 'approvals', count: 2, role: 'maintainer', forbidRequesterApproval: true };
    expect(only(forbidding, inputs({ approvals, requestingPerson: 'requester' }))).toMatchObject({
      status: 'fail',
      measured: { approvals: 1, requesterApprovalNotCounted: true },
      threshold: { count: 2, role: 'maintainer', forbidRequesterApproval: true },
      message: '1 approval from a maintainer or above (the approval of the person who requested the release does not count); 2 required',
    });
    // A release CI asked for names no person: every approval counts.
    expect(only(forbidding, inputs({ approvals })).status).toBe('pass');
    const allowing = { id: 'two-maintainers', type: 'approvals', count: 2, role: 'maintainer' };
    expect(only(allowing, inputs({ approvals, requestingPerson: 'requester' }))).toMatchObject({ status: 'pass', threshold: { count: 2, role: 'maintainer' }, measured: { approvals: 2 } });
  });

  it('approvals: inputs without rejections or a requester hash and judge as they did before either existed', () => {
    const release = inputs({ approvals: [{ approver: 'u1', role: 'maintainer', at: '2026-03-04T09:00:00.000Z' }] });
    expect(inputHash({ ...release, rejections: [] })).toBe(inputHash(release));
    const result = only({ id: 'one', type: 'approvals', count: 1, role: 'maintainer', forbidRequesterApproval: false }, release);
    expect(result.measured).toEqual({ approvals: 1 });
    expect(result.threshold).toEqual({ count: 1, role: 'maintainer' });
  });
});

describe('decisions and modes', () => {
  const failing = { id: 'sbom', type: 'sbom-present' };
  const advisoryOnly = { id: 'sbom-warn', type: 'sbom-present', onFail: 'warn' };

  it('deny blocks only in enforce mode; shadow and advisory record it', () => {
    for (const mode of ['shadow', 'advisory', 'enforce'] as const) {
      const evaluation = evaluateRelease(inputs(), policy(mode, [failing]), EVALUATED_AT);
      expect(evaluation).toMatchObject({ decision: 'deny', mode, requestedMode: mode, blocking: mode === 'enforce' });
    }
  });

  it('a rule with onFail "warn" warns and never denies', () => {
    const evaluation = evaluateRelease(inputs(), policy('enforce', [advisoryOnly]), EVALUATED_AT);
    expect(evaluation).toMatchObject({ decision: 'warn', blocking: false });
    expect(evaluation.reasons[0]).toMatchObject({ status: 'missing', effect: 'warn' });
    const withSmallSbom = evaluateRelease(inputs({ evidence: [evidence('sbom', sbomSummary({}, 0))] }), policy('enforce', [advisoryOnly]), EVALUATED_AT);
    expect(withSmallSbom.reasons[0]).toMatchObject({ status: 'warn', effect: 'warn' });
  });

  it('allows when every rule passes, and with no rules', () => {
    expect(evaluateRelease(inputs(), policy('enforce', []), EVALUATED_AT)).toMatchObject({ decision: 'allow', blocking: false, reasons: [] });
  });

  it('enforce on production without a license is applied as advisory, and says so', () => {
    const unlicensed = evaluateRelease(inputs({ production: true }), policy('enforce', [failing]), EVALUATED_AT);
    expect(unlicensed).toMatchObject({ decision: 'deny', mode: 'advisory', requestedMode: 'enforce', blocking: false });
    expect(unlicensed.notes).toContain(PRODUCTION_LICENSE_NOTE);
    const licensed = evaluateRelease(inputs({ production: true, license: { productionEnforcement: true } }), policy('enforce', [failing]), EVALUATED_AT);
    expect(licensed).toMatchObject({ mode: 'enforce', blocking: true });
  });
});

/** The same value with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)])) as T;
  return value;
}

describe('determinism', () => {
  const release = inputs({
    evidence: [
      evidence('sbom', sbomSummary({ MIT: 2, 'GPL-3.0-only': 1 })),
      evidence('sarif', sarifSummary({ high: 2 })),
      evidence('provenance', signedProvenanceSummary()),
      evidence('junit', junitSummary(4)),
    ],
    artifacts: [
      { name: 'a.tgz', sha256: '1'.repeat(64) },
      { name: 'b.tgz', sha256: '2'.repeat(64) },
    ],
    approvals: [
      { approver: 'u1', role: 'admin', at: '2026-03-04T09:00:00.000Z' },
      { approver: 'u2', role: 'maintainer', at: '2026-03-04T09:00:00.000Z' },
    ],
  });
  const applied = policy('advisory', [
    { id: 'sbom', type: 'sbom-present' },
    { id: 'licenses', type: 'license-deny', licenses: ['GPL-3.0-only'] },
    { id: 'sast', type: 'sarif-severity', limits: { high: 0 } },
    { id: 'provenance', type: 'provenance-subject', trustedIdentities: [TRUSTED_IDENTITY] },
    { id: 'tests', type: 'tests-pass' },
    { id: 'approved', type: 'approvals', count: 2 },
  ]);

  it('the same inputs in any order, at the same time, give identical decisions and passport bytes', () => {
    const expected = buildPassport(release, applied, evaluateRelease(release, applied, EVALUATED_AT), EVALUATED_AT);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(release.evidence, { minLength: release.evidence.length }),
        fc.shuffledSubarray(release.artifacts, { minLength: 2 }),
        fc.shuffledSubarray(release.approvals, { minLength: 2 }),
        (evidenceOrder, artifactOrder, approvalOrder) => {
          // Same values, other order, and other key order in the objects.
          const again = reverseKeys({ ...release, evidence: evidenceOrder, artifacts: artifactOrder, approvals: approvalOrder });
          const passport = buildPassport(again, applied, evaluateRelease(again, applied, EVALUATED_AT), EVALUATED_AT);
          expect(passport.payload).toBe(expected.payload);
          expect(passport.id).toBe(expected.id);
          expect(inputHash(again)).toBe(expected.statement.predicate.inputHash);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('another evaluation time gives another passport', () => {
    const first = buildPassport(release, applied, evaluateRelease(release, applied, EVALUATED_AT), EVALUATED_AT);
    const later = '2026-03-04T10:00:00.001Z';
    expect(buildPassport(release, applied, evaluateRelease(release, applied, later), later).id).not.toBe(first.id);
  });

  it('the passport records what was judged and why', () => {
    const evaluation = evaluateRelease(release, applied, EVALUATED_AT);
    const { statement } = buildPassport(release, applied, evaluation, EVALUATED_AT);
    expect(statement.subject).toEqual([
      { name: 'checkout', digest: { sha256: IMAGE_HEX } },
      { name: 'checkout@source', digest: { gitCommit: 'c'.repeat(40) } },
    ]);
    expect(statement.predicate.policy).toEqual({ id: applied.id, name: 'test policy', version: 3, hash: applied.hash, mode: 'advisory' });
    expect(statement.predicate.decision).toMatchObject({ result: 'deny', mode: 'advisory', blocking: false, evaluatedAt: EVALUATED_AT });
    expect(statement.predicate.decision.reasons.map((reason) => `${reason.ruleId}:${reason.status}`)).toEqual([
      'sbom:pass',
      'licenses:fail',
      'sast:fail',
      'provenance:pass',
      'tests:pass',
      'approved:pass',
    ]);
    expect(statement.predicate.evidence.map((item) => item.kind)).toEqual(['junit', 'provenance', 'sarif', 'sbom']);
  });
});

describe('policy documents', () => {
  it.each([
    [{ mode: 'strict', rules: [] }, /mode/],
    [{ mode: 'enforce', rules: [{ id: 'x', type: 'made-up' }] }, /unknown rule type; the types are evidence-required, sbom-present/],
    [{ mode: 'enforce', rules: [{ id: 'Bad Id', type: 'sbom-present' }] }, /a rule id is lower-case/],
    [{ mode: 'enforce', rules: [{ id: 'a', type: 'sbom-present' }, { id: 'a', type: 'provenance-subject' }] }, /is used twice; ids must be unique/],
    [{ mode: 'enforce', rules: [{ id: 'a', type: 'sarif-severity', limits: {} }] }, /name at least one severity limit/],
    [{ mode: 'enforce', rules: [{ id: 'a', type: 'evidence-required', kind: 'pdf' }] }, /kind/],
    [{ mode: 'enforce', rules: [{ id: 'a', type: 'sbom-present', surprise: 1 }] }, /surprise/],
    [{ mode: 'enforce', rules: [{ id: 'a', type: 'change-freeze', weekly: [{ days: ['fri'], from: '18:00', to: '23:00', timezone: 'Mars/Olympus', reason: 'x' }] }] }, /IANA time zone/],
  ])('rejects %j', (document, message) => {
    expect(() => parsePolicyDocument(document)).toThrow(message);
  });

  it('applies defaults, so the hash names exactly the rules applied', () => {
    const parsed = parsePolicyDocument({ mode: 'shadow', rules: [{ id: 'tests', type: 'tests-pass' }] });
    expect(parsed.rules[0]).toEqual({ id: 'tests', type: 'tests-pass', onFail: 'deny', maxFailures: 0, minTests: 1 });
  });
});
