/**
 * The public target's store: one JSON file of envelopes (`secrets.enc`), installation-level only.
 * Every change is read-modify-write under a lock file, written to a temporary file, flushed and
 * renamed over the old one, so a crash or a failed write leaves the previous file intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SecretError } from './errors';
import type { SecretScope } from './cipher';
import type { EntryInfo, SecretBackend, StoredEntry } from './backend';

const FILE_FORMAT = 'release-passport/secrets-file/1';

const fileSchema = z.object({
  format: z.literal(FILE_FORMAT),
  keyId: z.string(),
  kdf: z.object({ algorithm: z.literal('pbkdf2-sha256'), salt: z.string(), iterations: z.number().int() }).nullable(),
  rotatedAt: z.string().nullable().default(null),
  entries: z.record(
    z.string(),
    z.object({
      ciphertext: z.string(),
      keyId: z.string(),
      version: z.number().int(),
      createdAt: z.string(),
      updatedAt: z.string(),
      updatedBy: z.string().nullable(),
    }),
  ),
});
type SecretsFile = z.infer<typeof fileSchema>;

export function fileBackend(file: string): SecretBackend {
  const read = (): SecretsFile | null => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new SecretError('unreadable', `The encrypted secrets file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
    }
    try {
      return fileSchema.parse(JSON.parse(text));
    } catch {
      throw new SecretError('tampered', `The encrypted secrets file ${file} is not in the expected format.`);
    }
  };
  const write = (data: SecretsFile) => writeAtomically(file, JSON.stringify(data, null, 2) + '\n');
  const only = (scope: SecretScope) => {
    if (scope.kind !== 'installation') {
      throw new SecretError('unsupported', 'The encrypted file holds installation-level secrets only; workspace secrets live in the runtime database.');
    }
  };
  const info = (entryPath: string, entry: SecretsFile['entries'][string]): StoredEntry => ({
    path: entryPath,
    ciphertext: entry.ciphertext,
    keyId: entry.keyId,
    version: entry.version,
    createdAt: new Date(entry.createdAt),
    updatedAt: new Date(entry.updatedAt),
    updatedBy: entry.updatedBy,
  });

  return {
    kind: 'file',
    description: `encrypted file ${file}`,
    async getMeta() {
      const data = read();
      return data ? { keyId: data.keyId, kdf: data.kdf } : null;
    },
    async initMeta(meta) {
      return withLock(file, () => {
        const data = read();
        if (data) return { keyId: data.keyId, kdf: data.kdf };
        write({ format: FILE_FORMAT, keyId: meta.keyId, kdf: meta.kdf, rotatedAt: null, entries: {} });
        return meta;
      });
    },
    async get(scope, entryPath) {
      only(scope);
      const entry = read()?.entries[entryPath];
      return entry ? info(entryPath, entry) : null;
    },
    async put(scope, entryPath, ciphertext, keyId, actorLabel) {
      only(scope);
      return withLock(file, () => {
        const data = read();
        if (!data) throw new SecretError('unsupported', `The encrypted secrets file ${file} is not initialized.`);
        const now = new Date().toISOString();
        const previous = data.entries[entryPath];
        const version = (previous?.version ?? 0) + 1;
        data.entries[entryPath] = { ciphertext, keyId, version, createdAt: previous?.createdAt ?? now, updatedAt: now, updatedBy: actorLabel };
        write(data);
        return { version };
      });
    },
    async remove(scope, entryPath) {
      only(scope);
      return withLock(file, () => {
        const data = read();
        if (!data?.entries[entryPath]) return false;
        delete data.entries[entryPath];
        write(data);
        return true;
      });
    },
    async list(scope): Promise<EntryInfo[]> {
      only(scope);
      const data = read();
      if (!data) return [];
      return Object.keys(data.entries)
        .sort()
        .map((entryPath) => {
          const { ciphertext: _ciphertext, ...rest } = info(entryPath, data.entries[entryPath]!);
          return rest;
        });
    },
    async rotate(plan, afterReseal) {
      return withLock(file, async () => {
        const data = read();
        const rotation = await plan(data ? { keyId: data.keyId, kdf: data.kdf } : null);
        const entries: SecretsFile['entries'] = {};
        for (const [entryPath, entry] of Object.entries(data?.entries ?? {})) {
          entries[entryPath] = { ...entry, keyId: rotation.meta.keyId, ciphertext: rotation.reseal(info(entryPath, entry), { kind: 'installation' }) };
        }
        const count = Object.keys(entries).length;
        if (afterReseal) await afterReseal(count, null);
        write({ format: FILE_FORMAT, keyId: rotation.meta.keyId, kdf: rotation.meta.kdf, rotatedAt: new Date().toISOString(), entries });
        return count;
      });
    },
  };
}

/** Temporary file, fsync, rename: readers see the old file or the new one, never half of one. */
export function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(temporary, 'w', 0o600);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    try {
      if (fs.statSync(temporary).isFile()) fs.rmSync(temporary);
    } catch {
      // nothing was written
    }
    throw new SecretError('unreadable', `Writing ${file} failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); the previous file is unchanged.`);
  }
}

const LOCK_WAIT_MS = 10_000;

/** A lock file holding the owner's pid; a lock left by a dead process is taken over. */
async function withLock<T>(file: string, work: () => T | Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lock, 'utf8').trim() || 0);
      if (!holder || !processAlive(holder)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new SecretError('unreadable', `${file} is locked by process ${holder}.`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
