/**
 * vitest globalSetup: the database server of the run, and the migrated templates made once.
 * TEST_DATABASE_URL names a PostgreSQL server to use; without it the run starts the product's own
 * embedded PostgreSQL (scripts/embedded-postgres.mjs) in .cache/, so `npm test` on a fresh machine
 * needs no database server, and stops it at the end. Test files inherit TEST_DATABASE_URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensurePostgresTemplate, KINDS } from './templates';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  let stop: (() => Promise<void>) | undefined;
  if (!process.env.TEST_DATABASE_URL) {
    const { startEmbeddedPostgres } = await import('../../scripts/embedded-postgres.mjs');
    const dir = path.resolve(import.meta.dirname, '..', '..', '.cache', 'test-db', `embedded-${process.pid}`);
    const cluster = await startEmbeddedPostgres(dir, {
      purpose: 'vitest',
      log: () => {},
      // Throwaway data: durability settings off make the run faster, nothing else changes.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    process.env.TEST_DATABASE_URL = cluster.url;
    process.env.RP_TEST_DATABASE_ENGINE = 'embedded';
    stop = async () => {
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  for (const kind of KINDS) await ensurePostgresTemplate(kind, process.env.TEST_DATABASE_URL!);
  return stop;
}
