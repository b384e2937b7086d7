/**
 * Upload spool files: an upload is streamed to `<spoolDir>/<host>.<pid>.<uuid>.upload` and the
 * file is removed when the upload ends, whatever happened. A process killed mid-upload (kill -9,
 * OOM, power) cannot remove its own, so every server sweeps the spool at start: files of dead
 * processes of this host, files of an earlier process that had our pid (a restarted container),
 * and any file nobody has written to for longer than a live upload can stay idle (other hosts
 * sharing the volume).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A live upload writes as bytes arrive; one idle this long is dead (Node's request timeout is 5 min). */
const STALE_MS = 15 * 60_000;
const NAME = /^(?<host>[A-Za-z0-9_-]+)\.(?<pid>\d+)\.[0-9a-f-]{36}\.upload(?:\.sanitized)?$/;

const hostTag = () => os.hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'host';

export function spoolFileName(spoolDir: string): string {
  return path.join(spoolDir, `${hostTag()}.${process.pid}.${crypto.randomUUID()}.upload`);
}

/** Removes spool files no live upload owns; returns what was removed (names and bytes). */
export async function sweepSpool(spoolDir: string, options: { now?: number; processStartedAt?: number } = {}): Promise<{ files: number; bytes: number }> {
  const now = options.now ?? Date.now();
  const processStartedAt = options.processStartedAt ?? now - process.uptime() * 1000;
  let names: string[];
  try {
    names = await fs.promises.readdir(spoolDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
    throw error;
  }
  const removed = { files: 0, bytes: 0 };
  for (const name of names) {
    const file = path.join(spoolDir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    if (!isAbandoned(name, stat.mtimeMs, now, processStartedAt)) continue;
    await fs.promises.rm(file, { force: true });
    removed.files++;
    removed.bytes += stat.size;
  }
  return removed;
}

function isAbandoned(name: string, modifiedAt: number, now: number, processStartedAt: number): boolean {
  if (now - modifiedAt > STALE_MS) return true;
  const owner = NAME.exec(name)?.groups;
  if (!owner || owner.host !== hostTag()) return false;
  const pid = Number(owner.pid);
  // Our own pid: a file from before this process started belongs to an earlier process.
  if (pid === process.pid) return modifiedAt < processStartedAt;
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
