/**
 * Owner separation, proven on the build output (docs/architecture.md, docs/security-model.md "Owner separation"):
 * the runtime build holds no public-only route, no Stripe code, no license signer and no owner
 * key; the public build holds no console, settings, account or /api/v1 route. Turbopack bundles
 * packages into chunks, so the whole output is searched for their code, not only node_modules.
 * Needs both builds (npm test makes them first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesContaining } from './search';
import { OWNER_ONLY_MARKERS } from './markers';

const root = path.resolve(import.meta.dirname, '..', '..');

function buildDir(target: 'runtime' | 'public'): string {
  const dir = path.join(root, `.next-${target}`);
  if (!fs.existsSync(path.join(dir, 'standalone', 'server.js'))) {
    throw new Error(`No ${target} build in ${dir}: run "npm run build${target === 'public' ? ':public' : ''}" first.`);
  }
  return dir;
}

/** Every route of a build: the App Router's and the Pages Router's (the public pages sent without React). */
function routesOf(target: 'runtime' | 'public'): string[] {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(buildDir(target), file), 'utf8')) as Record<string, string>;
  const pages = Object.keys(read('server/pages-manifest.json')).filter((route) => !['/_app', '/_document', '/_error'].includes(route));
  return [...Object.values(read('app-path-routes-manifest.json')), ...pages];
}

/** Paths of the standalone folder relative to it, skipping the traced node_modules' insides. */
function* filesUnderStandalone(dir: string, prefix = ''): Generator<string> {
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.posix.join(prefix, entry.name);
    if (entry.isDirectory() && relative !== 'node_modules') yield* filesUnderStandalone(dir, relative);
    else yield relative;
  }
}

/** Folders under `dir` (at any depth, symbolic links not followed) whose name is one of `names`. */
function foldersNamed(dir: string, names: readonly string[], prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const relative = path.posix.join(prefix, entry.name);
    if (names.includes(entry.name)) found.push(relative);
    else found.push(...foldersNamed(dir, names, relative));
  }
  return found;
}

const PUBLIC_ONLY_ROUTES = /^\/(portal|pricing|checkout|docs|download|changelog|status|security|trust|openapi\.json|api\/webhooks)(\/|$)/;
const RUNTIME_ONLY_ROUTES = /^\/(console|settings|account|invite|api\/v1)(\/|$)/;

describe('the runtime build (the customer package)', () => {
  it('has no public-only route in its route manifest', () => {
    const routes = routesOf('runtime');
    expect(routes).toContain('/console'); // the manifest is the right one
    expect(routes.filter((route) => PUBLIC_ONLY_ROUTES.test(route))).toEqual([]);
  });

  it('contains no stripe package, Stripe code, license signer or owner key anywhere in its output', () => {
    const dir = buildDir('runtime');
    expect(fs.existsSync(path.join(dir, 'standalone', 'node_modules', 'stripe'))).toBe(false);
    expect(filesContaining(dir, OWNER_ONLY_MARKERS)).toEqual([]);
  });

  it('ships no database: no .data folder from the machine that built it (the owner database least of all)', () => {
    expect(fs.existsSync(path.join(buildDir('runtime'), 'standalone', '.data'))).toBe(false);
  });

  it('ships only the runtime migrations', () => {
    const migrations = path.join(buildDir('runtime'), 'standalone', 'db', 'migrations');
    expect(fs.readdirSync(migrations)).toEqual(['runtime']);
  });
});

describe('the public build (the vendor site)', () => {
  it('has no console, settings, account or /api/v1 route', () => {
    const routes = routesOf('public');
    expect(routes).toContain('/pricing');
    expect(routes.filter((route) => RUNTIME_ONLY_ROUTES.test(route))).toEqual([]);
  });

  it('does contain the owner code the runtime must not (the search finds what it looks for)', () => {
    const hits = filesContaining(buildDir('public'), OWNER_ONLY_MARKERS);
    for (const marker of OWNER_ONLY_MARKERS) {
      expect(hits.some((hit) => hit.endsWith(`: ${marker}`)), marker).toBe(true);
    }
  });
});

describe('both builds', () => {
  it.each(['runtime', 'public'] as const)('the %s build carries no local data, secrets, sources or tests of the machine that built it', (target) => {
    const standalone = path.join(buildDir(target), 'standalone');
    const leaked = [...filesUnderStandalone(standalone)].filter(
      (file) => /^(\.data|\.cache|e2e|test-results|dist|\.env)(\/|$)/.test(file) || (/\.(ts|tsx)$/.test(file) && !file.startsWith('node_modules/') && !file.endsWith('.d.ts')),
    );
    expect(leaked).toEqual([]);
  });

  it.each(['runtime', 'public'] as const)('the %s build ships no image optimizer (sharp, @img/*), which nothing uses', (target) => {
    const standalone = path.join(buildDir(target), 'standalone');
    expect(fs.existsSync(path.join(standalone, 'node_modules', 'next'))).toBe(true); // the walk looks in the right place
    // Anywhere in the output, a nested node_modules included (next/node_modules/sharp would count too).
    expect(foldersNamed(standalone, ['sharp', '@img'])).toEqual([]);
  });
});
