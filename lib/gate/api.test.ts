import crypto from 'node:crypto';
/**
 * The gate's HTTP API as CI calls it: the real route handlers behind the shared wrapper, real
 * tokens, the real database and audit log, evidence stored in a real filesystem blob store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getEvidence } from '@/app/api/v1/evidence/[sha256]/route.runtime';
import { POST as uploadEvidence } from '@/app/api/v1/evidence/route.runtime';
import { POST as evaluate } from '@/app/api/v1/gate/evaluate/route.runtime';
import { POST as replay } from '@/app/api/v1/passports/[id]/replay/route.runtime';
import { GET as getPassport } from '@/app/api/v1/passports/[id]/route.runtime';
import { GET as getEnvelope } from '@/app/api/v1/workspaces/[workspace]/passports/[id]/envelope/route.runtime';
import { GET as getVsa } from '@/app/api/v1/workspaces/[workspace]/passports/[id]/vsa/route.runtime';
import { rotateSigningKey } from '@/lib/passport/signing-keys';
import { GET as getKeys } from '@/app/api/v1/workspaces/[workspace]/keys/route.runtime';
import { GET as getJwks } from '@/app/api/v1/workspaces/[workspace]/jwks/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { auditEvents } from '@/db/schema/runtime';
import { hashAuditEvent } from '@/lib/audit/event';
import { cyclonedx, FAKE_SECRETS, sarif, sha256Hex } from '@/lib/evidence/testing/fixtures';
import { parsePublicKeys, verifyPassport } from '@/lib/passport/verify';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { apiRequest, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-gate-api-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;

const IMAGE = `sha256:${'12'.repeat(32)}`;
const release = { service: 'checkout', environment: 'staging', sourceSha: 'a'.repeat(40), imageDigest: IMAGE };

function upload(kind: string, body: string | Uint8Array, contentType = 'application/json', credentials = token, query = '') {
  return uploadEvidence(apiRequest(`/api/v1/evidence?kind=${kind}${query}`, { method: 'POST', token: credentials, body: body as BodyInit, headers: { 'content-type': contentType } }));
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  setBlobStore(new FilesystemBlobStore(path.join(dataDir, 'blobs')));
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'acme');
  token = (await testToken(db, workspace)).token;
});

afterAll(() => {
  setBlobStore(undefined);
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /api/v1/evidence', () => {
  it('stores an upload and answers its digest and summary (201)', async () => {
    const bom = JSON.stringify(cyclonedx([{ name: 'left-pad', license: 'MIT' }]));
    const response = await upload('sbom', bom, 'application/vnd.cyclonedx+json', token, '&service=checkout&source=ci');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ sha256: sha256Hex(bom), storedSha256: sha256Hex(bom), kind: 'sbom', service: 'checkout', source: 'ci', duplicate: false, summary: { components: 1 } });
    const again = await upload('sbom', bom, 'application/vnd.cyclonedx+json');
    expect(await again.json()).toMatchObject({ duplicate: true });
    const reader = (await testToken(db, workspace, { scopes: ['evidence:read'] })).token;
    const lookup = await getEvidence(apiRequest(`/api/v1/evidence/${sha256Hex(bom)}`, { token: reader }), { params: Promise.resolve({ sha256: sha256Hex(bom) }) });
    expect(await lookup.json()).toMatchObject({ evidence: [{ kind: 'sbom' }] });
    // Reading is its own scope: the CI token (write, evaluate, passport:read) may not.
    expect((await getEvidence(apiRequest(`/api/v1/evidence/${sha256Hex(bom)}`, { token }), { params: Promise.resolve({ sha256: sha256Hex(bom) }) })).status).toBe(403);
  });

  it('strips secrets and says where, never what', async () => {
    const laden = JSON.stringify({ build: { env: { GITHUB_TOKEN: FAKE_SECRETS.github } } });
    const response = await upload('custom', laden);
    const body = await response.json();
    expect(response.status).toBe(201);
    expect(JSON.stringify(body)).not.toContain(FAKE_SECRETS.github);
    expect(body.redactions).toMatchObject({ count: 1, items: [{ kind: 'credential-field', location: '/build/env/GITHUB_TOKEN' }] });
    expect(body.sha256).toBe(sha256Hex(laden));
    expect(body.storedSha256).not.toBe(sha256Hex(laden));
  });

  it('answers 413, 415 and 422 as problems a person can act on', async () => {
    const big = await upload('checksums', new Uint8Array(4 * 1024 * 1024 + 1).fill(0x61), 'text/plain');
    expect(big.status).toBe(413);
    expect((await big.json()).detail).toBe('checksums evidence is limited to 4 MB; this upload is larger');
    const wrongType = await upload('sbom', '{}', 'application/yaml');
    expect(wrongType.status).toBe(415);
    const malformed = await upload('sarif', '{"version": "2.1.0", "runs": [');
    expect(malformed.status).toBe(422);
    expect(await malformed.json()).toMatchObject({ code: 'unprocessable', detail: expect.stringMatching(/ends early/) });
    const wrongKind = await upload('sarif', JSON.stringify(cyclonedx([])));
    expect((await wrongKind.json()).detail).toMatch(/^this is CycloneDX JSON 1\.5, sent as sarif evidence: send it as sbom evidence \(rp gate --sbom FILE, or --kind sbom\) \(.*not a SARIF log/);
  });

  it('fails closed without a token, with a token lacking the scope, or limited to another service', async () => {
    expect((await upload('custom', '{}', 'application/json', '')).status).toBe(401);
    const readOnly = (await testToken(db, workspace, { scopes: ['passport:read'] })).token;
    expect((await upload('custom', '{}', 'application/json', readOnly)).status).toBe(403);
    const otherService = (await testToken(db, workspace, { services: ['billing'] })).token;
    expect((await upload('custom', '{}', 'application/json', otherService, '&service=checkout')).status).toBe(403);
  });
});

describe('POST /api/v1/gate/evaluate and the passport', () => {
  it('decides, signs, and the passport verifies offline with the published key; replay matches', async () => {
    const bom = JSON.stringify(cyclonedx([{ name: 'a', license: 'MIT' }]));
    const sha = (await (await upload('sbom', bom)).json()).sha256 as string;
    const response = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { ...release, evidence: [`sha256:${sha}`] } }));
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({ decision: 'deny', mode: 'shadow', blocking: false, policy: { name: 'Starter policy' }, release: { service: 'checkout' } });

    const keys = await getKeys(apiRequest(`/api/v1/workspaces/acme/keys`), { params: Promise.resolve({ workspace: 'acme' }) });
    expect(keys.status).toBe(200);
    const published = await keys.text();
    expect(verifyPassport(answer.passport.envelope, parsePublicKeys(published))).toMatchObject({ valid: true, passportId: answer.passport.id, key: { status: 'active' } });
    expect(JSON.parse(published).jwksUri).toMatch(/\/api\/v1\/workspaces\/acme\/jwks$/);

    // The same keys as a standard JWK Set; checked here without our verifier: Node's own JWK import
    // and Ed25519 over the DSSE pre-authentication encoding, written out from the specification.
    const jwks = await getJwks(apiRequest('/api/v1/workspaces/acme/jwks'), { params: Promise.resolve({ workspace: 'acme' }) });
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('content-type')).toBe('application/jwk-set+json');
    const set = (await jwks.json()) as { keys: Array<Record<string, string>> };
    expect(set.keys.map((key) => Object.keys(key).sort())).toEqual([['alg', 'crv', 'kid', 'kty', 'use', 'x']]);
    const { payloadType, payload, signatures } = answer.passport.envelope as { payloadType: string; payload: string; signatures: Array<{ sig: string; keyid: string }> };
    const body = Buffer.from(payload, 'base64');
    const preAuthentication = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `), body]);
    const jwk = set.keys.find((key) => key.kid === signatures[0]!.keyid)!;
    expect(crypto.verify(null, preAuthentication, crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signatures[0]!.sig, 'base64'))).toBe(true);

    // The same decision as an SLSA VSA, signed by the same key (checked the same independent way).
    const vsaParams = { params: Promise.resolve({ workspace: 'acme', id: answer.passport.id }) };
    const vsaResponse = await getVsa(apiRequest(`/api/v1/workspaces/acme/passports/${answer.passport.id}/vsa`, { token }), vsaParams);
    expect(vsaResponse.status).toBe(200);
    expect(vsaResponse.headers.get('content-disposition')).toBe(`attachment; filename="vsa-${answer.passport.id}.dsse.json"`);
    const vsaText = await vsaResponse.text();
    const vsa = JSON.parse(vsaText) as { payloadType: string; payload: string; signatures: Array<{ sig: string; keyid: string }> };
    expect(vsa.signatures[0]!.keyid).toBe(signatures[0]!.keyid);
    const vsaBody = Buffer.from(vsa.payload, 'base64');
    const vsaPae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(vsa.payloadType)} ${vsa.payloadType} ${vsaBody.length} `), vsaBody]);
    expect(crypto.verify(null, vsaPae, crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(vsa.signatures[0]!.sig, 'base64'))).toBe(true);
    const vsaStatement = JSON.parse(vsaBody.toString('utf8'));
    expect(vsaStatement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'checkout', digest: { sha256: IMAGE.slice('sha256:'.length) } }],
      predicateType: 'https://slsa.dev/verification_summary/v1',
      predicate: {
        timeVerified: answer.evaluatedAt,
        // The passport's decision was a (shadow-mode) deny: the policy failed, whatever blocked.
        verificationResult: 'FAILED',
        verifiedLevels: ['FAILED'],
        slsaVersion: '1.0',
        inputAttestations: expect.arrayContaining([{ uri: expect.stringMatching(/\/api\/v1\/evidence\//), digest: { sha256: sha } }]),
      },
    });
    // Ed25519 signs deterministically: every download is the same file.
    expect(await (await getVsa(apiRequest(`/api/v1/workspaces/acme/passports/${answer.passport.id}/vsa`, { token }), vsaParams)).text()).toBe(vsaText);

    const missing = await getKeys(apiRequest('/api/v1/workspaces/nope/keys'), { params: Promise.resolve({ workspace: 'nope' }) });
    expect(missing.status).toBe(404);

    const params = { params: Promise.resolve({ id: answer.passport.id }) };
    const passport = await getPassport(apiRequest(`/api/v1/passports/${answer.passport.id}`, { token }), params);
    expect(await passport.json()).toMatchObject({ id: answer.passport.id, decision: 'deny', inputs: { release: { service: 'checkout' } }, policy: { version: 1 } });
    const replayed = await replay(apiRequest(`/api/v1/passports/${answer.passport.id}/replay`, { method: 'POST', token }), params);
    expect(await replayed.json()).toEqual({ match: true, passportId: answer.passport.id, replayedId: answer.passport.id, differences: [] });
  });

  it('takes VEX evidence: a not_affected statement for the released image takes its finding out of the SARIF limit, signed with its justification', async () => {
    const log = await upload('sarif', JSON.stringify(sarif([{ ruleId: 'CVE-2024-1111', level: 'error' }])), 'application/sarif+json');
    const vexDocument = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/api',
      author: 'security team',
      statements: [{ vulnerability: { name: 'CVE-2024-1111' }, products: [{ '@id': `pkg:oci/checkout@${IMAGE.replace(':', '%3A')}` }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    };
    const vex = await upload('vex', JSON.stringify(vexDocument), 'application/vnd.openvex+json');
    expect(vex.status).toBe(201);
    const vexSha = ((await vex.json()) as { sha256: string; summary: unknown }).sha256;
    const logSha = ((await log.json()) as { sha256: string }).sha256;
    const response = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { ...release, service: 'vexed', evidence: [logSha, vexSha] } }));
    const answer = (await response.json()) as { reasons: Array<{ ruleId: string; status: string; vex?: { suppressed: unknown[] } }>; passport: { id: string; envelope: { payload: string } } };
    const findings = answer.reasons.find((reason) => reason.ruleId === 'no-critical-or-high-findings')!;
    const suppression = { vulnerability: 'CVE-2024-1111', severity: 'high', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', vex: vexSha, evidence: logSha };
    expect(findings).toMatchObject({ status: 'pass', vex: { suppressed: [suppression], notApplied: [] } });
    const signed = JSON.parse(Buffer.from(answer.passport.envelope.payload, 'base64').toString('utf8')) as { predicate: { decision: { reasons: typeof answer.reasons } } };
    expect(signed.predicate.decision.reasons.find((reason) => reason.ruleId === 'no-critical-or-high-findings')).toMatchObject({ vex: { suppressed: [suppression] } });
    // A NUL escaped into a quoted string is stored (jsonb cannot hold one: it becomes U+FFFD), not a 500.
    const withNul = { ...vexDocument, statements: [{ ...vexDocument.statements[0]!, impact_statement: 'never\u0000called' }] };
    const nul = await upload('vex', JSON.stringify(withNul));
    expect(nul.status).toBe(201);
    expect(((await nul.json()) as { summary: { statements: Array<{ impact: string }> } }).summary.statements[0]!.impact).toBe('never\ufffdcalled');
    // A CycloneDX VEX sent as an SBOM is refused, saying to send it as VEX.
    const misfiled = await upload('sbom', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', vulnerabilities: [{ id: 'CVE-2024-1111', analysis: { state: 'not_affected' }, affects: [{ ref: 'x' }] }] }));
    expect(misfiled.status).toBe(422);
    expect(((await misfiled.json()) as { detail: string }).detail).toContain('upload it as kind vex');
  });

  it('refuses a malformed release (400 with field errors) and unknown evidence (422)', async () => {
    const invalid = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { ...release, imageDigest: 'latest' } }));
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).errors).toEqual([{ path: 'body.imageDigest', message: 'an image digest: "sha256:" and 64 lower-case hex characters' }]);
    const unknown = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { ...release, evidence: ['f'.repeat(64)] } }));
    expect(unknown.status).toBe(422);
  });

  it('records every upload and decision in the hash-chained audit log', async () => {
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, workspace.id)));
    const actions = events.map((event) => event.action);
    expect(actions).toContain('evidence.upload');
    expect(actions).toContain('gate.evaluate');
    const decision = events.find((event) => event.action === 'gate.evaluate')!;
    expect(decision).toMatchObject({ resourceType: 'passport', outcome: 'allow', actorType: 'token' });
    expect(decision.details).toMatchObject({ decision: 'deny', mode: 'shadow', service: 'checkout' });
    expect(JSON.stringify(events)).not.toContain(FAKE_SECRETS.github);
    // Each of the gate's events carries the hash of its content and links to its predecessor.
    const ordered = [...events].sort((a, b) => a.seq - b.seq);
    for (const event of ordered.filter((item) => item.action === 'gate.evaluate' || item.action === 'evidence.upload')) {
      const { hash, ...hashed } = event;
      expect(hashAuditEvent({ ...hashed, details: hashed.details }), `${event.action} #${event.seq}`).toBe(hash);
      expect(event.prevHash).toBe(ordered.find((item) => item.seq === event.seq - 1)!.hash);
    }
  });
});

describe('reads by id with a token limited to services and environments', () => {
  it('refuse a passport, its envelope, its replay and evidence of another service or environment (403, audited), and serve their own', async () => {
    const bom = JSON.stringify(cyclonedx([{ name: 'payments-only-lib', license: 'MIT' }]));
    const uploaded = await upload('sbom', bom, 'application/vnd.cyclonedx+json', token, '&service=payments');
    const paymentsSbom = ((await uploaded.json()) as { sha256: string }).sha256;
    const gate = async (service: string, environment: string, evidence: string[]) => {
      const response = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { service, environment, sourceSha: 'c'.repeat(40), imageDigest: IMAGE, evidence } }));
      expect(response.status).toBe(200);
      return ((await response.json()) as { passport: { id: string } }).passport.id;
    };
    const other = await gate('payments', 'production', [paymentsSbom]);
    const sameServiceOtherEnvironment = await gate('checkout', 'production', []);
    const own = await gate('checkout', 'staging', []);
    const limited = (await testToken(db, workspace, { scopes: ['passport:read', 'evidence:read'], services: ['checkout'], environments: ['staging'] })).token;

    const reads = (id: string) => ({
      passport: () => getPassport(apiRequest(`/api/v1/passports/${id}`, { token: limited }), { params: Promise.resolve({ id }) }),
      replay: () => replay(apiRequest(`/api/v1/passports/${id}/replay`, { method: 'POST', token: limited }), { params: Promise.resolve({ id }) }),
      envelope: () => getEnvelope(apiRequest(`/api/v1/workspaces/acme/passports/${id}/envelope`, { token: limited }), { params: Promise.resolve({ workspace: 'acme', id }) }),
      vsa: () => getVsa(apiRequest(`/api/v1/workspaces/acme/passports/${id}/vsa`, { token: limited }), { params: Promise.resolve({ workspace: 'acme', id }) }),
    });
    for (const id of [other, sameServiceOtherEnvironment]) {
      for (const [name, read] of Object.entries(reads(id))) {
        const response = await read();
        expect(response.status, `${name} of ${id}`).toBe(403);
        expect(((await response.json()) as { detail: string }).detail).toMatch(/not valid for (service "payments"|environment "production")/);
      }
    }
    for (const [name, read] of Object.entries(reads(own))) expect((await read()).status, `${name} of its own passport`).toBe(200);
    const evidence = await getEvidence(apiRequest(`/api/v1/evidence/${paymentsSbom}`, { token: limited }), { params: Promise.resolve({ sha256: paymentsSbom }) });
    expect(evidence.status).toBe(403);

    const denials = await db
      .select({ reason: auditEvents.reason })
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, workspace.id), eq(auditEvents.outcome, 'deny')));
    expect(denials.filter((event) => /not valid for (service|environment)/.test(event.reason ?? '')).length).toBeGreaterThanOrEqual(7);
  });
});

describe('a refused gate call', () => {
  it('writes nothing: evidence the workspace lacks is a 422 before any service, environment or release exists', async () => {
    const count = async () => {
      const [row] = rowsOf<{ services: string; environments: string; releases: string }>(
        await db.execute(sql`select (select count(*) from services where workspace_id = ${workspace.id}) as services,
          (select count(*) from environments where workspace_id = ${workspace.id}) as environments,
          (select count(*) from releases where workspace_id = ${workspace.id}) as releases`),
      );
      return row;
    };
    const before = await count();
    const response = await evaluate(
      apiRequest('/api/v1/gate/evaluate', { token, json: { service: 'never-seen', environment: 'never-seen-env', sourceSha: 'e'.repeat(40), imageDigest: IMAGE, evidence: ['f'.repeat(64)] } }),
    );
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toContain(`sha256:${'f'.repeat(64)}`);
    expect(await count()).toEqual(before);
  });
});

describe('service and environment names with "." and "_"', () => {
  it('a name the gate accepts (checkout.v2, eu_west-1) can be a token limit, and the limited token gates and reads it', async () => {
    const limited = (await testToken(db, workspace, { scopes: ['gate:evaluate', 'passport:read'], services: ['checkout.v2'], environments: ['eu_west-1'] })).token;
    const response = await evaluate(apiRequest('/api/v1/gate/evaluate', { token: limited, json: { service: 'checkout.v2', environment: 'eu_west-1', sourceSha: 'd'.repeat(40), imageDigest: IMAGE, evidence: [] } }));
    expect(response.status).toBe(200);
    const { passport } = (await response.json()) as { passport: { id: string } };
    const read = await getPassport(apiRequest(`/api/v1/passports/${passport.id}`, { token: limited }), { params: Promise.resolve({ id: passport.id }) });
    expect(read.status).toBe(200);
    // The same token is held to those names: another service is refused.
    const other = await evaluate(apiRequest('/api/v1/gate/evaluate', { token: limited, json: { service: 'checkout', environment: 'eu_west-1', sourceSha: 'd'.repeat(40), imageDigest: IMAGE, evidence: [] } }));
    expect(other.status).toBe(403);
  });
});

describe('the VSA of a passport whose key has since retired', () => {
  it('is refused (409): a retired key signs nothing new, and the answer says to judge the release again', async () => {
    const response = await evaluate(apiRequest('/api/v1/gate/evaluate', { token, json: { ...release, sourceSha: 'f'.repeat(40), evidence: [] } }));
    const { passport } = (await response.json()) as { passport: { id: string } };
    await rotateSigningKey(db, workspace);
    const vsa = await getVsa(apiRequest(`/api/v1/workspaces/acme/passports/${passport.id}/vsa`, { token }), { params: Promise.resolve({ workspace: 'acme', id: passport.id }) });
    expect(vsa.status).toBe(409);
    expect(((await vsa.json()) as { detail: string }).detail).toContain('has retired, and a retired key signs nothing new: judge the release again');
  });
});
