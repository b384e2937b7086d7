import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { dsse } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { evidence as evidenceTable, gateDecisions, passports, signingKeys, users, workspaces } from '@/db/schema/runtime';
import { uploadEvidence } from '@/lib/evidence/store';
import { cyclonedx, FAKE_SECRETS, problemOf, sarif, statement } from '@/lib/evidence/testing/fixtures';
import { parsePublicKeys, verifyPassport } from '@/lib/passport/verify';
import { publishedKeys } from '@/lib/passport/signing-keys';
import { passportDetails, replayPassport } from '@/lib/passport/store';
import { policyHistory, savePolicy } from '@/lib/policy/store';
import { canonicalHash } from '@/lib/json/canonical';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { createEnvironment } from '@/lib/catalog/store';
import { recordApproval } from './approvals';
import { findEnvironment, findService } from './catalog';
import { PRODUCTION_LICENSE_NOTE } from './evaluate';
import { evaluateGateRequest, type GateRequest } from './service';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-gate-service-'));
const store = new FilesystemBlobStore(path.join(dataDir, 'blobs'));
const IMAGE = `sha256:${'ab'.repeat(32)}`;
let db: RuntimeDb;
let workspace: { id: string; slug: string };

async function upload(kind: 'sbom' | 'sarif' | 'provenance', document: unknown, collectedAt?: Date) {
  const bytes = Buffer.from(JSON.stringify(document));
  const { record } = await uploadEvidence(db, workspace.id, store, {
    kind,
    contentType: 'application/json',
    contentLength: bytes.length,
    body: [new Uint8Array(bytes)],
    service: 'checkout',
    collectedAt,
  });
  return record.sha256;
}

function request(evidence: string[], overrides: Partial<GateRequest> = {}): GateRequest {
  return { service: 'checkout', environment: 'staging', sourceSha: 'c'.repeat(40), imageDigest: IMAGE, chartVersion: '1.0.0', evidence, artifacts: [], ...overrides };
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  const [row] = await db.insert(workspaces).values({ slug: 'acme', name: 'Acme' }).returning({ id: workspaces.id, slug: workspaces.slug });
  workspace = row!;
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a first evaluation', () => {
  it('creates the service, environment, starter policy (shadow) and signing key, and signs a verifiable passport', async () => {
    const sbom = await upload('sbom', cyclonedx([{ name: 'left-pad', license: 'MIT' }]));
    const outcome = await evaluateGateRequest(db, workspace, request([sbom]), { actorLabel: 'token ci' });
    expect(outcome).toMatchObject({ mode: 'shadow', requestedMode: 'shadow', blocking: false, policy: { name: 'Starter policy', version: 1 } });
    expect(outcome.reasons.map((reason) => `${reason.ruleId}:${reason.status}`)).toEqual([
      'sbom:pass',
      'no-critical-or-high-findings:missing',
      'provenance-matches-image:missing',
      'no-strong-copyleft:pass',
    ]);
    expect(await findService(db, workspace.id, 'checkout')).not.toBeNull();
    expect(await findEnvironment(db, workspace.id, 'staging')).toMatchObject({ production: false });

    const keys = await publishedKeys(db, 'acme');
    expect(keys).toHaveLength(1);
    const verification = verifyPassport(outcome.passport.envelope, parsePublicKeys(keys![0]!.publicKeyPem));
    expect(verification).toMatchObject({ valid: true, passportId: outcome.passport.id, keyId: keys![0]!.keyId });
  });

  it('never stores the private signing key in plaintext', async () => {
    const [key] = await db.select().from(signingKeys).where(eq(signingKeys.workspaceId, workspace.id));
    expect(key!.privateKeyRef).toBe(`store:signing/key-${key!.id}`);
    const tables = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public'`);
    for (const { table_name: table } of (Array.isArray(tables) ? tables : (tables as unknown as { rows: Array<{ table_name: string }> }).rows) as Array<{ table_name: string }>) {
      const rows = await db.execute(sql.raw(`select * from "${table}"`));
      expect(JSON.stringify(rows), table).not.toContain('BEGIN PRIVATE KEY');
    }
  });
});

describe('policies and modes', () => {
  it('enforce blocks on deny; the reasons name the failing rule', async () => {
    const service = (await findService(db, workspace.id, 'checkout'))!;
    await savePolicy(db, workspace.id, { serviceId: service.id, environmentId: null }, {
      document: { mode: 'enforce', rules: [{ id: 'no-high', type: 'sarif-severity', limits: { high: 0 } }] },
      reason: 'tighten',
    });
    const findings = await upload('sarif', sarif([{ ruleId: 'js/sql-injection', level: 'error' }]));
    const outcome = await evaluateGateRequest(db, workspace, request([findings]), { actorLabel: 'token ci' });
    expect(outcome).toMatchObject({ decision: 'deny', mode: 'enforce', blocking: true });
    expect(outcome.reasons[0]).toMatchObject({ ruleId: 'no-high', status: 'fail', measured: { high: 1 }, evidence: [findings] });
    // The service's policy is more specific than the workspace's starter policy.
    expect(outcome.policy).toMatchObject({ version: 1, mode: 'enforce' });
  });

  it('keeps every version of a policy', async () => {
    const service = (await findService(db, workspace.id, 'checkout'))!;
    const saved = await savePolicy(db, workspace.id, { serviceId: service.id, environmentId: null }, {
      document: { mode: 'advisory', rules: [{ id: 'no-high', type: 'sarif-severity', limits: { high: 0 } }] },
      reason: 'back to advisory',
    });
    expect(saved).toMatchObject({ changed: true, policy: { version: 2, mode: 'advisory' } });
    const same = await savePolicy(db, workspace.id, { serviceId: service.id, environmentId: null }, { document: { mode: 'advisory', rules: [{ id: 'no-high', type: 'sarif-severity', limits: { high: 0 } }] } });
    expect(same.changed).toBe(false);
    // Stored before a parameter had a default (as older versions are): the same rules are still no change.
    const sparse = [{ id: 'no-high', type: 'sarif-severity', limits: { high: 0 } }];
    await db.execute(sql`update policies set rules = ${JSON.stringify(sparse)}::jsonb, hash = ${canonicalHash({ mode: 'advisory', rules: sparse })} where id = ${saved.policy.id}`);
    const again = await savePolicy(db, workspace.id, { serviceId: service.id, environmentId: null }, { document: { mode: 'advisory', rules: [{ id: 'no-high', type: 'sarif-severity', limits: { high: 0 } }] } });
    expect(again.changed).toBe(false);
    expect((await policyHistory(db, workspace.id, saved.policy.id)).map((entry) => [entry.version, entry.mode, entry.reason])).toEqual([
      [2, 'advisory', 'back to advisory'],
      [1, 'enforce', 'tighten'],
    ]);
    const problem = await problemOf(savePolicy(db, workspace.id, { serviceId: null, environmentId: null }, { document: { mode: 'enforce', rules: [{ id: 'x', type: 'nope' }] } }));
    expect(problem.status).toBe(400);
  });

  it('enforce on a production environment without a license is applied as advisory, and says so', async () => {
    await savePolicy(db, workspace.id, { serviceId: null, environmentId: null }, { document: { mode: 'enforce', rules: [{ id: 'sbom', type: 'sbom-present' }] } });
    // The tier is set explicitly (by an admin; here the operator), never guessed from the name.
    await createEnvironment(db, workspace.id, { type: 'operator', label: 'test' }, { slug: 'production', tier: 'production' }, { actor: { type: 'operator', label: 'test' } });
    const outcome = await evaluateGateRequest(db, workspace, request([], { service: 'billing', environment: 'production' }), { actorLabel: 'token ci' });
    expect(await findEnvironment(db, workspace.id, 'production')).toMatchObject({ production: true });
    expect(outcome).toMatchObject({ decision: 'deny', mode: 'advisory', requestedMode: 'enforce', blocking: false });
    expect(outcome.notes).toContain(PRODUCTION_LICENSE_NOTE);
  });
});

describe('evidence references', () => {
  it('refuses digests the workspace does not hold (422)', async () => {
    const unknown = crypto.randomBytes(32).toString('hex');
    const problem = await problemOf(evaluateGateRequest(db, workspace, request([unknown]), { actorLabel: null }));
    expect(problem.status).toBe(422);
    expect(problem.message).toContain(`sha256:${unknown}`);
  });

  it('checks provenance against the released image, and counts it only when a trusted key verified its signature at upload', async () => {
    const [other] = await db.insert(workspaces).values({ slug: 'beta', name: 'Beta' }).returning({ id: workspaces.id, slug: workspaces.slug });
    // A cosign-style key pair: the policy trusts the public half; CI signs the DSSE envelope with the private half.
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signed = (document: unknown) => {
      const payload = Buffer.from(JSON.stringify(document));
      const sig = crypto.sign('sha256', dsse.preAuthEncoding('application/vnd.in-toto+json', payload), privateKey);
      return { payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] };
    };
    await savePolicy(db, other!.id, { serviceId: null, environmentId: null }, {
      document: { mode: 'enforce', rules: [{ id: 'prov', type: 'provenance-subject', trustedKeys: [{ name: 'ci signing key', publicKey: pem }] }] },
    });
    const saved = workspace;
    workspace = other!;
    try {
      const matching = await upload('provenance', signed(statement([{ name: 'checkout', sha256: IMAGE.slice(7) }])));
      const elsewhere = await upload('provenance', signed(statement([{ name: 'checkout', sha256: 'ff'.repeat(32) }])));
      const unsigned = await upload('provenance', statement([{ name: 'checkout', sha256: IMAGE.slice(7) }]));
      const allowed = await evaluateGateRequest(db, workspace, request([matching]), { actorLabel: null });
      expect(allowed).toMatchObject({ decision: 'allow', reasons: [{ status: 'pass', measured: { signatureVerified: true, verifiedBy: expect.stringContaining('key "ci signing key"') } }] });
      const denied = await evaluateGateRequest(db, workspace, request([elsewhere]), { actorLabel: null });
      expect(denied.reasons[0]).toMatchObject({ status: 'fail', measured: { subjects: [`sha256:${'ff'.repeat(32)}`] } });
      // Unsigned provenance naming the image never passes in enforce mode.
      const refused = await evaluateGateRequest(db, workspace, request([unsigned]), { actorLabel: null });
      expect(refused).toMatchObject({ decision: 'deny', blocking: true, reasons: [{ status: 'fail', measured: { signatureVerified: false } }] });
      expect(refused.reasons[0]!.message).toContain('no trusted key or identity verified it: it is an unsigned statement');
      // Evidence of another workspace is not visible here.
      expect((await problemOf(evaluateGateRequest(db, saved, request([matching]), { actorLabel: null }))).status).toBe(422);
    } finally {
      workspace = saved;
    }
  });
});

describe('signed evidence (requireSigned)', () => {
  it('a signed SBOM stops counting once its key leaves the policy, without being uploaded again; the earlier passport still replays', async () => {
    const [other] = await db.insert(workspaces).values({ slug: 'gamma', name: 'Gamma' }).returning({ id: workspaces.id, slug: workspaces.slug });
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const payload = Buffer.from(JSON.stringify({ ...statement([{ name: 'checkout', sha256: IMAGE.slice(7) }]), predicateType: 'https://cyclonedx.org/bom', predicate: cyclonedx([{ name: 'a', license: 'MIT' }]) }));
    const sig = crypto.sign('sha256', dsse.preAuthEncoding('application/vnd.in-toto+json', payload), privateKey);
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] };
    const scope = { serviceId: null, environmentId: null };
    const sbomRule = { id: 'sbom', type: 'sbom-present', requireSigned: true };
    const provenanceRule = { id: 'prov', type: 'provenance-subject', onFail: 'warn', trustedKeys: [{ name: 'ci signing key', publicKey: pem }] };
    const saved = workspace;
    workspace = other!;
    try {
      await savePolicy(db, workspace.id, scope, { document: { mode: 'enforce', rules: [sbomRule, provenanceRule] } });
      const sbom = await upload('sbom', envelope);
      const trusted = await evaluateGateRequest(db, workspace, request([sbom]), { actorLabel: null });
      expect(trusted.reasons[0]).toMatchObject({ ruleId: 'sbom', status: 'pass' });
      // The key is removed from the policy; CI names the evidence already stored by its digest.
      await savePolicy(db, workspace.id, scope, { document: { mode: 'enforce', rules: [sbomRule] } });
      const untrusted = await evaluateGateRequest(db, workspace, request([sbom]), { actorLabel: null });
      expect(untrusted).toMatchObject({ decision: 'deny', reasons: [{ ruleId: 'sbom', status: 'fail' }] });
      expect(untrusted.reasons[0]!.message).toContain('it is signed by a key this policy does not trust');
      // The first passport was judged under the policy that trusted the key: replaying it still matches.
      expect(await replayPassport(db, workspace.id, trusted.passport.id)).toMatchObject({ match: true });
    } finally {
      workspace = saved;
    }
  });
});

describe('approvals', () => {
  it('counts approvals of the release toward the approvals rule', async () => {
    const environment = (await findEnvironment(db, workspace.id, 'staging'))!;
    await savePolicy(db, workspace.id, { serviceId: null, environmentId: environment.id }, { document: { mode: 'enforce', rules: [{ id: 'approved', type: 'approvals', count: 1 }] } });
    const release = request([], { service: 'search' });
    const first = await evaluateGateRequest(db, workspace, release, { actorLabel: null });
    expect(first.reasons[0]).toMatchObject({ status: 'fail', measured: { approvals: 0 } });
    const [approver] = await db.insert(users).values({ email: 'lead@acme.test', name: 'Lead' }).returning({ id: users.id });
    await recordApproval(db, workspace.id, { releaseId: first.release.id, approverId: approver!.id, role: 'maintainer', passportId: first.passport.id });
    const second = await evaluateGateRequest(db, workspace, release, { actorLabel: null });
    expect(second).toMatchObject({ decision: 'allow', release: { id: first.release.id } });
  });
});

describe('determinism and replay', () => {
  it('every decision has its own passport: identical calls at the same instant are as many decisions and passports, each replayable', async () => {
    const sbom = await upload('sbom', cyclonedx([{ name: 'a', license: 'MIT' }]));
    const now = new Date('2026-05-01T12:00:00.000Z');
    // 50 identical calls at once, all at the same evaluation time (the worst case for the clock).
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, index) => evaluateGateRequest(db, workspace, request([sbom], { service: 'cart' }), { actorLabel: `ci-${index}`, now })));
    expect(new Set(outcomes.map((outcome) => outcome.decision)).size).toBe(1);
    expect(new Set(outcomes.map((outcome) => outcome.passport.id)).size).toBe(50);
    expect(new Set(outcomes.map((outcome) => outcome.inputHash)).size).toBe(1);
    const ids = outcomes.map((outcome) => outcome.passport.id);
    const rows = await db.select({ id: passports.id, decisionId: passports.decisionId }).from(passports).where(and(eq(passports.workspaceId, workspace.id), sql`${passports.id} in ${ids}`));
    expect(rows).toHaveLength(50);
    const decisions = await db.select({ id: gateDecisions.id, passportId: gateDecisions.passportId }).from(gateDecisions).where(sql`${gateDecisions.passportId} in ${ids}`);
    expect(decisions).toHaveLength(50);
    // One to one: each decision names its passport, each passport its decision, and signs the decision's id.
    for (const outcome of outcomes) {
      expect(rows.find((row) => row.id === outcome.passport.id)!.decisionId).toBe(outcome.decisionId);
      expect(decisions.find((row) => row.id === outcome.decisionId)!.passportId).toBe(outcome.passport.id);
      const signed = JSON.parse(Buffer.from((outcome.passport.envelope as { payload: string }).payload, 'base64').toString('utf8'));
      expect(signed.predicate.decision.id).toBe(outcome.decisionId);
    }
    expect(await replayPassport(db, workspace.id, outcomes[7]!.passport.id)).toMatchObject({ match: true });
  });

  it('a replay matches; altered stored inputs are reported as the difference', async () => {
    const sbom = await upload('sbom', cyclonedx([{ name: 'b', license: 'MIT' }]));
    const outcome = await evaluateGateRequest(db, workspace, request([sbom], { service: 'orders' }), { actorLabel: null });
    expect(await replayPassport(db, workspace.id, outcome.passport.id)).toEqual({ match: true, passportId: outcome.passport.id, replayedId: outcome.passport.id, differences: [] });
    const details = await passportDetails(db, workspace.id, outcome.passport.id);
    const altered = { ...details.inputs, release: { ...details.inputs.release, chartVersion: '9.9.9' } };
    await db.update(gateDecisions).set({ inputs: altered }).where(eq(gateDecisions.id, outcome.decisionId));
    const replay = await replayPassport(db, workspace.id, outcome.passport.id);
    expect(replay.match).toBe(false);
    expect(replay.differences.map((difference) => difference.path)).toContain('$.predicate.release.chartVersion');
    expect((await problemOf(replayPassport(db, workspace.id, 'f'.repeat(64)))).status).toBe(404);
  });
});

describe('evidence records', () => {
  it('an upload of the same bytes refreshes the collection time, one row', async () => {
    const document = cyclonedx([{ name: 'fresh', license: 'MIT' }]);
    const first = await upload('sbom', document, new Date('2026-01-01T00:00:00Z'));
    const second = await upload('sbom', document, new Date('2026-02-01T00:00:00Z'));
    expect(second).toBe(first);
    const rows = await db.select().from(evidenceTable).where(and(eq(evidenceTable.workspaceId, workspace.id), eq(evidenceTable.sha256, first)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.collectedAt.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('names evidence by the digest of the bytes sent; a sanitized copy is signed beside it with its redaction count', async () => {
    const document = { ...cyclonedx([{ name: 'leaky', license: 'MIT' }]), metadata: { properties: [{ name: 'api_token', value: FAKE_SECRETS.github }] } };
    const sent = crypto.createHash('sha256').update(JSON.stringify(document)).digest('hex');
    const clean = await upload('sbom', cyclonedx([{ name: 'clean', license: 'MIT' }]));
    expect(await upload('sbom', document)).toBe(sent);
    const [row] = await db.select().from(evidenceTable).where(and(eq(evidenceTable.workspaceId, workspace.id), eq(evidenceTable.sha256, sent)));
    expect(row!.storedSha256).not.toBe(sent);
    const stored = fs.readFileSync(path.join(dataDir, 'blobs', row!.storageKey));
    expect(crypto.createHash('sha256').update(stored).digest('hex')).toBe(row!.storedSha256);

    const outcome = await evaluateGateRequest(db, workspace, request([sent, clean], { service: 'identity' }), { actorLabel: 'token ci' });
    const signed = verifyPassport(outcome.passport.envelope, parsePublicKeys((await publishedKeys(db, 'acme'))!.map((key) => key.publicKeyPem).join('\n')));
    expect(signed.valid).toBe(true);
    const evidence = signed.valid ? signed.statement.predicate.evidence : [];
    expect(evidence.find((item) => item.sha256 === sent)).toMatchObject({ stored: { sha256: row!.storedSha256, redactions: 1 } });
    expect(evidence.find((item) => item.sha256 === clean)).not.toHaveProperty('stored');
    expect((await replayPassport(db, workspace.id, outcome.passport.id)).match).toBe(true);
  });

  it('a failed database write leaves neither row nor blob', async () => {
    const bytes = Buffer.from(JSON.stringify(cyclonedx([{ name: 'unlucky' }])));
    const problem = uploadEvidence(db, workspace.id, store, { kind: 'sbom', contentType: 'application/json', contentLength: null, body: [new Uint8Array(bytes)] }, {
      afterSave: async () => {
        throw new Error('database went away');
      },
    });
    await expect(problem).rejects.toThrow('database went away');
    const digest = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(await db.select().from(evidenceTable).where(eq(evidenceTable.sha256, digest))).toEqual([]);
    expect(await store.exists(`evidence/${workspace.id}/sha256/${digest}`)).toBe(false);
  });
});

describe('signing key rotation', () => {
  it('signs with the new key at once; the retired key stays published, so old passports still verify', async () => {
    const { rotateSigningKey } = await import('@/lib/passport/signing-keys');
    const before = await evaluateGateRequest(db, workspace, request([], { service: 'rotation' }), { actorLabel: null });
    const rotated = await rotateSigningKey(db, workspace);
    expect(rotated.retired).toBe(before.passport.keyId);
    const after = await evaluateGateRequest(db, workspace, request([], { service: 'rotation' }), { actorLabel: null });
    expect(after.passport.keyId).toBe(rotated.active);
    const keys = (await publishedKeys(db, 'acme'))!;
    expect(keys.map((key) => [key.keyId, key.status])).toEqual(expect.arrayContaining([[before.passport.keyId, 'retired'], [rotated.active, 'active']]));
    const published = keys.map((key) => ({ keyId: key.keyId, publicKeyPem: key.publicKeyPem }));
    expect(verifyPassport(before.passport.envelope, published)).toMatchObject({ valid: true, keyId: before.passport.keyId });
    expect(verifyPassport(after.passport.envelope, published)).toMatchObject({ valid: true, keyId: rotated.active });
  });
});

describe('how the rows are stored', () => {
  it('keeps a decision, its passport and its audit event in their own tables (no TOAST rows) when under half a page (db/migrations/runtime/post/050)', async () => {
    const toastRows = async () => {
      const counts: number[] = [];
      for (const table of ['gate_decisions', 'passports', 'audit_events']) {
        const [toast] = rowsOf<{ name: string }>(await db.execute(sql`select reltoastrelid::regclass::text as name from pg_class where oid = to_regclass(${table})`));
        const [row] = rowsOf<{ count: number }>(await db.execute(sql`select count(*)::int as count from ${sql.raw(toast!.name)}`));
        counts.push(row!.count);
      }
      return counts;
    };
    // A workspace of its own, on the starter policy (the tests above change this file's workspace's policy).
    const [own] = await db.insert(workspaces).values({ slug: 'row-storage', name: 'Row storage' }).returning({ id: workspaces.id, slug: workspaces.slug });
    const digests: string[] = [];
    for (const [kind, document] of [
      ['sbom', cyclonedx([{ name: 'left-pad', license: 'MIT' }, { name: 'right-pad', license: 'Apache-2.0' }])],
      ['sarif', sarif([{ level: 'warning', ruleId: 'js/unused-variable' }])],
    ] as const) {
      const bytes = Buffer.from(JSON.stringify(document));
      const { record } = await uploadEvidence(db, own!.id, store, { kind, contentType: 'application/json', contentLength: bytes.length, body: [new Uint8Array(bytes)], service: 'storage' });
      digests.push(record.sha256);
    }
    const before = await toastRows();
    const outcome = await evaluateGateRequest(db, own!, request(digests, { service: 'storage' }), { actorLabel: 'token ci' });
    const [stored] = rowsOf<{ bytes: number }>(
      await db.execute(sql`select octet_length(d.inputs::text) + octet_length(d.reasons::text) as bytes from gate_decisions d where d.id = ${outcome.decisionId}`),
    );
    // Over the 2 KB from which PostgreSQL would move a value out of line by default.
    expect(Number(stored!.bytes)).toBeGreaterThan(3000);
    expect(await toastRows()).toEqual(before);
  });
});

describe('tenant keys in the database', () => {
  it('refuses a decision or passport that names another workspace’s release, and removes them with their workspace', async () => {
    const own = await evaluateGateRequest(db, workspace, request([], { service: 'tenancy' }), { actorLabel: null });
    const [other] = await db.insert(workspaces).values({ slug: 'other-tenant', name: 'Other' }).returning({ id: workspaces.id, slug: workspaces.slug });
    const decision = (await db.select().from(gateDecisions).where(eq(gateDecisions.id, own.decisionId)))[0]!;
    const passport = (await db.select().from(passports).where(eq(passports.id, own.passport.id)))[0]!;
    const refused = async (write: PromiseLike<unknown>) => {
      const error = await Promise.resolve(write).then(() => null, (e: Error & { cause?: Error }) => e);
      expect(error, 'the database should have refused the row').not.toBeNull();
      expect(`${error!.message} ${error!.cause?.message ?? ''}`).toMatch(/foreign key/);
    };
    // The other workspace's rows, pointing at this workspace's release.
    await refused(db.insert(gateDecisions).values({ ...decision, id: crypto.randomUUID(), workspaceId: other!.id }));
    await refused(db.insert(passports).values({ ...passport, id: 'f'.repeat(64), workspaceId: other!.id }));

    // Deleting a workspace still removes its decisions and passports (through its releases).
    const [doomed] = await db.insert(workspaces).values({ slug: 'doomed', name: 'Doomed' }).returning({ id: workspaces.id, slug: workspaces.slug });
    const gone = await evaluateGateRequest(db, doomed!, request([], { service: 'tenancy' }), { actorLabel: null });
    await db.delete(workspaces).where(eq(workspaces.id, doomed!.id));
    expect(await db.select().from(gateDecisions).where(eq(gateDecisions.id, gone.decisionId))).toEqual([]);
    expect(await db.select().from(passports).where(eq(passports.id, gone.passport.id))).toEqual([]);
  });
});
