/**
 * Object storage behind the egress proxy: the S3 client (the AWS SDK, on Node's own http agents)
 * sends through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY exempts the bucket's host, against a real
 * S3-compatible server (s3rver) and a real forward proxy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProxy, type TestProxy } from '@/lib/testing/connect-proxy';
import { blobStoreFromEnv } from './index';
import { S3BlobStore } from './s3';
import { startS3Server } from './testing';

let s3: Awaited<ReturnType<typeof startS3Server>>;
let proxy: TestProxy;

beforeAll(async () => {
  s3 = await startS3Server();
  proxy = await startTestProxy();
});

afterAll(async () => {
  await proxy.close();
  await s3.stop();
});

function storeVia(env: Record<string, string>): S3BlobStore {
  const store = blobStoreFromEnv({
    RP_STORAGE_DRIVER: 's3',
    RP_S3_BUCKET: 'evidence',
    RP_S3_ENDPOINT: s3.endpoint,
    RP_S3_PREFIX: 'rp/',
    RP_S3_ACCESS_KEY_ID: 'S3RVER',
    RP_S3_SECRET_ACCESS_KEY: 'S3RVER',
    ...env,
  });
  expect(store).toBeInstanceOf(S3BlobStore);
  return store as S3BlobStore;
}

async function roundTrip(store: S3BlobStore, key: string): Promise<string> {
  const file = path.join(s3.directory, `${key}.upload`);
  fs.writeFileSync(file, `evidence ${key}`);
  await store.putFile(key, file, { size: fs.statSync(file).size, contentType: 'text/plain' });
  const stream = await store.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('object storage behind an egress proxy', () => {
  it('goes through HTTP_PROXY to an http endpoint, storing and reading as before', async () => {
    const store = storeVia({ HTTP_PROXY: proxy.url });
    try {
      expect(await roundTrip(store, 'through-proxy')).toBe('evidence through-proxy');
    } finally {
      store.destroy();
    }
    const host = new URL(s3.endpoint).host;
    expect(proxy.forwarded).toContainEqual(expect.stringMatching(new RegExp(`^PUT http://${host.replace(/\./g, '\\.')}/evidence/rp/through-proxy`)));
    expect(proxy.forwarded).toContainEqual(expect.stringMatching(new RegExp(`^GET http://${host.replace(/\./g, '\\.')}/evidence/rp/through-proxy`)));
  });

  it('goes direct when NO_PROXY names the endpoint, or when only an https proxy is set for an http endpoint', async () => {
    const before = proxy.forwarded.length + proxy.tunnelled.length;
    const settings: Array<Record<string, string>> = [{ HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' }, { HTTPS_PROXY: proxy.url }];
    for (const env of settings) {
      const store = storeVia(env);
      try {
        expect(await roundTrip(store, `direct-${Object.keys(env).length}`)).toContain('evidence direct');
      } finally {
        store.destroy();
      }
    }
    expect(proxy.forwarded.length + proxy.tunnelled.length).toBe(before);
  });
});
