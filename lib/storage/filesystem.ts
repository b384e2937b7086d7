import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertValidKey, type BlobStore } from './types';

/**
 * Blobs as files: `<root>/<key>`, written read-only. A new object is hard-linked (or copied to a
 * temporary name and renamed) into place, so it appears whole or not at all.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly driver = 'filesystem' as const;
  readonly spoolDir: string;

  constructor(private readonly root: string) {
    this.spoolDir = path.join(root, '.spool');
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async putFile(key: string, file: string): Promise<{ created: boolean }> {
    const target = this.pathOf(key);
    if (await this.exists(key)) return { created: false };
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    try {
      await fs.promises.link(file, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return { created: false };
      // Another filesystem (EXDEV) or no hard links: copy under a temporary name, then rename.
      const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
      try {
        await fs.promises.copyFile(file, temporary);
        await fs.promises.rename(temporary, target);
      } finally {
        await fs.promises.rm(temporary, { force: true });
      }
    }
    await fs.promises.chmod(target, 0o440).catch(() => {});
    return { created: true };
  }

  async get(key: string): Promise<Readable | null> {
    const target = this.pathOf(key);
    try {
      const handle = await fs.promises.open(target, 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    const target = this.pathOf(key);
    try {
      await fs.promises.access(target);
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}
