/**
 * Passports and VSAs checked by an independent implementation, as a verifier outside the product
 * would: the envelope, the VSA and the workspace's public key fetched from their endpoints, the
 * DSSE pre-authentication encoding from @sigstore/core (the Sigstore project's JavaScript code) and
 * Ed25519 from Node's crypto. None of our signing or verification code (lib/passport/dsse.ts,
 * verify.ts) is used to check them. The passport carries sanitized evidence and a VEX suppression,
 * so the fields added for them are covered by the signature too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crypto as sigstoreCrypto, dsse } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadEvidence } from '@/app/api/v1/evidence/route.runtime';
import { POST as evaluate } from '@/app/api/v1/gate/evaluate/route.runtime';
import { GET as getKeys } from '@/app/api/v1/workspaces/[workspace]/keys/route.runtime';
import { GET as getEnvelope } from '@/app/api/v1/workspaces/[workspace]/passports/[id]/envelope/route.runtime';
import { GET as getVsa } from '@/app/api/v1/workspaces/[workspace]/passports/[id]/vsa/route.runtime';
import { getRuntimeDb } from '@/db/runtime';
import { cyclonedx, FAKE_SECRETS, sarif } from '@/lib/evidence/testing/fixtures';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { apiRequest, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-passport-interop-'));
const IMAGE = `sha256:${'34'.repeat(32)}`;
let workspace: WorkspaceRef;
let token: string;

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

async function upload(kind: string, body: string): Promise<string> {
  const response = await uploadEvidence(apiRequest(`/api/v1/evidence?kind=${kind}`, { method: 'POST', token, body, headers: { 'content-type': 'application/json' } }));
  expect(response.status).toBe(201);
  return ((await response.json()) as { sha256: string }).sha256;
}

/** Verifies a DSSE envelope with @sigstore/core's PAE and Node's Ed25519, against the key with the envelope's keyid. */
function verifiedBy(envelope: Envelope, keys: Array<{ keyId: string; publicKeyPem: string }>): boolean {
  const [signature] = envelope.signatures;
  const key = keys.find((candidate) => candidate.keyId === signature!.keyid);
  if (!key) return false;
  const pae = dsse.preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const publicKey = sigstoreCrypto.createPublicKey(key.publicKeyPem);
  expect(publicKey.asymmetricKeyType).toBe('ed25519');
  return crypto.verify(null, pae, publicKey, Buffer.from(signature!.sig, 'base64'));
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  setBlobStore(new FilesystemBlobStore(path.join(dataDir, 'blobs')));
  const db = await getRuntimeDb();
  workspace = await testWorkspace(db);
  token = (await testToken(db, workspace)).token;
});

afterAll(() => {
  setBlobStore(undefined);
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a passport and its VSA, verified without our code', () => {
  it('verify with @sigstore/core PAE and Ed25519 against the published key; one changed byte fails', async () => {
    const sbom = { ...cyclonedx([{ name: 'left-pad', license: 'MIT' }]), metadata: { properties: [{ name: 'api_token', value: FAKE_SECRETS.github }] } };
    const evidence = [
      await upload('sbom', JSON.stringify(sbom)),
      await upload('sarif', JSON.stringify(sarif([{ ruleId: 'CVE-2024-2222', level: 'error' }]))),
      await upload(
        'vex',
        JSON.stringify({
          '@context': 'https://openvex.dev/ns/v0.2.0',
          '@id': 'https://example.com/vex/interop',
          author: 'test',
          statements: [{ vulnerability: { name: 'CVE-2024-2222' }, products: [{ '@id': IMAGE }], status: 'fixed' }],
        }),
      ),
    ];
    const answer = (await (
      await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { service: 'interop', environment: 'staging', sourceSha: 'b'.repeat(40), imageDigest: IMAGE, evidence } }))
    ).json()) as { passport: { id: string } };
    const params = { params: Promise.resolve({ workspace: workspace.slug, id: answer.passport.id }) };
    const keys = ((await (await getKeys(apiRequest(`/api/v1/workspaces/${workspace.slug}/keys`), { params: Promise.resolve({ workspace: workspace.slug }) })).json()) as {
      keys: Array<{ keyId: string; publicKeyPem: string }>;
    }).keys;

    const envelope = JSON.parse(await (await getEnvelope(apiRequest(`/api/v1/workspaces/${workspace.slug}/passports/${answer.passport.id}/envelope`, { token }), params)).text()) as Envelope;
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(verifiedBy(envelope, keys)).toBe(true);
    // The passport id is the sha256 of the signed payload.
    expect(sigstoreCrypto.digest('sha256', Buffer.from(envelope.payload, 'base64')).toString('hex')).toBe(answer.passport.id);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicate: { evidence: Array<{ kind: string; sha256: string; stored?: { sha256: string; redactions: number } }>; decision: { reasons: Array<{ ruleId: string; vex?: { suppressed: unknown[] } }> } };
    };
    // Signed: the SBOM by the digest of the bytes sent, its stored copy beside it; the VEX suppression.
    expect(statement.predicate.evidence.find((item) => item.kind === 'sbom')).toMatchObject({ sha256: evidence[0], stored: { redactions: 1 } });
    expect(statement.predicate.decision.reasons.find((reason) => reason.ruleId === 'no-critical-or-high-findings')?.vex?.suppressed).toHaveLength(1);

    const vsa = JSON.parse(await (await getVsa(apiRequest(`/api/v1/workspaces/${workspace.slug}/passports/${answer.passport.id}/vsa`, { token }), params)).text()) as Envelope;
    expect(verifiedBy(vsa, keys)).toBe(true);
    const vsaStatement = JSON.parse(Buffer.from(vsa.payload, 'base64').toString('utf8')) as { predicateType: string; subject: unknown; predicate: { inputAttestations: Array<{ digest: { sha256: string } }> } };
    expect(vsaStatement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    expect(vsaStatement.subject).toEqual([{ name: 'interop', digest: { sha256: IMAGE.slice('sha256:'.length) } }]);
    expect(vsaStatement.predicate.inputAttestations.map((item) => item.digest.sha256)).toEqual(expect.arrayContaining([answer.passport.id, ...evidence]));

    // The check can fail: one byte of either payload changed, or another key.
    for (const signed of [envelope, vsa]) {
      const bytes = Buffer.from(signed.payload, 'base64');
      bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
      expect(verifiedBy({ ...signed, payload: bytes.toString('base64') }, keys)).toBe(false);
      const stranger = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(verifiedBy(signed, [{ keyId: signed.signatures[0]!.keyid, publicKeyPem: stranger }])).toBe(false);
    }
  });
});
