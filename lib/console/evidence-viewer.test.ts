/**
 * The evidence viewer shows the stored, sanitized copy: a secret removed at upload is not in what
 * it shows, both digests are there, a large file is cut at the limit and says so, and evidence of
 * another workspace is not found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { uploadEvidence } from '@/lib/evidence/store';
import { cyclonedx, FAKE_SECRETS, sarif } from '@/lib/evidence/testing/fixtures';
import { getBlobStore, setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { evidenceForViewing } from './evidence-viewer';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-evidence-viewer-'));
let db: RuntimeDb;
let acme: WorkspaceRef;
let other: WorkspaceRef;

async function upload(workspace: WorkspaceRef, kind: 'sbom' | 'sarif', document: unknown) {
  const bytes = Buffer.from(JSON.stringify(document));
  const { record } = await uploadEvidence(db, workspace.id, getBlobStore(), {
    kind,
    contentType: 'application/json',
    contentLength: bytes.length,
    body: [new Uint8Array(bytes)],
    source: 'test',
    collectedAt: new Date(),
    createdBy: 'test',
  });
  return record;
}

beforeAll(async () => {
  setBlobStore(new FilesystemBlobStore(path.join(dataDir, 'blobs')));
  db = await getRuntimeDb();
  acme = await testWorkspace(db);
  other = await testWorkspace(db);
});
afterAll(() => {
  setBlobStore(undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the evidence viewer', () => {
  it('shows the sanitized copy with both digests and what was removed, never the secret', async () => {
    const document = { ...cyclonedx([{ name: 'left-pad', license: 'MIT' }]), metadata: { properties: [{ name: 'api_token', value: FAKE_SECRETS.github }] } };
    const record = await upload(acme, 'sbom', document);
    for (const digest of [record.sha256, record.storedSha256]) {
      const found = await evidenceForViewing(db, acme.id, digest);
      expect(found?.record.sha256).toBe(record.sha256);
      expect(found!.text).toContain('left-pad');
      expect(found!.text).not.toContain(FAKE_SECRETS.github);
      // Pretty-printed for reading.
      expect(found!.text).toContain('\n  "bomFormat": "CycloneDX"');
    }
    expect(record.sha256).not.toBe(record.storedSha256);
    expect((await evidenceForViewing(db, acme.id, record.sha256))!.record.redactions).toMatchObject({ count: 1 });
  });

  it('cuts a large file at the limit and says so', async () => {
    const record = await upload(acme, 'sarif', sarif(Array.from({ length: 200 }, (_, i) => ({ ruleId: `rule-${i}`, level: 'warning' as const }))));
    const found = await evidenceForViewing(db, acme.id, record.sha256, 1024);
    expect(found).toMatchObject({ truncated: true });
    expect(Buffer.byteLength(found!.text!)).toBeLessThanOrEqual(1024);
  });

  it("does not find another workspace's evidence, nor anything by a malformed digest", async () => {
    const record = await upload(acme, 'sarif', sarif([]));
    expect(await evidenceForViewing(db, other.id, record.sha256)).toBeNull();
    expect(await evidenceForViewing(db, acme.id, '../../etc/passwd')).toBeNull();
  });
});
