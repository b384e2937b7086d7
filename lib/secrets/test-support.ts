/** Shared set-up of the secrets tests: a clean store, a data directory, key material, workspaces. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { workspaces } from '@/db/schema/runtime';
import { configureSecrets } from './config';
import type { SecretActor } from './audit';
import type { Environment } from './keys';

export const ADMIN: SecretActor = { type: 'user', id: 'u-admin', label: 'admin@example.test' };
export const SYSTEM: SecretActor = { type: 'system', label: 'Release Passport' };

export function temporaryDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rp-secrets-'));
}

export function randomKeyBase64(): string {
  return crypto.randomBytes(32).toString('base64');
}

/** Points the secrets layer at `env` (on top of a fresh data directory) and empties the database store. */
export async function setUpSecrets(env: Environment, target: 'runtime' | 'public' = 'runtime'): Promise<string> {
  const dataDir = env.RP_DATA_DIR ?? temporaryDirectory();
  configureSecrets({ target, env: { RP_DATA_DIR: dataDir, ...env } });
  if (target === 'runtime') {
    const db = await getRuntimeDb();
    await db.execute(sql`delete from secrets`);
    await db.execute(sql`delete from secret_store`);
  }
  return dataDir;
}

export async function createWorkspace(slug: string): Promise<{ id: string; slug: string }> {
  const db = await getRuntimeDb();
  const [row] = await db.insert(workspaces).values({ slug, name: slug }).returning({ id: workspaces.id, slug: workspaces.slug });
  return row!;
}
