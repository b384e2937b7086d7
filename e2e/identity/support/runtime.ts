/**
 * The identity suite's own runtime server: the production build on this suite's port, with
 * sign-in configured (a real OIDC provider, a trusted proxy) and a database seeded before start
 * through the product's own data-access functions, on the data directory's embedded PostgreSQL
 * (started for the seeding and stopped before the server starts it again).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '@/db/client';
import type { RuntimeDb } from '@/db/runtime';
import * as schema from '@/db/schema/runtime';
import { embeddedPostgresDir, startEmbeddedPostgres } from '../../../scripts/embedded-postgres.mjs';
import { startTarget, type StartedServer } from '../../public/support/servers';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** A fresh data directory whose database `seed` fills before any server runs. */
export async function seededDataDir<T>(seed: (db: RuntimeDb) => Promise<T>): Promise<{ dataDir: string; seeded: T }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-identity-'));
  const embedded = await startEmbeddedPostgres(embeddedPostgresDir(dataDir, 'runtime'), { purpose: 'e2e seeding', log: () => {} });
  try {
    const opened = await openDatabase({ kind: 'runtime', schema, migrationsFolder: path.join(root, 'db/migrations/runtime'), url: embedded.url });
    try {
      return { dataDir, seeded: await seed(opened.db as RuntimeDb) };
    } finally {
      await opened.close();
    }
  } finally {
    await embedded.stop();
  }
}

export function startIdentityRuntime(port: number, dataDir: string, env: Record<string, string>): Promise<StartedServer> {
  return startTarget('runtime', port, { AUTH_SECRET: 'e2e-identity-session-secret-0123456789abcdef', ...env }, dataDir);
}

/** Waits until the server printed something matching `pattern` (the first-start link). */
export async function waitForOutput(server: StartedServer, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = server.output.join('').match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server did not print ${pattern}:\n${server.output.join('')}`);
}
