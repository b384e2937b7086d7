/**
 * Retrying the gate is safe: the real route handler, tokens, database and audit log. A retry with
 * the request's Idempotency-Key (after a lost answer, or racing the original) gets the first answer
 * and records nothing new; the same key with another body is refused; keys are per workspace and
 * expire.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadEvidence } from '@/app/api/v1/evidence/route.runtime';
import { POST as evaluate } from '@/app/api/v1/gate/evaluate/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, evidence, gateDecisions, gateIdempotencyKeys, passports } from '@/db/schema/runtime';
import { cyclonedx, sha256Hex } from '@/lib/evidence/testing/fixtures';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { apiRequest, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { deleteExpiredIdempotencyKeys } from './idempotency';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-gate-idempotency-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;

const release = (service: string) => ({ service, environment: 'staging', sourceSha: 'b'.repeat(40), imageDigest: `sha256:${'34'.repeat(32)}` });

function gate(body: object, key?: string, credentials = token) {
  return evaluate(apiRequest('/api/v1/gate/evaluate', { token: credentials, json: body, headers: key === undefined ? {} : { 'idempotency-key': key } }));
}

async function decisionsOf(service: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(gateDecisions)
    .where(and(eq(gateDecisions.workspaceId, workspace.id), sql`${gateDecisions.inputs}->'release'->>'service' = ${service}`));
  return Number(row!.count);
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  setBlobStore(new FilesystemBlobStore(path.join(dataDir, 'blobs')));
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'idem');
  token = (await testToken(db, workspace)).token;
});

afterAll(() => {
  setBlobStore(undefined);
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /api/v1/gate/evaluate with an Idempotency-Key', () => {
  it('answers a retry with the first decision and passport, recording nothing new (but auditing the retry)', async () => {
    const first = await gate(release('retry'), 'ci-run-1001-attempt');
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const answer = (await first.json()) as { passport: { id: string; envelope: unknown }; decision: string; evaluatedAt: string };

    await new Promise((resolve) => setTimeout(resolve, 20)); // a later millisecond: a new evaluation would differ
    const retry = await gate(release('retry'), 'ci-run-1001-attempt');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(answer);

    expect(await decisionsOf('retry')).toBe(1);
    const events = await db
      .select({ action: auditEvents.action, resourceId: auditEvents.resourceId, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, workspace.id), eq(auditEvents.resourceId, answer.passport.id)));
    expect(events.map((event) => event.action).sort()).toEqual(['api.gate.evaluate', 'gate.evaluate']);
    expect(events.find((event) => event.action === 'api.gate.evaluate')!.details).toMatchObject({ idempotencyKey: 'ci-run-1001-attempt', replayed: true });

    // Without a key, the same request is a new decision with its own passport.
    const fresh = (await (await gate(release('retry'))).json()) as { passport: { id: string } };
    expect(fresh.passport.id).not.toBe(answer.passport.id);
    expect(await decisionsOf('retry')).toBe(2);
  });

  it('gives every racing attempt with one key the same answer, and records one decision', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => gate(release('race'), 'same-key-racing')));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    const answers = (await Promise.all(responses.map((response) => response.json()))) as Array<{ passport: { id: string } }>;
    expect(new Set(answers.map((answer) => answer.passport.id)).size).toBe(1);
    expect(await decisionsOf('race')).toBe(1);
    const [passportCount] = await db.select({ count: sql<number>`count(*)::int` }).from(passports).where(eq(passports.id, answers[0]!.passport.id));
    expect(Number(passportCount!.count)).toBe(1);
  });

  it('refuses the same key with a different request (422 idempotency-key-reused), recording nothing', async () => {
    expect((await gate(release('reuse'), 'reused-key')).status).toBe(200);
    const other = await gate({ ...release('reuse'), chartVersion: '2.0.0' }, 'reused-key');
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(await other.json()).toMatchObject({ code: 'idempotency-key-reused', detail: expect.stringMatching(/"reused-key" was used .* for a different gate request/) });
    expect(await decisionsOf('reuse')).toBe(1);
  });

  it('keeps keys per workspace, and lets an expired key be used again', async () => {
    const elsewhere = await testWorkspace(db, 'idem-other');
    const otherToken = (await testToken(db, elsewhere)).token;
    const mine = (await (await gate(release('scoped'), 'shared-name')).json()) as { passport: { id: string } };
    const theirs = (await (await gate(release('scoped'), 'shared-name', otherToken)).json()) as { passport: { id: string } };
    expect(theirs.passport.id).not.toBe(mine.passport.id);

    await db.update(gateIdempotencyKeys).set({ expiresAt: sql`now() - interval '1 second'` }).where(and(eq(gateIdempotencyKeys.workspaceId, workspace.id), eq(gateIdempotencyKeys.key, 'shared-name')));
    const after = await gate({ ...release('scoped'), chartVersion: '3.0.0' }, 'shared-name');
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    const [kept] = await db.select({ expires: sql<number>`extract(epoch from ${gateIdempotencyKeys.expiresAt} - now())` }).from(gateIdempotencyKeys).where(and(eq(gateIdempotencyKeys.workspaceId, workspace.id), eq(gateIdempotencyKeys.key, 'shared-name')));
    expect(Number(kept!.expires)).toBeGreaterThan(23.9 * 3600);

    await db.update(gateIdempotencyKeys).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(gateIdempotencyKeys.workspaceId, elsewhere.id));
    expect(await deleteExpiredIdempotencyKeys(db)).toBe(1);
  });

  it('records the answer without the envelope payload its passport row holds, and gives it back whole', async () => {
    const first = (await (await gate(release('slim'), 'slim-key')).json()) as { passport: { id: string; envelope: Record<string, unknown> } };
    const [stored] = await db.select({ response: gateIdempotencyKeys.response }).from(gateIdempotencyKeys).where(and(eq(gateIdempotencyKeys.workspaceId, workspace.id), eq(gateIdempotencyKeys.key, 'slim-key')));
    expect(Object.keys((stored!.response as { passport: { envelope: object } }).passport.envelope).sort()).toEqual(['payloadType', 'signatures']);
    expect(await (await gate(release('slim'), 'slim-key')).json()).toEqual(first);

    // An answer recorded whole (before this) is given back the same way.
    await db.update(gateIdempotencyKeys).set({ response: first }).where(and(eq(gateIdempotencyKeys.workspaceId, workspace.id), eq(gateIdempotencyKeys.key, 'slim-key')));
    expect(await (await gate(release('slim'), 'slim-key')).json()).toEqual(first);
  });

  it('refuses a retry whose recorded passport was deleted since (409 naming what to do), and writes nothing', async () => {
    const first = (await (await gate(release('gone'), 'gone-key')).json()) as { passport: { id: string } };
    await db.delete(passports).where(and(eq(passports.workspaceId, workspace.id), eq(passports.id, first.passport.id)));
    const retry = await gate(release('gone'), 'gone-key');
    expect(retry.status).toBe(409);
    expect(retry.headers.get('content-type')).toBe('application/problem+json');
    expect(await retry.json()).toMatchObject({ detail: expect.stringMatching(/"gone-key" has been deleted since.*new key/) });
    expect(await decisionsOf('gone')).toBe(1);
  });

  it('refuses a malformed key with a 400 naming the header', async () => {
    const response = await gate(release('malformed'), 'has spaces in it');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation-failed', errors: [{ path: 'headers.idempotency-key' }] });
    expect(await decisionsOf('malformed')).toBe(0);
  });
});

describe('evidence uploads retried', () => {
  it('are idempotent by content: the same file sent again, even at once, is one row, one blob and the same digest', async () => {
    const bom = JSON.stringify(cyclonedx([{ name: 'retried', license: 'MIT' }]));
    const send = () => uploadEvidence(apiRequest('/api/v1/evidence?kind=sbom&service=retry', { method: 'POST', token, body: bom, headers: { 'content-type': 'application/vnd.cyclonedx+json' } }));
    const responses = await Promise.all(Array.from({ length: 6 }, send));
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
    const answers = (await Promise.all(responses.map((response) => response.json()))) as Array<{ sha256: string; id: string }>;
    expect(new Set(answers.map((answer) => answer.sha256))).toEqual(new Set([sha256Hex(bom)]));
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    const again = (await (await send()).json()) as { duplicate: boolean; sha256: string };
    expect(again).toMatchObject({ duplicate: true, sha256: sha256Hex(bom) });
    const rows = await db.select({ id: evidence.id }).from(evidence).where(and(eq(evidence.workspaceId, workspace.id), eq(evidence.sha256, sha256Hex(bom))));
    expect(rows).toHaveLength(1);
    const blobs = fs.readdirSync(path.join(dataDir, 'blobs', 'evidence', workspace.id, 'sha256'));
    expect(blobs.filter((name) => name === sha256Hex(bom))).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'blobs', '.spool'))).toEqual([]);
  });
});
