import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRelease } from '@/lib/gate/evaluate';
import { EVALUATED_AT, evidence, inputs, policy, sbomSummary } from '@/lib/gate/testing';
import { canonicalJson } from '@/lib/json/canonical';
import { IN_TOTO_PAYLOAD_TYPE, pae, signEnvelope } from './dsse';
import { generateSigningKey, keyIdOf, privateKeyFromPem, publicJwk } from './keys';
import { buildPassport } from './statement';
import { parsePublicKeys, verifyPassport } from './verify';
import { buildVsa } from './vsa';

const workspaceKey = generateSigningKey();
const otherWorkspaceKey = generateSigningKey();

function signedPassport() {
  const release = inputs({ evidence: [evidence('sbom', sbomSummary())] });
  const applied = policy('enforce', [{ id: 'sbom', type: 'sbom-present' }]);
  const passport = buildPassport(release, applied, evaluateRelease(release, applied, EVALUATED_AT), EVALUATED_AT);
  const envelope = signEnvelope(Buffer.from(passport.payload), IN_TOTO_PAYLOAD_TYPE, {
    keyId: workspaceKey.keyId,
    privateKey: privateKeyFromPem(workspaceKey.privateKeyPem),
  });
  return { passport, envelope };
}

const keys = parsePublicKeys(workspaceKey.publicKeyPem);

describe('DSSE', () => {
  it('encodes PAE as the specification’s example does', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é'); // lengths in bytes
  });

  it('produces a signature that OpenSSL verifies over the PAE bytes (standard tooling)', () => {
    const { envelope } = signedPassport();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-dsse-'));
    try {
      fs.writeFileSync(path.join(dir, 'pae.bin'), pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')));
      fs.writeFileSync(path.join(dir, 'sig.bin'), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
      fs.writeFileSync(path.join(dir, 'key.pem'), workspaceKey.publicKeyPem);
      const output = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'pae.bin', '-sigfile', 'sig.bin'], { cwd: dir }).toString();
      expect(output).toMatch(/Signature Verified Successfully/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keys', () => {
  it('names a key by its RFC 7638 thumbprint, the same from PEM and JWK', () => {
    expect(keyIdOf(workspaceKey.publicKeyPem)).toBe(workspaceKey.keyId);
    expect(publicJwk(workspaceKey.publicKeyPem)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: workspaceKey.keyId, alg: 'EdDSA' });
    expect(parsePublicKeys(JSON.stringify({ keys: [publicJwk(workspaceKey.publicKeyPem)] }))).toEqual(keys);
    expect(workspaceKey.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('offline verification', () => {
  it('accepts an untouched passport and reports its id and decision', () => {
    const { passport, envelope } = signedPassport();
    const result = verifyPassport(envelope, keys);
    expect(result).toMatchObject({ valid: true, passportId: passport.id, keyId: workspaceKey.keyId, key: { status: 'unknown' } });
    expect(result.valid && result.statement.predicate.decision.result).toBe('allow');
  });

  it("reports the signing key's standing from the keys document, and refuses a passport signed after its key retired", () => {
    const { envelope } = signedPassport(); // evaluated at EVALUATED_AT
    const document = (status: 'active' | 'retired', retiredAt: string | null) =>
      parsePublicKeys(JSON.stringify({ keys: [{ publicKeyPem: workspaceKey.publicKeyPem, status, retiredAt }] }));
    expect(verifyPassport(envelope, document('active', null))).toMatchObject({ valid: true, key: { status: 'active' } });
    const later = new Date(Date.parse(EVALUATED_AT) + 60_000).toISOString();
    expect(verifyPassport(envelope, document('retired', later))).toMatchObject({ valid: true, key: { status: 'retired', retiredAt: later } });
    const earlier = new Date(Date.parse(EVALUATED_AT) - 60_000).toISOString();
    expect(verifyPassport(envelope, document('retired', earlier))).toMatchObject({
      valid: false,
      reason: `signed at ${EVALUATED_AT} by key ${workspaceKey.keyId}, which was retired at ${earlier}: a retired key signs nothing new`,
    });
  });

  it('refuses the passport after any single byte of the envelope file is changed', () => {
    const { envelope } = signedPassport();
    const file = Buffer.from(JSON.stringify(envelope, null, 2));
    const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);
    fc.assert(
      fc.property(fc.nat({ max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
        const tampered = Buffer.from(file);
        tampered[position]! ^= mask;
        // Layout between JSON tokens is not content (one blank for another changes nothing signed).
        if (whitespace.has(file[position]!) && whitespace.has(tampered[position]!)) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(tampered.toString('utf8'));
        } catch {
          return; // no longer JSON: rp verify reports that, which is a refusal too
        }
        expect(verifyPassport(parsed, keys).valid).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a passport whose payload was re-signed content or changed, naming why', () => {
    const { envelope } = signedPassport();
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as { predicate: { decision: { result: string } } };
    statement.predicate.decision.result = 'allow';
    const forged = { ...envelope, payload: Buffer.from(canonicalJson({ ...statement, x: 1 })).toString('base64') };
    expect(verifyPassport(forged, keys)).toMatchObject({ valid: false, reason: 'the signature does not match: the passport was altered after signing' });
  });

  it('refuses a passport verified with another workspace’s key', () => {
    const { envelope } = signedPassport();
    expect(verifyPassport(envelope, parsePublicKeys(otherWorkspaceKey.publicKeyPem))).toMatchObject({
      valid: false,
      reason: `no signature by the given key(s): the passport is signed by ${workspaceKey.keyId}`,
    });
    // Even when the envelope claims the other key's id.
    const relabelled = { ...envelope, signatures: [{ ...envelope.signatures[0]!, keyid: otherWorkspaceKey.keyId }] };
    expect(verifyPassport(relabelled, parsePublicKeys(otherWorkspaceKey.publicKeyPem)).valid).toBe(false);
  });

  it('refuses what is not a passport', () => {
    expect(verifyPassport({ hello: 'world' }, keys)).toMatchObject({ valid: false, reason: expect.stringMatching(/not a DSSE envelope/) });
    const other = signEnvelope(Buffer.from(canonicalJson({ predicateType: 'https://slsa.dev/provenance/v1' })), IN_TOTO_PAYLOAD_TYPE, {
      keyId: workspaceKey.keyId,
      privateKey: privateKeyFromPem(workspaceKey.privateKeyPem),
    });
    expect(verifyPassport(other, keys)).toMatchObject({ valid: false, reason: expect.stringMatching(/not a passport/) });
  });
});

describe('signing key storage', () => {
  it('names every possible key id with a valid secret store reference', async () => {
    const { parseSecretReference } = await import('@/lib/secrets');
    const { secretReferenceOf } = await import('./signing-keys');
    // Thumbprints are base64url: they may start with "-" or "_" (1 in 32 keys).
    for (const keyId of ['-abc', '_abc', workspaceKey.keyId, ...Array.from({ length: 200 }, () => generateSigningKey().keyId)]) {
      expect(() => parseSecretReference(secretReferenceOf(keyId)), keyId).not.toThrow();
    }
  });
});

describe('the VSA', () => {
  it('says PASSED with the environment as its verified level when the gate allowed the release, and FAILED on a deny', () => {
    const { passport } = signedPassport();
    const options = { baseUrl: 'https://rp.example.com', version: '1.2.3', passportId: passport.id };
    const allowed = buildVsa(passport.statement, options).statement;
    expect(allowed.predicate).toMatchObject({
      verifier: { id: `https://rp.example.com/api/v1/workspaces/${passport.statement.predicate.workspace}`, version: { 'release-passport': '1.2.3' } },
      timeVerified: EVALUATED_AT,
      verificationResult: 'PASSED',
      verifiedLevels: [`RELEASE_PASSPORT_ENV_${passport.statement.predicate.release.environment}`],
      policy: { digest: { sha256: passport.statement.predicate.policy.hash } },
    });
    const denied = structuredClone(passport.statement);
    denied.predicate.decision.result = 'deny';
    expect(buildVsa(denied, options).statement.predicate).toMatchObject({ verificationResult: 'FAILED', verifiedLevels: ['FAILED'] });
    // No SLSA level is claimed: the gate judges a policy, not a build track.
    expect(JSON.stringify(allowed.predicate.verifiedLevels)).not.toContain('SLSA_');
  });
});
