/**
 * The canary: one recognizable secret value, placed in every source (environment, file,
 * installation store, workspace store), then every path that shows, logs, audits or reports a
 * secret is exercised and searched for it. It must appear nowhere but where a caller explicitly
 * reveals it. The e2e canary (e2e/secrets) does the same through pages, API bodies and exports.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { cloneTestDatabase } from '@/db/testing/templates';
import { configureSecrets } from './config';
import {
  installationSecretsStatus,
  listStoredSecrets,
  resolveInstallationSecret,
  resolveSecret,
  secretProblem,
  secretReferenceStatus,
  secretStoreStatus,
  SecretError,
  writeSecret,
} from './index';
import { ADMIN, createWorkspace, randomKeyBase64, temporaryDirectory, setUpSecrets } from './test-support';

const CANARY = `rp-canary-${crypto.randomBytes(12).toString('hex')}`;
/** The canary as it could leak in encoded form too. */
const FORMS = [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(CANARY).toString('base64url'), Buffer.from(CANARY).toString('hex')];

function expectNoCanary(text: string, where: string) {
  for (const form of FORMS) expect(text.includes(form), `the canary leaked into ${where}`).toBe(false);
}

afterAll(() => configureSecrets());

describe('the canary secret', () => {
  it('appears in no status, list, error, audit event, log line or serialization', async () => {
    const output: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void output.push(args.map((a) => inspect(a)).join(' '))),
    );
    try {
      const dir = temporaryDirectory();
      const canaryFile = path.join(dir, 'canary');
      fs.writeFileSync(canaryFile, CANARY + '\n');
      await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), RP_OIDC_CLIENT_SECRET: CANARY, RP_AUTH_PROXY_SECRET_FILE: canaryFile });
      const workspace = await createWorkspace('canary');
      await writeSecret('store:oidc/client-secret', CANARY, { workspace: null, actor: ADMIN });
      await writeSecret('store:production/token', CANARY, { workspace, actor: ADMIN });

      const seen: unknown[] = [];
      // Reads: the value is there only through reveal().
      const values = [
        await resolveInstallationSecret('oidc.clientSecret'),
        await resolveInstallationSecret('proxy.sharedSecret'),
        await resolveSecret('store:oidc/client-secret', { flow: { purpose: 'system', environment: null }, actor: ADMIN }),
        await resolveSecret('store:production/token', { workspace, flow: { purpose: 'connector', environment: 'production' }, actor: ADMIN }),
      ];
      for (const value of values) {
        expect(value!.reveal()).toBe(CANARY);
        seen.push(JSON.stringify({ value }), inspect(value), `${value}`, String(value), inspect({ nested: { value } }, { depth: 5 }));
        console.log('resolved', value);
      }

      // Status and listing.
      seen.push(JSON.stringify(await installationSecretsStatus()));
      seen.push(JSON.stringify(await secretReferenceStatus('store:production/token', { workspace })));
      seen.push(JSON.stringify(await secretReferenceStatus(`file:${canaryFile}`)));
      seen.push(JSON.stringify(await secretStoreStatus()));
      seen.push(JSON.stringify(await listStoredSecrets({ workspace })), JSON.stringify(await listStoredSecrets({})));

      // Errors: denied, tampered, not set; and their problem+json form.
      const errors: unknown[] = [];
      errors.push(await resolveSecret('store:production/token', { workspace, flow: { purpose: 'connector', environment: 'dev' }, actor: ADMIN }).catch((e: unknown) => e));
      const db = await getRuntimeDb();
      await db.execute(sql`update secrets set ciphertext = ciphertext || 'x' where path = 'production/token'`);
      errors.push(await resolveSecret('store:production/token', { workspace, flow: { purpose: 'connector', environment: 'production' }, actor: ADMIN }).catch((e: unknown) => e));
      // A value pasted where a reference belongs is not quoted back.
      errors.push(await resolveSecret(CANARY, { flow: { purpose: 'system', environment: null }, actor: ADMIN }).catch((e: unknown) => e));
      errors.push(await resolveSecret(`env:${CANARY.replace(/-/g, '_')}_X`, { flow: { purpose: 'system', environment: null }, actor: ADMIN }).catch((e: unknown) => e));
      for (const error of errors) {
        expect(error).toBeInstanceOf(SecretError);
        seen.push(inspect(error), (error as Error).message, (error as Error).stack ?? '', JSON.stringify(secretProblem(error as SecretError)));
      }

      // The database: audit events and the stored rows.
      const audit = await db.execute(sql`select * from audit_events`);
      const stored = await db.execute(sql`select * from secrets`);
      seen.push(JSON.stringify(audit), JSON.stringify(stored));
      expect(JSON.stringify(audit)).toContain('secret.read');

      expectNoCanary(seen.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n'), 'a status, list, error or database row');
      expectNoCanary(output.join(''), 'the process output');
    } finally {
      for (const spy of [...spies, ...consoleSpies]) spy.mockRestore();
    }
  });

  it('appears in no output of the rp CLI, including its public-target audit lines', async () => {
    const clone = await cloneTestDatabase('runtime', process.env.TEST_DATABASE_URL!);
    const dataDir = temporaryDirectory();
    try {
      const env = {
        ...process.env,
        RP_DATA_DIR: dataDir,
        RP_SECRETS_KEY: randomKeyBase64(),
        RP_OIDC_CLIENT_SECRET: CANARY,
        CANARY_VALUE: CANARY,
        DATABASE_URL: clone.url,
      };
      const rp = (args: string[], input?: string) => {
        const result = spawnSync(process.execPath, [path.resolve('cli/rp.mjs'), ...args], { env, input, encoding: 'utf8', timeout: 60_000 });
        return { status: result.status, text: `${result.stdout}\n${result.stderr}` };
      };
      const runs = [
        rp(['secrets', 'set', 'store:oidc/client-secret'], CANARY + '\n'),
        rp(['secrets', 'set', '--target', 'public', '--from-env', 'CANARY_VALUE', 'store:stripe/secret-key']),
        rp(['secrets', 'list']),
        rp(['secrets', 'list', '--target', 'public']),
        rp(['secrets', 'get-status', 'store:oidc/client-secret']),
        rp(['secrets', 'rotate-key', '--target', 'public', '--generate', '--new-key-file', path.join(dataDir, 'public-next.key')]),
      ];
      expect(runs.map((run) => run.status), runs.map((run) => run.text).join('\n---\n')).toEqual([0, 0, 0, 0, 0, 0]);
      expect(runs[2]!.text).toContain('store:oidc/client-secret');
      expect(runs[3]!.text).toContain('store:stripe/secret-key');
      expect(runs[5]!.text).toContain('"action":"secret.key.rotate"');
      expectNoCanary(runs.map((run) => run.text).join('\n'), 'the CLI output');
      expectNoCanary(fs.readFileSync(path.join(dataDir, 'public', 'secrets.enc'), 'utf8'), 'the encrypted file');
    } finally {
      await clone.drop();
    }
  }, 180_000); // six CLI processes, each loading the TypeScript CLI
});
