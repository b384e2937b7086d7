/**
 * The configured object storage (docs/architecture.md):
 *   RP_STORAGE_DRIVER  filesystem (default) | s3
 *   RP_BLOB_DIR        filesystem root (default <RP_DATA_DIR>/blobs)
 *   RP_S3_BUCKET, RP_S3_ENDPOINT, RP_S3_REGION (us-east-1), RP_S3_PREFIX, RP_S3_FORCE_PATH_STYLE
 *   RP_S3_ACCESS_KEY_ID + RP_S3_SECRET_ACCESS_KEY (or RP_S3_SECRET_ACCESS_KEY_FILE); without them
 *   the AWS SDK's default credential chain (AWS_* variables, IRSA, instance roles).
 */
import fs from 'node:fs';
import { FilesystemBlobStore } from './filesystem';
import { S3BlobStore } from './s3';
import type { BlobStore } from './types';
import { settings } from '@/lib/config/settings';

export type { BlobStore } from './types';
export { evidenceKey } from './types';

/** The store the settings name (lib/config/settings.ts); the S3 secret key is read here, where it is used. */
export function blobStoreFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): BlobStore {
  const { storage, egressProxy } = settings(env);
  const { driver, blobDir, s3 } = storage;
  if (driver === 'filesystem') return new FilesystemBlobStore(blobDir);
  const secret = env.RP_S3_SECRET_ACCESS_KEY || (env.RP_S3_SECRET_ACCESS_KEY_FILE ? fs.readFileSync(env.RP_S3_SECRET_ACCESS_KEY_FILE, 'utf8').trim() : undefined);
  if (Boolean(s3.accessKeyId) !== Boolean(secret)) {
    throw new Error('set both RP_S3_ACCESS_KEY_ID and RP_S3_SECRET_ACCESS_KEY (or neither, for the default AWS credential chain)');
  }
  return new S3BlobStore({
    bucket: s3.bucket!,
    endpoint: s3.endpoint ?? undefined,
    region: s3.region,
    prefix: s3.prefix,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.accessKeyId && secret ? { accessKeyId: s3.accessKeyId, secretAccessKey: secret } : undefined,
    proxy: egressProxy,
  });
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
