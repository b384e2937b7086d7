import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { nodeProxyAgent, type EgressProxy } from '@/lib/http/egress-proxy';
import { assertValidKey, type BlobStore } from './types';

export interface S3Options {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2...); unset for AWS S3 itself. */
  endpoint?: string;
  region: string;
  /** Key prefix inside the bucket ("release-passport/"). */
  prefix: string;
  forcePathStyle: boolean;
  /** Static credentials; without them the SDK's default chain applies (env, IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  spoolDir?: string;
  /** The egress proxy (settings), used unless NO_PROXY exempts the bucket's host. */
  proxy?: EgressProxy | null;
}

/**
 * The bucket's address, which decides the proxy against NO_PROXY: the endpoint, or AWS's
 * virtual-hosted (or path-style) address. The SDK uses Node's http agents, not undici's.
 */
function bucketAddress(options: S3Options): URL {
  return new URL(options.endpoint ?? `https://${options.forcePathStyle ? '' : `${options.bucket}.`}s3.${options.region}.amazonaws.com`);
}

/**
 * Blobs in an S3-compatible bucket. PutObject is atomic on every S3 implementation: the object
 * exists whole once the call succeeds, and not at all before.
 */
export class S3BlobStore implements BlobStore {
  readonly driver = 's3' as const;
  readonly spoolDir: string;
  private readonly client: S3Client;

  constructor(private readonly options: S3Options) {
    this.spoolDir = options.spoolDir ?? path.join(os.tmpdir(), 'release-passport-spool');
    const agent = nodeProxyAgent(bucketAddress(options), options.proxy ?? null);
    this.client = new S3Client({
      ...(agent ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {}),
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Plain signed PUTs with a Content-Length: what every S3-compatible server understands
      // (the newer streaming-checksum trailers are not universally supported).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(key: string): string {
    assertValidKey(key);
    return this.options.prefix + key;
  }

  async putFile(key: string, file: string, options: { size: number; contentType: string }): Promise<{ created: boolean }> {
    if (await this.exists(key)) return { created: false };
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.keyOf(key),
        Body: fs.createReadStream(file),
        ContentLength: options.size,
        ContentType: options.contentType,
      }),
    );
    return { created: true };
  }

  async get(key: string): Promise<Readable | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
      return (response.Body as Readable | undefined) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
  }

  destroy(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey';
  }
  return false;
}
