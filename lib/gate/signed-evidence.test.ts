/**
 * An evidence rule that requires its evidence signed (`requireSigned`, with `trustedIdentities` for
 * keyless signers): a real Trivy CycloneDX SBOM and SARIF scan, sent as is or inside in-toto
 * attestations signed here with generated keys, analysed as upload does with the workspace's key.
 * Without the parameter the results read exactly as before it existed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SbomSummary } from '@/lib/evidence/parsers/sbom';
import { analyzeBytes, generatedSigner, signedDsseEnvelope } from '@/lib/evidence/testing/fixtures';
import { parsePolicyDocument } from '@/lib/policy/schema';
import { evaluateRelease } from './evaluate';
import type { EvidenceInput } from './inputs';
import { EVALUATED_AT, inputs, policy, signedProvenanceSummary, TRUSTED_IDENTITY } from './testing';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'evidence', 'testing', 'real', file), 'utf8');
const SBOM = real('trivy-npm.cdx.json');
const SARIF = real('trivy-alpine-310.sarif');

const workspaceKey = generatedSigner();
const strangerKey = generatedSigner();

const statement = (predicateType: string, predicate: unknown) => ({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'checkout', digest: { sha256: 'a'.repeat(64) } }],
  predicateType,
  predicate,
});
const sbomStatement = () => statement('https://cyclonedx.org/bom', JSON.parse(SBOM));
const sarifStatement = () => {
  const predicate = JSON.parse(real('cosign-vuln-predicate.json')) as { scanner: { result: unknown } };
  predicate.scanner.result = JSON.parse(SARIF);
  return statement('https://cosign.sigstore.dev/attestation/vuln/v1', predicate);
};

let counter = 0;
async function evidence(kind: 'sbom' | 'sarif', text: string, collectedAt = EVALUATED_AT): Promise<EvidenceInput> {
  counter++;
  // The workspace trusts one key: signatures are checked with it at upload, as lib/evidence/store.ts does.
  const summary = (await analyzeBytes(kind, text, 'application/json', { provenanceKeys: [workspaceKey.material] })).summary;
  return { kind, sha256: counter.toString(16).padStart(64, 'e'), mediaType: 'application/json', size: text.length, collectedAt, summary: summary as never };
}

/** The policy's provenance rule trusts the workspace key (the keys that count for requireSigned), unless `keys` says otherwise. */
const provenanceRule = (keys = [workspaceKey]) => ({
  id: 'provenance',
  type: 'provenance-subject',
  trustedKeys: keys.map((key, index) => ({ name: `release key ${index + 1}`, publicKey: key.publicKeyPem })),
});

function judge(evidenceList: EvidenceInput[], rule: Record<string, unknown>, trustedKeys = [workspaceKey]) {
  const rules = [{ id: 'signed', ...rule }, ...(trustedKeys.length ? [provenanceRule(trustedKeys)] : [])];
  return evaluateRelease(inputs({ evidence: evidenceList }), policy('enforce', rules), EVALUATED_AT).reasons[0]!;
}

/** An SBOM as keyless Sigstore verification at upload records it, signed by TRUSTED_IDENTITY. */
async function keylessSbom(): Promise<EvidenceInput> {
  const plain = await evidence('sbom', SBOM);
  const { envelope } = signedProvenanceSummary();
  const attestation = { predicateType: 'https://cyclonedx.org/bom', subjects: [], statementType: 'https://in-toto.io/Statement/v1', predicate: 'document', envelope, signature: { status: 'verified', text: `signature verified: ${TRUSTED_IDENTITY.identity}` } };
  return { ...plain, summary: { ...(plain.summary as unknown as SbomSummary), attestation } as never };
}

describe('evidence rules without requireSigned', () => {
  it('read exactly as before: a plain SBOM counts, and nothing about signatures appears', async () => {
    const sbom = await evidence('sbom', SBOM);
    const components = (sbom.summary as unknown as SbomSummary).components;
    expect(judge([sbom], { type: 'sbom-present' })).toEqual({
      ruleId: 'signed',
      type: 'sbom-present',
      effect: 'none',
      status: 'pass',
      message: `the SBOM lists ${components} components`,
      measured: { components },
      threshold: { minComponents: 1 },
      evidence: [sbom.sha256],
    });
    const required = judge([sbom], { type: 'evidence-required', kind: 'sbom', maxAgeHours: 24 });
    expect(required).toMatchObject({ status: 'pass', message: 'sbom evidence present (0 h old)', measured: { ageHours: 0, collectedAt: EVALUATED_AT }, threshold: { kind: 'sbom', maxAgeHours: 24 } });
    expect(Object.keys(required.measured as object)).toEqual(['ageHours', 'collectedAt']);
    expect(Object.keys(required.threshold as object)).toEqual(['kind', 'maxAgeHours']);
  });
});

describe('requireSigned', () => {
  it('counts an SBOM in an attestation signed by a key the workspace trusts, and says so', async () => {
    const sbom = await evidence('sbom', JSON.stringify(signedDsseEnvelope(sbomStatement(), workspaceKey.privateKey)));
    const reason = judge([sbom], { type: 'sbom-present', requireSigned: true });
    expect(reason).toMatchObject({ status: 'pass', threshold: { minComponents: 1, requireSigned: true }, evidence: [sbom.sha256] });
    expect(reason.message).toMatch(/^the SBOM lists \d+ components \(signature verified by key sha256:[0-9a-f]{16}…\)$/);
    expect(judge([sbom], { type: 'evidence-required', kind: 'sbom', requireSigned: true })).toMatchObject({ status: 'pass', measured: { signature: expect.stringMatching(/^signature verified by key/) } });
  });

  it('stops counting a key once the policy no longer trusts it (the upload-time check is not enough)', async () => {
    const sbom = await evidence('sbom', JSON.stringify(signedDsseEnvelope(sbomStatement(), workspaceKey.privateKey)));
    const why = `it is signed by a key this policy does not trust (sha256:${workspaceKey.material.fingerprint.slice('sha256:'.length, 'sha256:'.length + 16)}…); add it to a provenance-subject rule's trustedKeys`;
    for (const keys of [[], [strangerKey]]) {
      const reason = judge([sbom], { type: 'sbom-present', requireSigned: true }, keys);
      expect(reason).toMatchObject({ status: 'fail', measured: { signed: 0, refused: [{ sha256: sbom.sha256, reason: why }] } });
      expect(reason.message).toContain(`was sent in an attestation that does not count: ${why}`);
    }
    expect(judge([sbom], { type: 'sbom-present', requireSigned: true }, [strangerKey, workspaceKey])).toMatchObject({ status: 'pass' });
  });

  it.each([
    ['a plain SBOM', () => SBOM, 'was sent unsigned'],
    ['an unsigned in-toto statement', () => JSON.stringify(sbomStatement()), 'was sent in an attestation that does not count: it is an unsigned statement'],
    [
      'an attestation signed by a key the workspace does not trust',
      () => JSON.stringify(signedDsseEnvelope(sbomStatement(), strangerKey.privateKey)),
      "was sent in an attestation that does not count: its signature did not verify: none of the envelope's 1 signature is verified by the workspace's 1 trusted key",
    ],
  ])('fails on %s, naming it, why, and what to do', async (_name, text, why) => {
    const sbom = await evidence('sbom', text());
    const hint = '; send it as a cosign attestation signed by a trusted key (rp gate --sbom sbom.att.json) or keyless by one of trustedIdentities, or drop requireSigned';
    for (const rule of [{ type: 'sbom-present', requireSigned: true }, { type: 'evidence-required', kind: 'sbom', requireSigned: true }]) {
      const reason = judge([sbom], rule);
      expect(reason).toMatchObject({ status: 'fail', effect: 'deny', evidence: [sbom.sha256], measured: { signed: 0, refused: [{ sha256: sbom.sha256 }] } });
      expect(reason.message).toBe(`the SBOM sha256:${sbom.sha256.slice(0, 12)}… ${why}${hint}`);
    }
  });

  it('counts only the signed one when both were sent, and a missing SBOM is still missing', async () => {
    const plain = await evidence('sbom', SBOM, '2026-03-04T09:00:00.000Z');
    const signed = await evidence('sbom', JSON.stringify(signedDsseEnvelope(sbomStatement(), workspaceKey.privateKey)), '2026-03-03T10:00:00.000Z');
    // The newest is the unsigned one; the signed one is 24 h old.
    expect(judge([plain, signed], { type: 'evidence-required', kind: 'sbom', maxAgeHours: 12 })).toMatchObject({ status: 'pass', evidence: [plain.sha256] });
    const stale = judge([plain, signed], { type: 'evidence-required', kind: 'sbom', maxAgeHours: 12, requireSigned: true });
    expect(stale).toMatchObject({ status: 'stale', message: 'the newest signed sbom evidence is 24 h old; the limit is 12 h', evidence: [signed.sha256] });
    expect(judge([], { type: 'sbom-present', requireSigned: true })).toMatchObject({
      status: 'missing',
      message: 'no sbom evidence was given with this release; send it as a signed attestation with "rp gate --sbom sbom.att.json"',
    });
  });

  it('a SARIF scan in a signed cosign vulnerability attestation counts; the bare log does not', async () => {
    const signed = await evidence('sarif', JSON.stringify(signedDsseEnvelope(sarifStatement(), workspaceKey.privateKey)));
    const bare = await evidence('sarif', SARIF);
    expect(judge([signed], { type: 'evidence-required', kind: 'sarif', requireSigned: true })).toMatchObject({ status: 'pass' });
    const reason = judge([bare], { type: 'evidence-required', kind: 'sarif', requireSigned: true });
    expect(reason.message).toMatch(/^the SARIF scan sha256:[0-9a-f]{12}… was sent unsigned; send it as a cosign attestation signed by a trusted key \(rp gate --sarif sarif\.att\.json\)/);
  });

  it('keyless: counts when the certificate identity is one of trustedIdentities, as signed VEX does', async () => {
    const sbom = await keylessSbom();
    const trusted = judge([sbom], { type: 'sbom-present', requireSigned: true, trustedIdentities: [TRUSTED_IDENTITY] });
    expect(trusted).toMatchObject({ status: 'pass', threshold: { requireSigned: true, trustedIdentities: [`${TRUSTED_IDENTITY.issuer} ${TRUSTED_IDENTITY.identity}`] } });
    const other = judge([sbom], { type: 'sbom-present', requireSigned: true, trustedIdentities: [{ issuer: TRUSTED_IDENTITY.issuer, identityPattern: 'https://github\\.com/acme/other/.*' }] });
    expect(other.status).toBe('fail');
    expect(other.message).toContain(`was sent in an attestation that does not count: it is signed by ${TRUSTED_IDENTITY.identity} (issuer ${TRUSTED_IDENTITY.issuer}), which is not a trusted identity`);
    // Without trustedIdentities a keyless signature counts for nothing (only the workspace's keys do).
    expect(judge([sbom], { type: 'sbom-present', requireSigned: true }).status).toBe('fail');
  });

  it('is checked when the policy is saved', () => {
    const save = (rule: Record<string, unknown>) => () => parsePolicyDocument({ mode: 'enforce', rules: [{ id: 'signed', ...rule }] });
    expect(save({ type: 'sbom-present', trustedIdentities: [TRUSTED_IDENTITY] })).toThrow(/trustedIdentities count only with requireSigned: true/);
    expect(save({ type: 'evidence-required', kind: 'junit', requireSigned: true })).toThrow(/requireSigned applies to sbom, sarif and vex evidence/);
    expect(save({ type: 'evidence-required', kind: 'provenance', requireSigned: true })).toThrow(/provenance-subject rule's trustedKeys/);
    expect(save({ type: 'evidence-required', kind: 'vex', requireSigned: true, trustedIdentities: [TRUSTED_IDENTITY] })).not.toThrow();
    expect(save({ type: 'sbom-present', minComponents: 5, requireSigned: true })).not.toThrow();
  });
});
