import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from './filesystem';
import { startS3Server } from './testing';
import { blobStoreFromEnv } from './index';
import type { BlobStore } from './types';

async function text(stream: NodeJS.ReadableStream | null): Promise<string | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function tempFile(content: string): string {
  const file = path.join(os.tmpdir(), `rp-blob-${crypto.randomUUID()}`);
  fs.writeFileSync(file, content);
  return file;
}

let s3: Awaited<ReturnType<typeof startS3Server>>;
const fsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-blobs-'));

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(fsRoot, { recursive: true, force: true });
});

describe.each([
  ['filesystem', () => new FilesystemBlobStore(fsRoot) as BlobStore],
  ['s3 (against s3rver)', () => s3.store as BlobStore],
])('the %s driver', (_name, makeStore) => {
  it('stores a file once under its key and reads it back', async () => {
    const store = makeStore();
    const key = `evidence/ws-1/sha256/${crypto.randomBytes(32).toString('hex')}`;
    const file = tempFile('{"hello":"world"}');
    expect(await store.exists(key)).toBe(false);
    expect(await store.get(key)).toBeNull();
    expect(await store.putFile(key, file, { size: 17, contentType: 'application/json' })).toEqual({ created: true });
    expect(await store.putFile(key, file, { size: 17, contentType: 'application/json' })).toEqual({ created: false });
    fs.rmSync(file);
    expect(await store.exists(key)).toBe(true);
    expect(await text(await store.get(key))).toBe('{"hello":"world"}');
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await store.delete(key); // deleting again is fine
  });

  it('refuses keys that could escape their place', async () => {
    const store = makeStore();
    for (const key of ['../etc/passwd', '/abs', 'a//b', 'a/./b', '']) {
      await expect(store.exists(key)).rejects.toThrow(/invalid storage key/);
    }
  });
});

describe('configuration', () => {
  it('defaults to files under the data directory, and builds the S3 driver from its variables', () => {
    expect(blobStoreFromEnv({ RP_DATA_DIR: '/srv/rp' }).driver).toBe('filesystem');
    expect(blobStoreFromEnv({ RP_STORAGE_DRIVER: 's3', RP_S3_BUCKET: 'b', RP_S3_ENDPOINT: 'http://127.0.0.1:9' }).driver).toBe('s3');
    expect(() => blobStoreFromEnv({ RP_STORAGE_DRIVER: 's3' })).toThrow(/RP_S3_BUCKET/);
    expect(() => blobStoreFromEnv({ RP_STORAGE_DRIVER: 's3', RP_S3_BUCKET: 'b', RP_S3_ACCESS_KEY_ID: 'x' })).toThrow(/both/);
    expect(() => blobStoreFromEnv({ RP_STORAGE_DRIVER: 'ftp' })).toThrow(/"ftp"/);
  });
});
