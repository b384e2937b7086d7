/**
 * `rp secrets`: status, writes and key rotation of the secret store, for the operator on the
 * host. Values are never printed and never taken as arguments (they would land in the shell
 * history and the process list): `set` reads them from stdin, a file or an environment variable.
 * They run beside a running server, on the embedded database as on Postgres (DATABASE_URL).
 */
import os from 'node:os';
import type { Command } from 'commander';
import type * as SecretsModule from '@/lib/secrets';
import type { KeySource, SecretActor, WorkspaceRef } from '@/lib/secrets';

interface TargetOption {
  target: string;
}
interface WorkspaceOption extends TargetOption {
  workspace?: string;
}

export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('secret references, the encrypted store and its key (values are never printed)');

  secrets
    .command('list')
    .description('installation secrets with their status, the store and its key, and stored entries (no values)')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--workspace <slug>', "also list this workspace's stored entries")
    .action((options: WorkspaceOption) =>
      withSecrets(options, async (api, workspace) => {
        const statuses = await api.installationSecretsStatus();
        console.log('Installation secrets');
        printTable(
          ['name', 'reference', 'source', 'set', 'note'],
          statuses.map((s) => [s.name, s.reference, s.source ?? '-', s.set ? 'yes' : 'no', s.problem ?? s.detail]),
        );
        const store = await api.secretStoreStatus();
        console.log(`\nStore: ${store.store}`);
        console.log(`Key: ${store.keySource}${store.keyId ? `, id ${store.keyId}` : ''}${store.storeKeyId && store.storeKeyId !== store.keyId ? ` (store encrypted under ${store.storeKeyId})` : ''}`);
        console.log(`Access policy: ${store.policy}`);
        for (const problem of store.problems) console.log(`! ${problem}`);
        const scopes: Array<[string, WorkspaceRef | null]> = [['Stored installation entries', null]];
        if (workspace) scopes.push([`Stored entries of workspace ${options.workspace}`, workspace]);
        for (const [title, scope] of scopes) {
          const entries = await api.listStoredSecrets({ workspace: scope });
          console.log(`\n${title}: ${entries.length}`);
          if (entries.length) {
            printTable(
              ['reference', 'version', 'updated', 'by', 'key'],
              entries.map((e) => [e.reference, String(e.version), e.updatedAt.toISOString(), e.updatedBy ?? '-', e.keyId]),
            );
          }
        }
      }),
    );

  secrets
    .command('get-status')
    .argument('<name-or-reference>', 'an installation secret name (oidc.clientSecret) or a reference (store:production/token)')
    .description('whether a secret is set and where it comes from; exits 1 when it is not set')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--workspace <slug>', 'resolve store: references in this workspace')
    .action((nameOrReference: string, options: WorkspaceOption) =>
      withSecrets(options, async (api, workspace) => {
        const definition = api.installationSecrets().find((d) => d.name === nameOrReference);
        const status = definition
          ? (await api.installationSecretsStatus()).find((s) => s.name === nameOrReference)
          : await api.secretReferenceStatus(nameOrReference, { workspace });
        if (!status) throw new Error(`${nameOrReference} is not a secret of the ${options.target} target.`);
        console.log(`${status.reference}: ${status.set ? 'set' : 'not set'} (${status.detail})`);
        if (status.updatedAt) console.log(`updated ${status.updatedAt}${status.updatedBy ? ` by ${status.updatedBy}` : ''}`);
        if (status.problem) console.log(`! ${status.problem}`);
        if (!status.set || status.problem) process.exitCode = 1;
      }),
    );

  secrets
    .command('set')
    .argument('<reference>', 'a store: reference, e.g. store:production/prometheus-token')
    .description('encrypt and store a value read from stdin (or --from-file / --from-env); never from the command line')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--workspace <slug>', 'store it in this workspace (default: installation-level)')
    .option('--from-file <path>', 'read the value from this file')
    .option('--from-env <name>', 'read the value from this environment variable')
    .action((reference: string, options: WorkspaceOption & { fromFile?: string; fromEnv?: string }) =>
      withSecrets(options, async (api, workspace) => {
        const value = await readValue(options);
        const { version } = await api.writeSecret(reference, value, { workspace, actor: cliActor() });
        console.log(`${reference}: stored, version ${version}${workspace ? ` in workspace ${options.workspace}` : ''}.`);
      }),
    );

  secrets
    .command('delete')
    .argument('<reference>', 'a store: reference')
    .description('remove a stored entry')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--workspace <slug>', 'the workspace it belongs to (default: installation-level)')
    .action((reference: string, options: WorkspaceOption) =>
      withSecrets(options, async (api, workspace) => {
        const removed = await api.deleteSecret(reference, { workspace, actor: cliActor() });
        console.log(removed ? `${reference}: removed.` : `${reference}: nothing was stored there.`);
        if (!removed) process.exitCode = 1;
      }),
    );

  secrets
    .command('check')
    .argument('<reference>', 'the reference a flow would read')
    .description('what the secrets policy decides for a flow, without reading anything')
    .requiredOption('--purpose <purpose>', 'system, signing, connector or gate')
    .option('--environment <slug>', 'the environment the flow runs for')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--workspace <slug>', 'the workspace the flow runs in (default: installation-level)')
    .action((reference: string, options: WorkspaceOption & { purpose: string; environment?: string }) =>
      withSecrets(options, async (api, workspace) => {
        if (!(api.FLOW_PURPOSES as readonly string[]).includes(options.purpose)) {
          throw new Error(`--purpose must be one of ${api.FLOW_PURPOSES.join(', ')}.`);
        }
        const decision = api.checkSecretAccess(reference, {
          workspace,
          flow: { purpose: options.purpose as (typeof api.FLOW_PURPOSES)[number], environment: options.environment ?? null },
        });
        console.log(`${decision.allowed ? 'allowed' : 'denied'}: ${decision.reason}`);
        if (!decision.allowed) process.exitCode = 1;
      }),
    );

  secrets
    .command('rotate-key')
    .description('re-encrypt every stored secret under a new key in one step; then restart the service with the new key')
    .option('--target <target>', 'runtime or public', 'runtime')
    .option('--generate', 'make a new random key (into --new-key-file, or in place of the embedded default key file)')
    .option('--new-key-file <path>', 'the new key file (base64 or 32 raw bytes); made with --generate')
    .option('--new-key-env <name>', 'environment variable holding the new base64 key')
    .option('--new-password-env <name>', 'environment variable holding the new password (PBKDF2-SHA-256, 100,000 iterations)')
    .option('--new-password-file <path>', 'file holding the new password')
    .action(
      (options: TargetOption & { generate?: boolean; newKeyFile?: string; newKeyEnv?: string; newPasswordEnv?: string; newPasswordFile?: string }) =>
        withSecrets(options, async (api) => {
          const path = await import('node:path');
          const chosen = [options.newKeyFile, options.newKeyEnv, options.newPasswordEnv, options.newPasswordFile].filter(Boolean);
          if (chosen.length > 1) throw new Error('Name one new key source.');
          const current = api.secretsConfig().keySource;
          let newKey: KeySource;
          if (options.newKeyFile) newKey = { type: 'key-file', path: path.resolve(options.newKeyFile), isDefault: false };
          else if (options.newKeyEnv) newKey = { type: 'base64', variable: options.newKeyEnv };
          else if (options.newPasswordEnv) newKey = { type: 'password', variable: options.newPasswordEnv };
          else if (options.newPasswordFile) newKey = { type: 'password-file', path: path.resolve(options.newPasswordFile) };
          else if (options.generate && current.type === 'key-file' && current.isDefault) newKey = current;
          else throw new Error('Name the new key: --new-key-file PATH [--generate], --new-key-env NAME, --new-password-env NAME or --new-password-file PATH.');
          if (options.generate && newKey.type !== 'key-file') throw new Error('--generate makes a key file: use it with --new-key-file.');
          const result = await api.rotateStoreKey({ newKey, generate: options.generate, actor: cliActor() });
          console.log(`Re-encrypted ${result.rotated} secret(s): key ${result.previousKeyId ?? '(none)'} → ${result.keyId}.`);
          if (result.reconfigure) {
            console.log(`Now configure the new key (${result.newKeySource}) in place of the old one, then restart the service.`);
            console.log(configHint(newKey));
          } else {
            console.log(`The key file was replaced in place (the old one is kept beside it as .previous for old backups). Restart the service.`);
          }
        }),
    );
}

type SecretsApi = typeof SecretsModule;

async function withSecrets(options: WorkspaceOption, run: (api: SecretsApi, workspace: WorkspaceRef | null) => Promise<void>): Promise<void> {
  if (options.target !== 'runtime' && options.target !== 'public') throw new Error('--target is runtime or public.');
  const api = await import('@/lib/secrets');
  api.configureSecrets({ target: options.target });
  let closeDatabase = async () => {};
  if (options.target === 'runtime') {
    const { runtimeDatabase } = await import('@/db/runtime');
    closeDatabase = () => runtimeDatabase.close();
  } else if (options.workspace) {
    throw new Error('The public target has no workspaces.');
  }
  try {
    await run(api, options.workspace ? await findWorkspace(options.workspace) : null);
  } catch (error) {
    // Errors of the secrets layer name references, never values: print them as they are.
    if (error instanceof api.SecretError) throw new Error(error.message, { cause: error });
    throw error;
  } finally {
    await closeDatabase();
  }
}

async function findWorkspace(slug: string): Promise<WorkspaceRef> {
  const { eq } = await import('drizzle-orm');
  const { getRuntimeDb } = await import('@/db/runtime');
  const { workspaces } = await import('@/db/schema/runtime');
  const [row] = await (await getRuntimeDb()).select({ id: workspaces.id, slug: workspaces.slug }).from(workspaces).where(eq(workspaces.slug, slug));
  if (!row) throw new Error(`No workspace "${slug}".`);
  return row;
}

export function cliActor(): SecretActor {
  const user = safeUsername();
  return { type: 'operator', id: user, label: `rp CLI (${user}@${os.hostname()})` };
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

async function readValue(options: { fromFile?: string; fromEnv?: string }): Promise<Buffer> {
  if (options.fromFile && options.fromEnv) throw new Error('Use --from-file or --from-env, not both.');
  if (options.fromFile) {
    (await import('../support/api')).assertReadableFile(options.fromFile, '--from-file');
    return (await import('node:fs')).readFileSync(options.fromFile);
  }
  if (options.fromEnv) {
    const value = process.env[options.fromEnv];
    if (!value) throw new Error(`The environment variable ${options.fromEnv} is not set.`);
    return Buffer.from(value, 'utf8');
  }
  if (process.stdin.isTTY) return Buffer.from(await promptHidden('Value (not shown): '), 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  // `echo value | rp secrets set ...` adds one newline that is not part of the value.
  return bytes.at(-1) === 0x0a ? bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1) : bytes;
}

async function promptHidden(question: string): Promise<string> {
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write(question);
  // Echo nothing of what is typed.
  (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => {};
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    }),
  );
}

function configHint(source: KeySource): string {
  switch (source.type) {
    case 'key-file':
      return `  RP_SECRETS_KEY_FILE=${source.path}   (and unset the previous key variable)`;
    case 'base64':
      return `  RP_SECRETS_KEY=<the value of ${source.variable}>   (and unset the previous key variable)`;
    case 'password':
      return `  RP_SECRETS_PASSWORD=<the value of ${source.variable}>   (and unset the previous key variable)`;
    case 'password-file':
      return `  RP_SECRETS_PASSWORD_FILE=${source.path}   (and unset the previous key variable)`;
  }
}

function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
}
