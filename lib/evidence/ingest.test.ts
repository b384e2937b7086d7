import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { startS3Server } from '@/lib/storage/testing';
import type { BlobStore } from '@/lib/storage';
import { evidenceKey } from '@/lib/storage/types';
import { ingestEvidence, type IngestRequest } from './ingest';
import { cyclonedx, FAKE_SECRETS, problemOf, sha256Hex } from './testing/fixtures';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-ingest-'));
const store = new FilesystemBlobStore(root);
let s3: Awaited<ReturnType<typeof startS3Server>>;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A request body arriving in small pieces, as a network stream does. */
function streamOf(bytes: Buffer, pieceSize = 7919): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + pieceSize)));
      offset += pieceSize;
    },
  });
}

function request(body: Buffer | null, overrides: Partial<IngestRequest> = {}, target: BlobStore = store): IngestRequest {
  return {
    kind: 'sbom',
    contentType: 'application/vnd.cyclonedx+json',
    body: body && streamOf(body),
    store: target,
    keyFor: (sha256) => evidenceKey('ws-1', sha256),
    ...overrides,
  };
}

function blobCount(): number {
  const dir = path.join(root, 'evidence');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((entry) => String(entry).includes('sha256/')).length : 0;
}

function spoolLeft(target: BlobStore = store): string[] {
  return fs.existsSync(target.spoolDir) ? fs.readdirSync(target.spoolDir) : [];
}

const bom = Buffer.from(JSON.stringify(cyclonedx([{ name: 'left-pad', license: 'MIT' }, { name: 'lodash', license: 'MIT' }]), null, 2));

describe('ingesting evidence', () => {
  it('stores the bytes as received, addressed by their sha256, with a summary', async () => {
    const stored = await ingestEvidence(request(bom));
    expect(stored).toMatchObject({
      sha256: sha256Hex(bom),
      size: bom.length,
      stored: { sha256: sha256Hex(bom), size: bom.length },
      mediaType: 'application/vnd.cyclonedx+json',
      summary: { format: 'cyclonedx', components: 2, licenses: { MIT: 2 } },
      redactions: { count: 0 },
      storageKey: `evidence/ws-1/sha256/${sha256Hex(bom)}`,
      created: true,
    });
    expect(fs.readFileSync(path.join(root, stored.storageKey))).toEqual(bom);
    expect(spoolLeft()).toEqual([]);
    // The same content again: same address, nothing new stored.
    expect(await ingestEvidence(request(bom))).toMatchObject({ sha256: sha256Hex(bom), created: false });
  });

  it('an SBOM sent inside an attestation is stored as sent: its identity is the attestation\'s digest, its summary the SBOM\'s', async () => {
    const attestation = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://cyclonedx.org/bom',
        subject: [{ name: 'ghcr.io/acme/checkout', digest: { sha256: 'b'.repeat(64) } }],
        predicate: JSON.parse(bom.toString('utf8')) as unknown,
      }),
    );
    const stored = await ingestEvidence(request(attestation, { contentType: 'application/vnd.in-toto+json' }));
    expect(stored).toMatchObject({
      sha256: sha256Hex(attestation),
      stored: { sha256: sha256Hex(attestation) },
      summary: { format: 'cyclonedx', components: 2, licenses: { MIT: 2 }, attestation: { predicateType: 'https://cyclonedx.org/bom', signature: { status: 'unsigned' } } },
    });
    expect(fs.readFileSync(path.join(root, stored.storageKey))).toEqual(attestation);
  });

  it('stores only the sanitized bytes, addressed by their own digest; the identity stays the digest of the bytes sent', async () => {
    const laden = Buffer.from(JSON.stringify({ ...cyclonedx([{ name: 'a' }]), properties: [{ name: 'ci', value: `token ${FAKE_SECRETS.github}` }] }));
    const stored = await ingestEvidence(request(laden));
    const kept = fs.readFileSync(path.join(root, stored.storageKey));
    expect(kept.toString()).not.toContain(FAKE_SECRETS.github);
    expect(stored.stored).toEqual({ sha256: sha256Hex(kept), size: kept.length });
    expect(stored).toMatchObject({ sha256: sha256Hex(laden), size: laden.length });
    expect(stored.storageKey).toContain(sha256Hex(kept));
    expect(stored.sha256).not.toBe(stored.stored.sha256);
    expect(stored.redactions).toMatchObject({ count: 1, items: [{ kind: 'github-token', location: '/properties/0/value' }] });
  });

  it('answers 413 for a declared or an actual size over the limit, storing nothing', async () => {
    const before = blobCount();
    const declared = await problemOf(ingestEvidence(request(bom, { contentLength: 65 * 1024 * 1024 })));
    expect(declared.status).toBe(413);
    expect(declared.message).toBe('sbom evidence is limited to 64 MB; this upload is larger');
    const streamed = await problemOf(ingestEvidence(request(bom, { maxBytes: 100 })));
    expect(streamed.status).toBe(413);
    expect(blobCount()).toBe(before);
    expect(spoolLeft()).toEqual([]);
  });

  it('answers 415 for a media type the kind does not take', async () => {
    const wrong = await problemOf(ingestEvidence(request(bom, { contentType: 'application/yaml' })));
    expect(wrong.status).toBe(415);
    expect(wrong.message).toMatch(/sbom evidence .* is sent as application\/json, application\/vnd.cyclonedx\+json, .*, text\/plain, application\/vnd\.in-toto\+json, application\/vnd\.dsse\.envelope\.v1\+json; this request's Content-Type is "application\/yaml"/);
    expect((await problemOf(ingestEvidence(request(bom, { contentType: 'application/json; charset=latin1' })))).status).toBe(415);
    expect((await problemOf(ingestEvidence(request(bom, { contentType: null })))).status).toBe(415);
  });

  it('answers 422 for malformed, empty or missing documents, storing nothing', async () => {
    const before = blobCount();
    const truncated = bom.subarray(0, bom.length - 10);
    const malformed = await problemOf(ingestEvidence(request(truncated)));
    expect(malformed.status).toBe(422);
    expect(malformed.message).toMatch(/invalid JSON .* the document ends early/);
    expect((await problemOf(ingestEvidence(request(Buffer.alloc(0))))).message).toBe('the evidence file is empty');
    expect((await problemOf(ingestEvidence(request(null)))).message).toMatch(/no body/);
    expect(blobCount()).toBe(before);
    expect(spoolLeft()).toEqual([]);
  });

  it('works the same against S3-compatible storage', async () => {
    const stored = await ingestEvidence(request(bom, {}, s3.store));
    expect(stored).toMatchObject({ sha256: sha256Hex(bom), created: true });
    const chunks: Buffer[] = [];
    for await (const chunk of (await s3.store.get(stored.storageKey))!) chunks.push(Buffer.from(chunk as Buffer));
    expect(Buffer.concat(chunks)).toEqual(bom);
    expect(spoolLeft(s3.store)).toEqual([]);
  });
});
