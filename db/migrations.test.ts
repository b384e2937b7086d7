/**
 * The committed migrations describe the schema exactly: drizzle-kit, run against a copy of them,
 * finds nothing to add. A schema edit without `npm run db:generate` fails here, not in production.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
// drizzle-kit resolves `out` against the working directory, so the copy lives inside the repository.
fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
const work = fs.mkdtempSync(path.join(root, '.cache', 'migration-drift-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it.each(['runtime', 'owner'] as const)('the %s migrations match db/schema', (kind) => {
  const out = path.join(work, kind);
  fs.cpSync(path.join(root, 'db', 'migrations', kind), out, { recursive: true });
  const config = path.join(work, `drizzle.${kind}.config.json`);
  fs.writeFileSync(config, JSON.stringify({ dialect: 'postgresql', schema: `./db/schema/${kind}.ts`, out: path.relative(root, out) }));
  const before = fs.readdirSync(out).sort();
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'drizzle-kit'), ['generate', '--config', config, '--name', 'drift'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  expect(`${result.stdout}${result.stderr}`).toContain('No schema changes');
  expect(fs.readdirSync(out).sort(), `db/schema/${kind}.ts changed without a migration: run npm run db:generate`).toEqual(before);
}, 60_000);
