/**
 * `rp ... | head`: when the reader stops reading, rp finishes with its own exit code and no stack
 * trace (a deny or an invalid passport stays a failure under `set -o pipefail`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateRelease } from '@/lib/gate/evaluate';
import { EVALUATED_AT, evidence, inputs, policy, sbomSummary } from '@/lib/gate/testing';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '@/lib/passport/dsse';
import { generateSigningKey, privateKeyFromPem } from '@/lib/passport/keys';
import { buildPassport } from '@/lib/passport/statement';

const RP = path.resolve(import.meta.dirname, 'rp.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-closed-output-'));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function passportFiles(): { envelope: string; key: string; tampered: string } {
  const release = inputs({ evidence: [evidence('sbom', sbomSummary())] });
  const applied = policy('enforce', [{ id: 'sbom', type: 'sbom-present' }]);
  const passport = buildPassport(release, applied, evaluateRelease(release, applied, EVALUATED_AT), EVALUATED_AT);
  const key = generateSigningKey();
  const envelope = signEnvelope(Buffer.from(passport.payload), IN_TOTO_PAYLOAD_TYPE, { keyId: key.keyId, privateKey: privateKeyFromPem(key.privateKeyPem) });
  const files = { envelope: path.join(dir, 'passport.json'), key: path.join(dir, 'key.pem'), tampered: path.join(dir, 'tampered.json') };
  fs.writeFileSync(files.envelope, JSON.stringify(envelope));
  fs.writeFileSync(files.key, key.publicKeyPem);
  fs.writeFileSync(files.tampered, JSON.stringify({ ...envelope, payload: Buffer.from(passport.payload.replace('"enforce"', '"shadow"')).toString('base64') }));
  return files;
}

/** Runs rp with its standard output closed before it writes anything, as `| head -0` would leave it. */
function runWithClosedOutput(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [RP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('rp with a reader that stopped reading', () => {
  const files = passportFiles();

  it('exits with the command’s own code, 0 for a valid passport and 1 for an altered one, without a stack trace', async () => {
    const valid = await runWithClosedOutput(['verify', '--key', files.key, files.envelope]);
    expect(valid.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(valid.code).toBe(0);
    const altered = await runWithClosedOutput(['verify', '--json', '--key', files.key, files.tampered]);
    expect(altered.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(altered.code).toBe(1);
  }, 60_000);
});
