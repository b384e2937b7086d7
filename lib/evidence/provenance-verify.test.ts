/**
 * Provenance signatures verified at ingest, on real public Sigstore bundles (offline, against the
 * public-good trusted root shipped in lib/evidence/sigstore/) and on cosign-style DSSE envelopes
 * signed here with generated keys; then judged by the provenance-subject rule.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLIC_GOOD_TRUSTED_ROOT } from './sigstore/public-good-trusted-root';
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluateRelease } from '@/lib/gate/evaluate';
import { trustedSigner } from '@/lib/gate/rules/integrity';
import { EVALUATED_AT, IMAGE_HEX, evidence, inputs, policy } from '@/lib/gate/testing';
import { parsePolicyDocument } from '@/lib/policy/schema';
import type { ProvenanceSummary } from './parsers/provenance';
import { parsePublicKey } from './provenance-keys';
import { trustedRootFrom, trustedRootsFrom, verifyProvenance, type TrustedKeyMaterial } from './provenance-verify';
import { analyzeBytes, problemOf, signedDsseEnvelope, statement } from './testing/fixtures';

const REAL = path.join(__dirname, 'testing', 'real');
const real = (name: string) => fs.readFileSync(path.join(REAL, name));

const GITHUB_ACTIONS = 'https://token.actions.githubusercontent.com';
const SIGSTORE_JS_RELEASE = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';

async function summarize(bytes: Buffer | string, keys: TrustedKeyMaterial[] = []): Promise<ProvenanceSummary> {
  return (await analyzeBytes('provenance', bytes, undefined, { provenanceKeys: keys })).summary as ProvenanceSummary;
}

function generated(type: 'ec' | 'ed25519') {
  const pair = type === 'ec' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }) : crypto.generateKeyPairSync('ed25519');
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const parsed = parsePublicKey(pem);
  if (!('key' in parsed)) throw new Error(parsed.error);
  return { pem, privateKey: pair.privateKey, material: { fingerprint: parsed.fingerprint, key: parsed.key }, jwk: JSON.stringify(pair.publicKey.export({ format: 'jwk' })) };
}

const decide = (rule: Record<string, unknown>, summary: ProvenanceSummary, mode: 'enforce' | 'advisory' = 'enforce') =>
  evaluateRelease(inputs({ evidence: [evidence('provenance', summary)] }), policy(mode, [{ id: 'provenance', type: 'provenance-subject', ...rule }]), EVALUATED_AT);

describe('Sigstore bundles (real, public-good, verified offline)', () => {
  it('npm provenance of sigstore@3.1.0 (bundle v0.2): signature, Fulcio chain and Rekor inclusion verify; the identity is the release workflow', async () => {
    const summary = await summarize(real('npm-sigstore-3.1.0.sigstore.json'));
    expect(summary.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(summary.envelope?.verification).toMatchObject({
      method: 'sigstore-bundle',
      status: 'verified',
      reason: null,
      identity: { issuer: GITHUB_ACTIONS, subjectAlternativeName: SIGSTORE_JS_RELEASE },
      tlog: [{ logIndex: '168704762', integratedTime: '1738701347', inclusion: 'proof' }],
      trustedRoot: crypto
        .createHash('sha256')
        .update(JSON.stringify(PUBLIC_GOOD_TRUSTED_ROOT))
        .digest('hex'),
    });
    // The rule's identity match: exact, by pattern, and refused for another workflow or issuer.
    expect(trustedSigner(summary, [], [{ issuer: GITHUB_ACTIONS, identity: SIGSTORE_JS_RELEASE }])).toEqual({
      verifiedBy: `${SIGSTORE_JS_RELEASE} (issuer ${GITHUB_ACTIONS}; Rekor log index 168704762)`,
    });
    expect(trustedSigner(summary, [], [{ issuer: GITHUB_ACTIONS, identityPattern: 'https://github\\.com/sigstore/sigstore-js/\\.github/workflows/.+@refs/heads/main' }])).toHaveProperty('verifiedBy');
    expect(trustedSigner(summary, [], [{ issuer: GITHUB_ACTIONS, identity: 'https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main' }])).toEqual({
      why: `it is signed by ${SIGSTORE_JS_RELEASE} (issuer ${GITHUB_ACTIONS}), which is not a trusted identity`,
    });
    expect(trustedSigner(summary, [], [{ issuer: 'https://accounts.google.com', identity: SIGSTORE_JS_RELEASE }])).toHaveProperty('why');
    // A pattern is anchored: a prefix is not enough.
    expect(trustedSigner(summary, [], [{ issuer: GITHUB_ACTIONS, identityPattern: 'https://github\\.com/sigstore/' }])).toHaveProperty('why');
  });

  it.each(['sigstore-js-bundleV01-intoto-with-proof', 'sigstore-js-bundleV02-intoto', 'sigstore-js-bundleV03-intoto'])('%s verifies (bundle v0.1 to v0.3)', async (name) => {
    const summary = await summarize(real(`${name}.sigstore.json`));
    expect(summary.envelope?.verification).toMatchObject({ status: 'verified', identity: { issuer: 'https://github.com/login/oauth', subjectAlternativeName: 'brian@dehamer.com' } });
    expect(summary.envelope?.verification?.tlog[0]?.logIndex).toBe('27244980');
  });

  it('one byte changed in the signed payload fails, and the summary says why', async () => {
    const bytes = real('npm-sigstore-3.1.0.sigstore.json');
    const json = JSON.parse(bytes.toString('utf8')) as { dsseEnvelope: { payload: string } };
    const payload = Buffer.from(json.dsseEnvelope.payload, 'base64');
    const at = payload.indexOf('refs/heads/main');
    payload[at] = 'R'.charCodeAt(0); // "Refs/heads/main": still a valid statement
    const tampered = bytes.toString('utf8').replace(json.dsseEnvelope.payload, payload.toString('base64'));
    expect(Buffer.byteLength(tampered)).toBe(bytes.length);
    const summary = await summarize(tampered);
    expect(summary.envelope?.verification).toMatchObject({ status: 'failed', reason: expect.stringMatching(/signature|TLOG/) });
    expect(trustedSigner(summary, [], [{ issuer: GITHUB_ACTIONS, identity: SIGSTORE_JS_RELEASE }])).toEqual({ why: expect.stringContaining('its signature did not verify') });
  });

  it('one byte changed in the certificate fails', async () => {
    const text = real('npm-sigstore-3.1.0.sigstore.json').toString('utf8');
    const marker = '"rawBytes": "MIIGtTCCBjugAwIBAgIUN5/v7Fqch';
    expect(text).toContain(marker);
    const summary = await summarize(text.replace(marker, '"rawBytes": "MIIGtTCCBjugAwIBAgIUN5/v7Fqci'));
    expect(summary.envelope?.verification?.status).toBe('failed');
  });

  it('against a trusted root without the CA that issued the certificate, the real bundle does not verify', async () => {
    const root = structuredClone(PUBLIC_GOOD_TRUSTED_ROOT) as unknown as { certificateAuthorities: unknown[] };
    // Only the 2021-2022 Fulcio CA: the 2025 certificate's issuer is gone.
    const older = { ...root, certificateAuthorities: root.certificateAuthorities.slice(0, 1) };
    const bytes = real('npm-sigstore-3.1.0.sigstore.json');
    const payload = (JSON.parse(bytes.toString('utf8')) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    const result = verifyProvenance(bytes, payload, { keys: [], trustedRoots: [trustedRootFrom(Buffer.from(JSON.stringify(older)))] });
    expect(result).toMatchObject({ status: 'failed', reason: expect.stringContaining('CERTIFICATE_ERROR') });
  });
});

describe('several trusted roots (RP_SIGSTORE_TRUSTED_ROOT_FILE as JSON Lines, as gh attestation trusted-root writes them)', () => {
  // A root that cannot verify the 2025 certificate (only the 2021-2022 Fulcio CA), and the public-good one.
  const root = structuredClone(PUBLIC_GOOD_TRUSTED_ROOT) as unknown as { certificateAuthorities: unknown[] };
  const older = JSON.stringify({ ...root, certificateAuthorities: root.certificateAuthorities.slice(0, 1) });
  const publicGood = JSON.stringify(PUBLIC_GOOD_TRUSTED_ROOT);
  const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rp-roots-')), 'trusted_root.jsonl');

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('a bundle verifies against any of them, and the summary names the root that verified it', async () => {
    fs.writeFileSync(file, `${older}\n${publicGood}\n`);
    vi.stubEnv('RP_SIGSTORE_TRUSTED_ROOT_FILE', file);
    const summary = await summarize(real('npm-sigstore-3.1.0.sigstore.json'));
    expect(summary.envelope?.verification).toMatchObject({ status: 'verified', identity: { subjectAlternativeName: SIGSTORE_JS_RELEASE }, trustedRoot: sha256(publicGood) });
  });

  it('verified by none: each root says why', async () => {
    fs.writeFileSync(file, `${older}\n${older}\n`);
    vi.stubEnv('RP_SIGSTORE_TRUSTED_ROOT_FILE', file);
    const summary = await summarize(real('npm-sigstore-3.1.0.sigstore.json'));
    expect(summary.envelope?.verification).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^verified by none of the 2 trusted roots \(root 1: CERTIFICATE_ERROR.*; root 2: CERTIFICATE_ERROR/),
      trustedRoot: sha256(older),
    });
  });

  it("a root without transparency logs (as GitHub's own instance's) is read, for its timestamp authority; a bundle with a Rekor entry does not verify against it", () => {
    const noLogs = { ...structuredClone(PUBLIC_GOOD_TRUSTED_ROOT), tlogs: [] };
    const [loaded] = trustedRootsFrom(Buffer.from(JSON.stringify(noLogs)));
    const bytes = real('npm-sigstore-3.1.0.sigstore.json');
    const payload = (JSON.parse(bytes.toString('utf8')) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    expect(verifyProvenance(bytes, payload, { keys: [], trustedRoots: [loaded!] })).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^TLOG_/) });
    const neither = { ...noLogs, timestampAuthorities: [] };
    expect(() => trustedRootsFrom(Buffer.from(JSON.stringify(neither)))).toThrow(/no transparency log and no timestamp authority/);
  });

  it('a file that is not roots is refused naming the line, and nothing verifies', async () => {
    expect(trustedRootsFrom(Buffer.from(publicGood)).map((item) => item.sha256)).toEqual([sha256(publicGood)]);
    expect(() => trustedRootsFrom(Buffer.from(`${publicGood}\n{"mediaType": "x"}\n`))).toThrow(/^line 2: the Sigstore trusted root names no certificate authority/);
    expect(() => trustedRootsFrom(Buffer.from('not json'))).toThrow(/neither a trusted_root.json nor JSON Lines/);
    fs.writeFileSync(file, `${publicGood}\n{"mediaType": "x"}\n`);
    vi.stubEnv('RP_SIGSTORE_TRUSTED_ROOT_FILE', file);
    const summary = await summarize(real('npm-sigstore-3.1.0.sigstore.json'));
    expect(summary.envelope?.verification).toMatchObject({ status: 'failed', reason: expect.stringContaining('the Sigstore trusted root cannot be read (RP_SIGSTORE_TRUSTED_ROOT_FILE): line 2') });
  });
});

describe('in-toto JSON Lines bundles (.intoto.jsonl)', () => {
  it('gh attestation download output (real, two Sigstore bundles): every line read and verified', async () => {
    const bytes = real('gh-sigstore-js-2.1.0-two-bundles.intoto.jsonl');
    // Counted without our scanner: JSON.parse of each non-blank line, and the payload decoded.
    const lines = bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(Buffer.from((JSON.parse(line) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString('utf8')) as { predicateType: string; subject: Array<{ name: string }> });
    expect(lines.length).toBeGreaterThan(1);
    const summary = await summarize(bytes);
    expect(summary.lines?.map((line) => line.line)).toEqual(lines.map((_, index) => index + 1));
    expect(summary.lines?.map((line) => line.predicateType)).toEqual(lines.map((line) => line.predicateType));
    expect(summary.lines?.map((line) => line.subjects.map((subject) => subject.name))).toEqual(lines.map((line) => line.subject.map((subject) => subject.name)));
    for (const line of summary.lines ?? []) {
      expect(line.envelope?.verification).toMatchObject({ status: 'verified', identity: { issuer: GITHUB_ACTIONS, subjectAlternativeName: SIGSTORE_JS_RELEASE } });
    }
    expect(summary.notes).toEqual([]);
  });

  it('a line that is not provenance (an SBOM attestation) or not an attestation is reported, not refused; the rule judges each line', async () => {
    const signer = generated('ec');
    const other = 'c'.repeat(64);
    const sbomStatement = { ...statement([{ name: 'checkout', sha256: IMAGE_HEX }]), predicateType: 'https://cyclonedx.org/bom', predicate: { bomFormat: 'CycloneDX' } };
    const bundle = [
      JSON.stringify(signedDsseEnvelope(sbomStatement, signer.privateKey)),
      '{"hello":"world"}',
      '',
      JSON.stringify(signedDsseEnvelope(statement([{ name: 'other', sha256: other }]), signer.privateKey)),
      JSON.stringify(signedDsseEnvelope(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), signer.privateKey)),
      '',
    ].join('\n');
    const summary = await summarize(bundle, [signer.material]);
    expect(summary.lines?.map((line) => [line.line, line.predicateType])).toEqual([
      [1, 'https://cyclonedx.org/bom'],
      [4, 'https://slsa.dev/provenance/v1'],
      [5, 'https://slsa.dev/provenance/v1'],
    ]);
    expect(summary.notes).toEqual(['line 1: https://cyclonedx.org/bom, not provenance', expect.stringMatching(/^line 2: this is not an in-toto statement or DSSE envelope/)]);
    // The top-level fields are the first provenance line's.
    expect(summary.subjects).toEqual([{ name: 'other', digest: { sha256: other } }]);
    const key = { trustedKeys: [{ name: 'release key', publicKey: signer.pem }] };
    const decision = decide(key, summary);
    expect(decision.decision).toBe('allow');
    expect(decision.reasons[0]!.message).toContain('names the released image (checkout); verified by key "release key"');
    // Without line 5, the SBOM attestation about the image is refused as not provenance.
    const withoutProvenance = await summarize(bundle.split('\n').slice(0, 4).join('\n'), [signer.material]);
    expect(decide(key, withoutProvenance).reasons[0]!.message).toContain('its predicate type is "https://cyclonedx.org/bom", not provenance');
  });

  it('a pretty-printed single attestation is one document, and a bundle with no attestation is refused line by line', async () => {
    const pretty = JSON.stringify(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), null, 2);
    expect((await summarize(pretty)).lines).toBeUndefined();
    const problem = await problemOf(summarize('{"a":1}\n{"b":2}\n'));
    expect(problem.message).toMatch(/: none of the 2 lines of this in-toto JSON Lines bundle is an attestation: line 1: .*; line 2: /);
  });
});

describe('DSSE envelopes signed with a public key (cosign attest --key)', () => {
  it('ECDSA P-256: verified by the signing key (PEM or JWK), not by another', async () => {
    const signer = generated('ec');
    const other = generated('ec');
    const envelope = JSON.stringify(signedDsseEnvelope(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), signer.privateKey));
    const withKey = await summarize(envelope, [other.material, signer.material]);
    expect(withKey.envelope?.verification).toMatchObject({ method: 'dsse-public-key', status: 'verified', keys: [signer.material.fingerprint], keysTried: 2 });
    const withOther = await summarize(envelope, [other.material]);
    expect(withOther.envelope?.verification).toMatchObject({ status: 'failed', reason: "none of the envelope's 1 signature is verified by the workspace's 1 trusted key" });
    // PEM and JWK of one key have one fingerprint.
    expect(parsePublicKey(signer.jwk)).toMatchObject({ fingerprint: signer.material.fingerprint });
  });

  it('Ed25519 verifies too; a changed payload does not', async () => {
    const signer = generated('ed25519');
    const envelope = signedDsseEnvelope(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), signer.privateKey);
    expect((await summarize(JSON.stringify(envelope), [signer.material])).envelope?.verification?.status).toBe('verified');
    const changed = { ...envelope, payload: Buffer.from(JSON.stringify(statement([{ name: 'checkout', sha256: 'b'.repeat(64) }]))).toString('base64') };
    expect((await summarize(JSON.stringify(changed), [signer.material])).envelope?.verification?.status).toBe('failed');
  });

  it('a duplicated "payload" key cannot get one payload summarised and another verified', async () => {
    const signer = generated('ec');
    const signed = signedDsseEnvelope(statement([{ name: 'checkout', sha256: 'b'.repeat(64) }]), signer.privateKey);
    const forged = Buffer.from(JSON.stringify(statement([{ name: 'checkout', sha256: IMAGE_HEX }]))).toString('base64');
    // The streaming summarizer and JSON.parse both keep the last key; the verifier compares them anyway.
    const text = `{"payloadType":"application/vnd.in-toto+json","payload":"${signed.payload}","payload":"${forged}","signatures":${JSON.stringify(signed.signatures)}}`;
    const summary = await summarize(text, [signer.material]);
    expect(summary.subjects[0]?.digest.sha256).toBe(IMAGE_HEX);
    expect(summary.envelope?.verification?.status).toBe('failed');
  });
});

describe('the provenance-subject rule', () => {

  it('passes only with a trusted key that verified the signature, and says which', async () => {
    const signer = generated('ec');
    const summary = await summarize(JSON.stringify(signedDsseEnvelope(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), signer.privateKey)), [signer.material]);
    const trusted = decide({ trustedKeys: [{ name: 'release key', publicKey: signer.pem }] }, summary);
    expect(trusted.decision).toBe('allow');
    expect(trusted.reasons[0]).toMatchObject({ status: 'pass', measured: { signatureVerified: true, verifiedBy: expect.stringMatching(/^key "release key" \(sha256:[0-9a-f]{16}…\)$/) } });
    expect(trusted.reasons[0]!.message).toMatch(/verified by key "release key"/);

    const other = generated('ec');
    const untrusted = decide({ trustedKeys: [{ name: 'someone else', publicKey: other.pem }] }, summary);
    expect(untrusted).toMatchObject({ decision: 'deny', blocking: true });
    expect(untrusted.reasons[0]!.message).toContain('no trusted key or identity verified it: it is signed by a key this rule does not trust');
  });

  it('in enforce mode an unsigned statement never passes, and the message says what to configure', async () => {
    const summary = await summarize(JSON.stringify(statement([{ name: 'checkout', sha256: IMAGE_HEX }])));
    const unconfigured = decide({}, summary);
    expect(unconfigured).toMatchObject({ decision: 'deny', blocking: true });
    expect(unconfigured.reasons[0]).toMatchObject({ status: 'fail', measured: { signatureVerified: false } });
    expect(unconfigured.reasons[0]!.message).toContain('no trusted key or identity verified it: this rule trusts no key or identity');
    expect(unconfigured.reasons[0]!.message).toContain('add the signer to the rule: trustedKeys [{name, publicKey}]');
    const configured = decide({ trustedIdentities: [{ issuer: GITHUB_ACTIONS, identity: SIGSTORE_JS_RELEASE }] }, summary);
    expect(configured.reasons[0]!.message).toContain('it is an unsigned statement');
    // Advisory: the same failure is recorded and does not block.
    expect(decide({}, summary, 'advisory')).toMatchObject({ decision: 'deny', blocking: false });
  });

  it('refuses bad trust roots when the policy is saved', () => {
    const rule = (extra: Record<string, unknown>) => () => parsePolicyDocument({ mode: 'enforce', rules: [{ id: 'p', type: 'provenance-subject', ...extra }] });
    expect(rule({ trustedKeys: [{ name: 'k', publicKey: 'not a key' }] })).toThrow(/BEGIN PUBLIC KEY/);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(rule({ trustedKeys: [{ name: 'k', publicKey: rsa }] })).toThrow(/ECDSA P-256 .* or Ed25519; this one is rsa/);
    expect(rule({ trustedIdentities: [{ issuer: GITHUB_ACTIONS }] })).toThrow(/exactly one of identity/);
    expect(rule({ trustedIdentities: [{ issuer: GITHUB_ACTIONS, identityPattern: '(' }] })).toThrow(/not a regular expression/);
    expect(rule({ trustedKeys: [{ name: 'k', publicKey: generated('ed25519').jwk }], trustedIdentities: [{ issuer: GITHUB_ACTIONS, identityPattern: '.*' }] })).not.toThrow();
  });
});
