/**
 * Opening the runtime database from the CLI: DATABASE_URL, which cli/support/embedded-database.ts
 * points at the embedded PostgreSQL when none is set (the running server's, shared with it).
 */
import os from 'node:os';
import type { RuntimeDb } from '@/db/runtime';
import type { AuditContext } from '@/lib/audit/event';

export async function withRuntimeDb<T>(run: (db: RuntimeDb) => Promise<T>): Promise<T> {
  const { runtimeDatabase } = await import('@/db/runtime');
  const opened = await runtimeDatabase.open();
  try {
    return await run(opened.db);
  } finally {
    await runtimeDatabase.close();
  }
}

/** Who the audit log names for CLI changes: the operator's account on this machine. */
export function operatorAudit(command: string): AuditContext {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { actor: { type: 'operator', label: `rp ${command} (${user}@${os.hostname()})` } };
}

/** Reads a secret from a file or stdin, never from the command line (it would show in `ps`). */
export async function readSecretInput(options: { passwordFile?: string; passwordStdin?: boolean }): Promise<string | null> {
  if (options.passwordFile) {
    (await import('../support/api')).assertReadableFile(options.passwordFile, '--password-file');
    const fs = await import('node:fs');
    return fs.readFileSync(options.passwordFile, 'utf8').replace(/\r?\n$/, '');
  }
  if (options.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  return null;
}

export function parseDuration(value: string): number {
  const match = /^(\d+)\s*(h|d)$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration: use hours or days, e.g. 12h, 30d.`);
  return Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 86_400_000);
}

export function csv(value: string | undefined): string[] | null {
  if (!value) return null;
  const list = value.split(',').map((item) => item.trim()).filter(Boolean);
  return list.length ? list : null;
}
