/**
 * The CI gate path of the rp CLI (gate, evidence, verify, replay through the API) must not load
 * database code: CI machines have no database, and the gate must never start the embedded one.
 * Walks the real import graph (static and dynamic imports, type-only imports excluded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const DATABASE = [/^drizzle-orm/, /^postgres$/, /^db\//, /^scripts\/embedded-postgres/];
// The operator-only `rp replay --database` loads it on purpose, behind that flag.
const ALLOWED_EDGES = new Set(['cli/commands/replay.ts -> cli/support/replay-database.ts']);

function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = path.join(root, specifier.slice(2));
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*import\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/^\s*export\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function reachable(entry: string): { files: Set<string>; offending: string[] } {
  const files = new Set<string>();
  const offending: string[] = [];
  const queue = [path.join(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(file)) {
      const relative = specifier.startsWith('@/') ? specifier.slice(2) : specifier;
      if (DATABASE.some((pattern) => pattern.test(relative))) offending.push(`${path.relative(root, file)} imports ${specifier}`);
      const target = resolve(file, specifier);
      if (!target) continue;
      if (ALLOWED_EDGES.has(`${path.relative(root, file)} -> ${path.relative(root, target)}`)) continue;
      if (path.relative(root, target).startsWith('db/')) offending.push(`${path.relative(root, file)} imports ${specifier}`);
      queue.push(target);
    }
  }
  return { files, offending };
}

describe('the rp gate path', () => {
  it.each(['cli/commands/gate.ts', 'cli/commands/evidence.ts', 'cli/commands/verify.ts', 'cli/commands/replay.ts'])('%s loads no database code', (entry) => {
    const { files, offending } = reachable(entry);
    expect(files.size).toBeGreaterThan(3); // the walk follows imports
    expect(offending).toEqual([]);
  });

  it('the check notices database code when it is there', () => {
    expect(reachable('cli/support/replay-database.ts').offending.length).toBeGreaterThan(0);
  });
});
