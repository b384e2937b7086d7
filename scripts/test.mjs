#!/usr/bin/env node
// `npm test`: every test. Builds both targets once, runs vitest (unit + integration) on the
// embedded PostgreSQL (the product's default, started by the test run itself), again on the
// PostgreSQL server TEST_DATABASE_URL names, then the Playwright e2e suite in Chromium against
// the production builds (whose servers run their own embedded PostgreSQL).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(title, command, args, env = {}) {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${title}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (process.env.RP_SKIP_BUILD !== '1') {
  run('build runtime', process.execPath, ['scripts/build.mjs', 'runtime']);
  run('build public', process.execPath, ['scripts/build.mjs', 'public']);
}

const postgresUrl = process.env.TEST_DATABASE_URL;
// Tests of the build output, the packaging, the launcher's own database and the fault drills (which
// run a cluster of their own) do not depend on which PostgreSQL the run uses: once is enough.
const engineIndependent = ['deploy/**', 'e2e/faults/**', 'e2e/engine/**', 'db/migrations.test.ts', 'e2e/build/**', 'e2e/packaging/**'];
run('vitest on the embedded PostgreSQL', bin('vitest'), ['run'], { TEST_DATABASE_URL: '' });
if (postgresUrl) {
  const excludes = engineIndependent.flatMap((glob) => ['--exclude', glob]);
  run('vitest on the PostgreSQL server', bin('vitest'), ['run', ...excludes], { TEST_DATABASE_URL: postgresUrl });
} else if (process.env.CI) {
  console.error('CI must run the integration tests on a PostgreSQL server too: set TEST_DATABASE_URL.');
  process.exit(1);
} else {
  console.log('\n(TEST_DATABASE_URL is not set: the run on a PostgreSQL server is skipped. .ci/run sets it.)');
}
run('playwright e2e', bin('playwright'), ['test']);
