/**
 * A real S3-compatible server for tests (s3rver, from the npm registry), on an ephemeral port,
 * with its objects in a temporary directory, and an S3BlobStore pointed at it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3BlobStore } from './s3';

export async function startS3Server(bucket = 'evidence'): Promise<{ store: S3BlobStore; endpoint: string; directory: string; stop(): Promise<void> }> {
  const { default: S3rver } = await import('s3rver');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const store = new S3BlobStore({
    bucket,
    endpoint,
    region: 'us-east-1',
    prefix: 'rp/',
    forcePathStyle: true,
    // s3rver's fixed development credentials; it checks the SigV4 signature made with them.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    spoolDir: path.join(directory, '.spool'),
  });
  return {
    store,
    endpoint,
    directory,
    stop: async () => {
      store.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
