/**
 * A setting that cannot work stops the start of the runtime build, before it serves anything: the
 * launcher exits with EX_CONFIG (78) instead of starting the server again and again, the operator's
 * terminal gets one plain line naming the setting, and the log a fatal JSON line.
 * Needs the runtime build (npm test builds it first).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_LAUNCHER } from '../support/runtime-server';
import { freePort } from '../support/ports';

async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // Its own data directory: the default (./.data beside the launcher) would be inside the build
  // output, which e2e/identity/build-output.test.ts requires to hold none.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-refused-'));
  const child = spawn(process.execPath, [RUNTIME_LAUNCHER], {
    cwd: path.dirname(RUNTIME_LAUNCHER),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RP_TARGET: 'runtime',
      PORT: String(await freePort()),
      RP_BIND: '127.0.0.1',
      AUTH_SECRET: 'e2e-refused-settings-secret-not-for-production',
      // Nothing listens here: the refusal has to come before the database is needed.
      DATABASE_URL: 'postgres://rp@127.0.0.1:1/rp',
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
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { code, output };
}

describe('settings that cannot work (production build)', () => {
  it('an OIDC issuer over plain http on another machine: exit 78 naming the setting, once, no restart loop', async () => {
    const { code, output } = await start({ RP_OIDC_ISSUER: 'http://idp.example.com', RP_OIDC_CLIENT_ID: 'release-passport' });
    expect(code, output).toBe(78);
    expect(output).toContain('rp-server: refusing to start: RP_OIDC_ISSUER must be an https URL (http only for localhost): got "http://idp.example.com".');
    const fatal = output.split('\n').filter((line) => line.startsWith('{') && line.includes('"level":60'));
    expect(fatal, output).toHaveLength(1);
    expect(JSON.parse(fatal[0]!)).toMatchObject({ exitCode: 78, msg: expect.stringContaining('RP_OIDC_ISSUER') });
    expect(output).toContain('refusing a setting; stopping');
    expect(output).not.toContain('starting another');
  }, 60_000);
});
