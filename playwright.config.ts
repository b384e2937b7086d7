// Spec files import server modules marked 'server-only' (scripts/server-only-hooks.mjs says why).
import './scripts/server-only-outside-next.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { PUBLIC_PORT, PUBLIC_URL, RUNTIME_PORT, RUNTIME_URL } from './e2e/support/servers';

// Both targets run from their production builds (npm test builds them first), each on its own
// fresh embedded database, exactly as `npm start` runs them.
const dataRoot = path.resolve('.cache/e2e');
// Only in the runner's main process: workers load this file too, after the servers started, and
// must not delete the databases under them.
if (!process.env.E2E_KEEP_DATA && process.env.TEST_WORKER_INDEX === undefined) fs.rmSync(dataRoot, { recursive: true, force: true });

function server(target: 'runtime' | 'public', port: number, url: string) {
  return {
    command: `node scripts/start.mjs ${target}`,
    url: `${url}/api/ready`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe' as const,
    env: {
      PORT: String(port),
      RP_DATA_DIR: path.join(dataRoot, target),
      AUTH_SECRET: 'e2e-only-session-secret-not-for-production-use',
    },
  };
}

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 30_000,
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: [server('runtime', RUNTIME_PORT, RUNTIME_URL), server('public', PUBLIC_PORT, PUBLIC_URL)],
});
