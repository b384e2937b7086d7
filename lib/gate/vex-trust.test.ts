/**
 * Whose VEX a findings rule honours (its `vex` parameter): by the author the document names, and/or
 * only VEX that arrived in an attestation whose signature verified at upload. On vexctl's real
 * Trivy SARIF of nginx and the OpenVEX for it (author "The OpenVEX Project"), sent as is or wrapped
 * in in-toto attestations signed here with generated keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VexSummary } from '@/lib/evidence/parsers/vex';
import { analyzeBytes, generatedSigner, signedDsseEnvelope } from '@/lib/evidence/testing/fixtures';
import { parsePolicyDocument } from '@/lib/policy/schema';
import { evaluateRelease } from './evaluate';
import type { EvidenceInput } from './inputs';
import { EVALUATED_AT, inputs, policy, signedProvenanceSummary, TRUSTED_IDENTITY } from './testing';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'evidence', 'testing', 'real', file), 'utf8');
const NGINX = 'sha256:13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0';
const VEX = real('vexctl-sample-2vulns.openvex.json');
const AUTHOR = 'The OpenVEX Project';

const workspaceKey = generatedSigner();
const strangerKey = generatedSigner();

const vexStatement = () => ({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'nginx', digest: { sha256: NGINX.slice('sha256:'.length) } }],
  predicateType: 'https://openvex.dev/ns/v0.2.0',
  predicate: JSON.parse(VEX) as unknown,
});

let counter = 0;
async function evidence(kind: 'sarif' | 'vex', text: string): Promise<EvidenceInput> {
  counter++;
  // The workspace trusts one key: signatures are checked with it at upload, as lib/evidence/store.ts does.
  const summary = (await analyzeBytes(kind, text, 'application/json', { provenanceKeys: [workspaceKey.material] })).summary;
  return { kind, sha256: counter.toString(16).padStart(64, 'f'), mediaType: 'application/json', size: text.length, collectedAt: EVALUATED_AT, summary: summary as never };
}

const generous = { critical: 1000, high: 1000, medium: 1000, low: 1000 };

/** The SARIF rule with limits the log passes only when VEX takes its 3 stated findings out (the counts left when every VEX counts). */
async function judge(vex: EvidenceInput, trust?: Record<string, unknown>, trustedKeys = [workspaceKey]) {
  const log = await evidence('sarif', real('vexctl-nginx-trivy.sarif'));
  // The policy's provenance rule names the keys that count for requireSigned.
  const provenance = trustedKeys.length ? [{ id: 'provenance', type: 'provenance-subject', trustedKeys: trustedKeys.map((key) => ({ name: 'release key', publicKey: key.publicKeyPem })) }] : [];
  const run = (evidenceList: EvidenceInput[], rule: Record<string, unknown>) => {
    const release = inputs({ evidence: evidenceList });
    const rules = [{ id: 'findings', type: 'sarif-severity', ...rule }, ...provenance];
    return evaluateRelease({ ...release, release: { ...release.release, imageDigest: NGINX } }, policy('enforce', rules), EVALUATED_AT).reasons[0]!;
  };
  const limits = run([log, await evidence('vex', VEX)], { limits: generous }).measured as Record<string, number>;
  return run([log, vex], { limits, ...(trust ? { vex: trust } : {}) });
}

const suppressedCount = (reason: Awaited<ReturnType<typeof judge>>) => reason.vex!.suppressed.reduce((sum, item) => sum + item.count, 0);

describe('trusted VEX authors', () => {
  it('without the parameter every VEX document counts, as before (the threshold does not change)', async () => {
    const reason = await judge(await evidence('vex', VEX));
    expect(suppressedCount(reason)).toBe(3);
    expect(reason.vex).not.toHaveProperty('untrusted');
    expect(reason.threshold).not.toHaveProperty('vex');
  });

  it('VEX by a trusted author (compared without regard to case or spacing) is applied', async () => {
    const reason = await judge(await evidence('vex', VEX), { trustedAuthors: ['the  openvex project'] });
    expect(suppressedCount(reason)).toBe(3);
    expect(reason.vex!.untrusted).toEqual([]);
    expect(reason.threshold).toMatchObject({ vex: { trustedAuthors: ['the  openvex project'] } });
  });

  it('VEX by another author is not applied: the release fails, and each statement says why', async () => {
    const vex = await evidence('vex', VEX);
    const reason = await judge(vex, { trustedAuthors: ['Acme Security'] });
    expect(reason.status).toBe('fail');
    expect(reason.vex!.suppressed).toEqual([]);
    const why = `not applied: author '${AUTHOR}' is not among the trusted VEX authors (Acme Security)`;
    expect(reason.vex!.notApplied.map((item) => [item.vulnerability, item.reason])).toEqual([
      ['CVE-2023-27103', why],
      ['CVE-2007-5686', why],
    ]);
    expect(reason.vex!.untrusted).toEqual([{ vex: vex.sha256, reason: why.slice('not applied: '.length) }]);
    expect(reason.message).toContain('(VEX: 0 findings suppressed, 2 statements not applied, 1 document from an untrusted source)');
    expect(reason.evidence).toContain(vex.sha256);
  });

  it('reads the author each format states: CSAF publisher, CycloneDX metadata authors, manufacturer and supplier', async () => {
    const csaf = (await analyzeBytes('vex', real('csaf-2022-evd-uc-03-ms-001.json'))).summary as VexSummary;
    expect(csaf.authors).toEqual(['Example Company ProductCERT']);
    const bom = JSON.parse(real('cdx-vex.cdx.json')) as { metadata?: Record<string, unknown> };
    bom.metadata = { ...bom.metadata, authors: [{ name: 'Jane Doe' }], manufacturer: { name: 'Acme' }, supplier: { name: 'Acme Supply' } };
    const cyclonedx = (await analyzeBytes('vex', JSON.stringify(bom))).summary as VexSummary;
    expect(cyclonedx).toMatchObject({ author: 'Jane Doe', authors: ['Jane Doe', 'Acme Supply', 'Acme'] });
  });
});

describe('only signed VEX (requireSigned)', () => {
  it('VEX in an attestation signed by a key the workspace trusts is applied', async () => {
    const reason = await judge(await evidence('vex', JSON.stringify(signedDsseEnvelope(vexStatement(), workspaceKey.privateKey))), { requireSigned: true });
    expect(suppressedCount(reason)).toBe(3);
    expect(reason.status).toBe('pass');
  });

  it('VEX signed by a key the policy no longer trusts is not applied (trust is the policy applied, not the one at upload)', async () => {
    const signed = await evidence('vex', JSON.stringify(signedDsseEnvelope(vexStatement(), workspaceKey.privateKey)));
    const reason = await judge(signed, { requireSigned: true }, [strangerKey]);
    expect(suppressedCount(reason)).toBe(0);
    expect(reason.vex!.untrusted).toEqual([
      {
        vex: signed.sha256,
        reason: `only signed VEX is applied, and it is signed by a key this policy does not trust (sha256:${workspaceKey.material.fingerprint.slice(7, 23)}…); add it to a provenance-subject rule's trustedKeys`,
      },
    ]);
  });

  it.each([
    ['a plain VEX document', () => VEX, 'it was not sent as a signed attestation, and only signed VEX is applied'],
    ['an unsigned in-toto statement', () => JSON.stringify(vexStatement()), 'only signed VEX is applied, and it is an unsigned statement'],
    [
      'an attestation signed by a key the workspace does not trust',
      () => JSON.stringify(signedDsseEnvelope(vexStatement(), strangerKey.privateKey)),
      "only signed VEX is applied, and its signature did not verify: none of the envelope's 1 signature is verified by the workspace's 1 trusted key",
    ],
  ])('%s is not applied, and says why', async (_name, text, why) => {
    const reason = await judge(await evidence('vex', text()), { requireSigned: true });
    expect(reason.status).toBe('fail');
    expect(reason.vex!.suppressed).toEqual([]);
    expect(reason.vex!.notApplied.map((item) => item.reason)).toEqual([`not applied: ${why}`, `not applied: ${why}`]);
  });

  it('keyless: applied when the certificate identity is one of trustedIdentities, not otherwise', async () => {
    const plain = await evidence('vex', VEX);
    const { envelope } = signedProvenanceSummary();
    const attested = { ...plain, summary: { ...(plain.summary as unknown as VexSummary), attestation: { predicateType: 'https://openvex.dev/ns/v0.2.0', subjects: [], statementType: 'https://in-toto.io/Statement/v1', predicate: 'document', envelope, signature: { status: 'verified', text: '' } } } as never };
    expect(suppressedCount(await judge(attested, { requireSigned: true, trustedIdentities: [TRUSTED_IDENTITY] }))).toBe(3);
    const other = await judge(attested, { requireSigned: true, trustedIdentities: [{ issuer: TRUSTED_IDENTITY.issuer, identity: 'https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main' }] });
    expect(other.vex!.suppressed).toEqual([]);
    expect(other.vex!.untrusted![0]!.reason).toBe(`only signed VEX is applied, and it is signed by ${TRUSTED_IDENTITY.identity} (issuer ${TRUSTED_IDENTITY.issuer}), which is not a trusted identity`);
  });

  it('both: a signed document by an untrusted author is not applied, naming the author', async () => {
    const reason = await judge(await evidence('vex', JSON.stringify(signedDsseEnvelope(vexStatement(), workspaceKey.privateKey))), { requireSigned: true, trustedAuthors: ['Acme Security'] });
    expect(reason.vex!.untrusted![0]!.reason).toBe(`author '${AUTHOR}' is not among the trusted VEX authors (Acme Security)`);
  });

  it('the parameter is checked when the policy is saved', () => {
    const rule = (vex: unknown) => () => parsePolicyDocument({ mode: 'enforce', rules: [{ id: 'findings', type: 'sarif-severity', limits: { critical: 0 }, vex }] });
    expect(rule({})).toThrow(/name trustedAuthors or set requireSigned: true/);
    expect(rule({ trustedAuthors: ['Acme'], trustedIdentities: [TRUSTED_IDENTITY] })).toThrow(/trustedIdentities count only with requireSigned: true/);
    expect(rule({ requireSigned: true, trustedIdentities: [TRUSTED_IDENTITY] })).not.toThrow();
  });
});
