import type { Readable } from 'node:stream';

/**
 * Object storage for evidence blobs (docs/architecture.md): files under `.data/blobs` by default, an
 * S3-compatible bucket in production. Keys are content addresses, so a stored object never
 * changes; `putFile` stores a finished file whole, so no reader ever sees a partial object.
 */
export interface BlobStore {
  readonly driver: 'filesystem' | 's3';
  /** Stores `file` under `key` unless the key exists already; `created` says which. */
  putFile(key: string, file: string, options: { size: number; contentType: string }): Promise<{ created: boolean }>;
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Readable | null>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A directory for upload spool files (for the filesystem driver, on the blobs' own filesystem). */
  readonly spoolDir: string;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are "segment/segment/..." of safe characters; no "..", no absolute paths. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  }
}

/** Where a workspace's evidence of a given digest lives: workspaces never share objects. */
export function evidenceKey(workspaceId: string, sha256: string): string {
  return `evidence/${workspaceId}/sha256/${sha256}`;
}
