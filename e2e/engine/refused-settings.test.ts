/**
 * A setting that cannot work stops the start of the runtime build before anything starts: the
 * launcher checks every setting with the server's own schema (lib/config/settings.ts, bundled
 * beside it), exits with EX_CONFIG (78), names each bad setting on the operator's terminal, and
 * creates nothing (no data directory, no embedded database).
 * Needs the runtime build (npm test builds it first).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_LAUNCHER } from '../support/runtime-server';
import { freePort } from '../support/ports';

async function start(env: Record<string, string>): Promise<{ code: number | null; output: string; created: boolean }> {
  // Its own data directory: the default (./.data beside the launcher) would be inside the build
  // output, which e2e/identity/build-output.test.ts requires to hold none.
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-refused-'));
  const dataDir = path.join(parent, 'data');
  const child = spawn(process.execPath, [RUNTIME_LAUNCHER], {
    cwd: path.dirname(RUNTIME_LAUNCHER),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RP_TARGET: 'runtime',
      PORT: String(await freePort()),
      RP_BIND: '127.0.0.1',
      AUTH_SECRET: 'e2e-refused-settings-secret-not-for-production',
      // No DATABASE_URL: a start that got past the settings would create the embedded database.
      DATABASE_URL: '',
      RP_DATA_DIR: dataDir,
      RP_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const created = fs.existsSync(dataDir);
  fs.rmSync(parent, { recursive: true, force: true });
  return { code, output, created };
}

describe('settings that cannot work (production build)', () => {
  it('an OIDC issuer over plain http on another machine: exit 78 naming the setting, nothing created', async () => {
    const { code, output, created } = await start({ RP_OIDC_ISSUER: 'http://idp.example.com', RP_OIDC_CLIENT_ID: 'release-passport' });
    expect(code, output).toBe(78);
    expect(output).toContain('rp-server: refusing to start: RP_OIDC_ISSUER must be an https URL (http only for localhost), got "http://idp.example.com".');
    expect(created, 'the data directory was created').toBe(false);
    expect(output).not.toContain('embedded PostgreSQL');
  }, 60_000);

  it('several wrong settings: each named, once, in one start', async () => {
    const { code, output, created } = await start({ RP_RATE_LIMIT_API: '1000000', DATABASE_POOL_SIZE: 'ten', RP_EMBEDDED_WORKER: 'disabled' });
    expect(code, output).toBe(78);
    const lines = output.split('\n').filter((line) => line.startsWith('rp-server: refusing to start: '));
    expect(lines, output).toEqual([
      'rp-server: refusing to start: DATABASE_POOL_SIZE must be a whole number of connections, from 1 to 1000, got "ten".',
      'rp-server: refusing to start: RP_RATE_LIMIT_API must be requests per window such as 600/60s (units ms, s, m, h), got "1000000".',
      'rp-server: refusing to start: RP_EMBEDDED_WORKER must be on or off (also true/false, 1/0, yes/no), got "disabled".',
    ]);
    expect(created).toBe(false);
  }, 60_000);
});
