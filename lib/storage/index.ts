/**
 * The configured object storage (docs/architecture.md):
 *   RP_STORAGE_DRIVER  filesystem (default) | s3
 *   RP_BLOB_DIR        filesystem root (default <RP_DATA_DIR>/blobs)
 *   RP_S3_BUCKET, RP_S3_ENDPOINT, RP_S3_REGION (us-east-1), RP_S3_PREFIX, RP_S3_FORCE_PATH_STYLE
 *   RP_S3_ACCESS_KEY_ID + RP_S3_SECRET_ACCESS_KEY (or RP_S3_SECRET_ACCESS_KEY_FILE); without them
 *   the AWS SDK's default credential chain (AWS_* variables, IRSA, instance roles).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FilesystemBlobStore } from './filesystem';
import { S3BlobStore } from './s3';
import type { BlobStore } from './types';
import { dataDir } from '@/lib/data-dir';

export type { BlobStore } from './types';
export { evidenceKey } from './types';

export function blobStoreFromEnv(env: Record<string, string | undefined> = process.env): BlobStore {
  const driver = env.RP_STORAGE_DRIVER ?? 'filesystem';
  if (driver === 'filesystem') {
    return new FilesystemBlobStore(path.resolve(/*turbopackIgnore: true*/ env.RP_BLOB_DIR ?? path.join(dataDir(env), 'blobs')));
  }
  if (driver === 's3') {
    const bucket = env.RP_S3_BUCKET;
    if (!bucket) throw new Error('RP_STORAGE_DRIVER=s3 needs RP_S3_BUCKET');
    const secret = env.RP_S3_SECRET_ACCESS_KEY ?? (env.RP_S3_SECRET_ACCESS_KEY_FILE ? fs.readFileSync(env.RP_S3_SECRET_ACCESS_KEY_FILE, 'utf8').trim() : undefined);
    const accessKeyId = env.RP_S3_ACCESS_KEY_ID;
    if (Boolean(accessKeyId) !== Boolean(secret)) {
      throw new Error('set both RP_S3_ACCESS_KEY_ID and RP_S3_SECRET_ACCESS_KEY (or neither, for the default AWS credential chain)');
    }
    return new S3BlobStore({
      bucket,
      endpoint: env.RP_S3_ENDPOINT || undefined,
      region: env.RP_S3_REGION ?? 'us-east-1',
      prefix: env.RP_S3_PREFIX ?? '',
      forcePathStyle: env.RP_S3_FORCE_PATH_STYLE ? env.RP_S3_FORCE_PATH_STYLE === 'true' || env.RP_S3_FORCE_PATH_STYLE === '1' : Boolean(env.RP_S3_ENDPOINT),
      credentials: accessKeyId && secret ? { accessKeyId, secretAccessKey: secret } : undefined,
    });
  }
  throw new Error(`RP_STORAGE_DRIVER is "${driver}"; use "filesystem" or "s3"`);
}

const holder = globalThis as { __rpBlobStore?: BlobStore };

/** The process-wide store, made from the environment on first use. */
export function getBlobStore(): BlobStore {
  return (holder.__rpBlobStore ??= blobStoreFromEnv());
}

/** Replaces the process-wide store (tests point it at their own directory or bucket). */
export function setBlobStore(store: BlobStore | undefined): void {
  holder.__rpBlobStore = store;
}
