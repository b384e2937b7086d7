/**
 * Test databases (one database per test file, cloned from a migrated template): one migrated
 * template database per kind on the run's PostgreSQL (TEST_DATABASE_URL, or the embedded one the
 * global setup started), and `CREATE DATABASE ... TEMPLATE` per test file.
 * Templates are keyed by a hash of the migrations, so a schema change makes new ones.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type DatabaseKind } from '../client';
import * as ownerSchema from '../schema/owner';
import * as runtimeSchema from '../schema/runtime';

export const KINDS: DatabaseKind[] = ['runtime', 'owner'];
const root = path.resolve(import.meta.dirname, '..', '..');

export function migrationsFolderOf(kind: DatabaseKind): string {
  return path.join(root, 'db', 'migrations', kind);
}

function schemaOf(kind: DatabaseKind): Record<string, unknown> {
  return kind === 'owner' ? ownerSchema : runtimeSchema;
}

function migrationsHash(kind: DatabaseKind): string {
  const hash = crypto.createHash('sha256');
  const folder = migrationsFolderOf(kind);
  for (const file of fs.readdirSync(folder, { recursive: true }).map(String).sort()) {
    const full = path.join(folder, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 12);
}

export function postgresTemplateName(kind: DatabaseKind): string {
  return `rp_tpl_${kind}_${migrationsHash(kind)}`;
}

/** Database URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + database;
  return parsed.toString();
}

export async function ensurePostgresTemplate(kind: DatabaseKind, adminUrl: string): Promise<string> {
  const { default: postgres } = await import('postgres');
  const name = postgresTemplateName(kind);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!existing) {
      // Build under a temporary name and rename, so a half-migrated template is never used.
      const building = `${name}_building_${process.pid}`;
      await admin.unsafe(`drop database if exists "${building}"`);
      await admin.unsafe(`create database "${building}"`);
      const opened = await openDatabase({
        kind,
        schema: schemaOf(kind),
        migrationsFolder: migrationsFolderOf(kind),
        url: withDatabase(adminUrl, building),
        maxConnections: 2,
      });
      await opened.close();
      await admin.unsafe(`alter database "${building}" rename to "${name}"`).catch(async (error) => {
        await admin.unsafe(`drop database if exists "${building}"`);
        if (!String(error).includes('already exists')) throw error;
      });
    }
    return name;
  } finally {
    await admin.end();
  }
}

/** A fresh copy of the template for one test file; returns where it is and how to remove it. */
export async function cloneTestDatabase(kind: DatabaseKind, adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const suffix = `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  return scratchPostgresDatabase(adminUrl, `rp_test_${kind}_${suffix}`, postgresTemplateName(kind));
}

/** A new Postgres database (optionally a copy of a template) and how to remove it. */
export async function scratchPostgresDatabase(adminUrl: string, name: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: postgres } = await import('postgres');
  const run = async (statement: string) => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(statement);
    } finally {
      await admin.end();
    }
  };
  await run(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  return { url: withDatabase(adminUrl, name), drop: () => run(`drop database if exists "${name}" with (force)`) };
}
