/**
 * The evidence_identity migration on rows written before it: the identity becomes the digest of
 * the bytes sent (the old received_sha256), the old stored digest moves to stored_sha256, and the
 * same sent bytes stored twice (sanitized differently by two versions) do not break the unique index.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationsFolderOf, scratchPostgresDatabase } from './testing/templates';

const folder = migrationsFolderOf('runtime');
const files = fs.readdirSync(folder).filter((file) => file.endsWith('.sql')).sort();
const target = files.findIndex((file) => file.endsWith('_evidence_identity.sql'));
const statements = (file: string) =>
  fs
    .readFileSync(path.join(folder, file), 'utf8')
    .split('--> statement-breakpoint')
    .map((statement) => statement.trim())
    .filter(Boolean);

let database: { url: string; drop(): Promise<void> };
let sql: postgres.Sql;

beforeAll(async () => {
  database = await scratchPostgresDatabase(process.env.TEST_DATABASE_URL!, `rp_test_identity_${process.pid}_${Date.now()}`);
  sql = postgres(database.url, { max: 1, onnotice: () => {} });
  for (const file of files.slice(0, target)) for (const statement of statements(file)) await sql.unsafe(statement);
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

it('moves the sent digest into sha256 and the stored one into stored_sha256', async () => {
  const hex = (c: string) => c.repeat(64);
  const [workspace] = await sql`insert into workspaces (slug, name) values ('acme', 'Acme') returning id`;
  const row = (sha256: string, received: string, createdAt: string) => ({
    workspace_id: workspace!.id as string,
    sha256,
    received_sha256: received,
    kind: 'sbom',
    media_type: 'application/json',
    size: 10,
    storage_key: `evidence/x/sha256/${sha256}`,
    summary: sql.json({}),
    collected_at: createdAt,
    created_at: createdAt,
  });
  await sql`insert into evidence ${sql([
    row(hex('a'), hex('a'), '2026-01-01T00:00:00Z'), // nothing redacted
    row(hex('b'), hex('c'), '2026-01-02T00:00:00Z'), // redacted: stored b, sent c
    row(hex('d'), hex('e'), '2026-01-03T00:00:00Z'), // sent e, sanitized by an older version to d...
    row(hex('f'), hex('e'), '2026-01-04T00:00:00Z'), // ...and by a newer one to f
  ])}`;
  expect(target).toBeGreaterThan(0);
  for (const statement of statements(files[target]!)) await sql.unsafe(statement);
  const rows = await sql`select sha256, stored_sha256, storage_key from evidence order by created_at`;
  expect(rows.map((item) => [item.sha256, item.stored_sha256])).toEqual([
    [hex('a'), hex('a')],
    [hex('c'), hex('b')],
    // The older copy keeps its stored digest as its name: one row per identity and kind.
    [hex('d'), hex('d')],
    [hex('e'), hex('f')],
  ]);
  expect(rows.map((item) => item.storage_key)).toEqual(['a', 'b', 'd', 'f'].map((c) => `evidence/x/sha256/${hex(c)}`));
  const columns = await sql`select column_name from information_schema.columns where table_name = 'evidence' and column_name in ('received_sha256', 'stored_sha256')`;
  expect(columns.map((column) => column.column_name)).toEqual(['stored_sha256']);
});
