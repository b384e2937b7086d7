/**
 * Whether a secret is set and where it comes from, never what it is: the console's settings and
 * the portal's admin page show exactly this. Checking status reads no value (a file is stat-ed,
 * a store entry's metadata is read), so it is not an audited read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type SecretScope, scopeOf } from './cipher';
import { secretsConfig } from './config';
import { SecretError } from './errors';
import { describeKeySource } from './keys';
import { parseSecretReference } from './reference';
import { installationSecretReference, installationSecrets } from './registry';
import type { WorkspaceRef } from './resolve';
import { storeBackend, storeKey } from './store';
import type { SecretSource } from './value';
import { vaultStatus } from './vault';

export interface SecretStatus {
  reference: string;
  /** Where the value comes from; null when the reference itself is not valid. */
  source: SecretSource | null;
  set: boolean;
  /** One line for people: "environment variable OIDC_CLIENT_SECRET", "stored, version 3". */
  detail: string;
  /** Something to fix, if any: "file cannot be read", "encrypted under another key". */
  problem?: string;
  version?: number;
  updatedAt?: string;
  updatedBy?: string | null;
}

export interface InstallationSecretStatus extends SecretStatus {
  name: string;
  label: string;
  description: string;
  required: boolean;
}

export async function secretReferenceStatus(reference: string, context: { workspace?: WorkspaceRef | null } = {}): Promise<SecretStatus> {
  let parsed;
  try {
    parsed = parseSecretReference(reference);
  } catch (error) {
    return { reference: '(invalid reference)', source: null, set: false, detail: 'not a valid reference', problem: (error as Error).message };
  }
  switch (parsed.scheme) {
    case 'env': {
      const set = (secretsConfig().env[parsed.name] ?? '') !== '';
      return { reference: parsed.text, source: 'environment', set, detail: `environment variable ${parsed.name}`, ...(set ? {} : { problem: 'not set' }) };
    }
    case 'file':
      return { reference: parsed.text, source: 'file', ...fileStatus(parsed.path) };
    case 'store':
      return { reference: parsed.text, ...(await storeEntryStatus(parsed.path, scopeOf(context.workspace))) };
    case 'vault':
      return { reference: parsed.text, source: 'vault', ...(await vaultStatus(parsed)) };
  }
}

function fileStatus(file: string): Pick<SecretStatus, 'set' | 'detail' | 'problem' | 'updatedAt'> {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { set: false, detail: `file ${file}`, problem: 'not a regular file' };
    fs.accessSync(file, fs.constants.R_OK);
    if (stat.size === 0) return { set: false, detail: `file ${file}`, problem: 'the file is empty' };
    return { set: true, detail: `file ${file}`, updatedAt: stat.mtime.toISOString() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { set: false, detail: `file ${file}`, problem: code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code})` };
  }
}

async function storeEntryStatus(entryPath: string, scope: SecretScope): Promise<Omit<SecretStatus, 'reference'>> {
  const backend = await storeBackend();
  const source: SecretSource = backend.kind === 'file' ? 'encrypted file' : 'encrypted store';
  let entry;
  try {
    entry = await backend.get(scope, entryPath);
  } catch (error) {
    return { source, set: false, detail: backend.description, problem: (error as Error).message };
  }
  if (!entry) return { source, set: false, detail: backend.description, problem: 'nothing stored at this path' };
  const status = {
    source,
    set: true,
    detail: `${backend.description}, version ${entry.version}`,
    version: entry.version,
    updatedAt: entry.updatedAt.toISOString(),
    updatedBy: entry.updatedBy,
  };
  try {
    const key = await storeKey(backend, { forWrite: false });
    if (entry.keyId !== key.id) return { ...status, problem: `encrypted under key ${entry.keyId}, not the configured key ${key.id}` };
  } catch (error) {
    return { ...status, problem: error instanceof SecretError ? error.message : 'the store key cannot be loaded' };
  }
  return status;
}

/** Every installation-level secret of the current target, with its status. */
export async function installationSecretsStatus(): Promise<InstallationSecretStatus[]> {
  const config = secretsConfig();
  const definitions = installationSecrets().filter((definition) => definition.targets.includes(config.target));
  return Promise.all(
    definitions.map(async (definition) => {
      const given = await secretReferenceStatus(installationSecretReference(definition, config.env));
      const status = given.set || !definition.launcherFile ? given : launcherMadeStatus(given, path.join(config.targetDataDir, definition.launcherFile));
      const optionalUnset = !status.set && !definition.required && status.source !== null && !status.problem?.includes('cannot');
      return {
        name: definition.name,
        label: definition.label,
        description: definition.description,
        required: definition.required,
        ...status,
        ...(optionalUnset ? { problem: undefined, detail: `${status.detail} (not configured: optional)` } : {}),
      };
    }),
  );
}

/**
 * An unset variable whose value the launcher makes on one machine: set when the launcher's file is
 * there (`rp secrets list` runs without the launcher's environment, so the variable alone said
 * "not set" for a server that had its key), still a problem when it is not.
 */
function launcherMadeStatus(given: SecretStatus, file: string): SecretStatus {
  const made = fileStatus(file);
  if (!made.set) return { ...given, problem: `${given.problem ?? 'not set'}; no key made by the launcher in ${file} either` };
  return { ...given, source: 'file', set: true, detail: `the launcher's key file ${file} (${given.detail} is unset; replicas need one value in it)`, problem: undefined };
}

export interface StoreStatus {
  /** "runtime database" or "encrypted file <path>". */
  store: string;
  keySource: string;
  /** The configured key's fingerprint, or null when it cannot be loaded. */
  keyId: string | null;
  /** The fingerprint the store is encrypted under; null before the first write. */
  storeKeyId: string | null;
  passwordDerived: boolean;
  policy: string;
  problems: string[];
}

export async function secretStoreStatus(): Promise<StoreStatus> {
  const config = secretsConfig();
  const backend = await storeBackend(config);
  const problems: string[] = [];
  const meta = await backend.getMeta();
  let keyId: string | null = null;
  const source = config.keySource;
  const defaultKeyNotYetMade = !meta && source.type === 'key-file' && source.isDefault && !fs.existsSync(source.path);
  if (!defaultKeyNotYetMade) {
    try {
      keyId = (await storeKey(backend, { forWrite: false }, config)).id;
    } catch (error) {
      problems.push(error instanceof SecretError ? error.message : 'The store key cannot be loaded.');
    }
  }
  if (source.type === 'key-file' && source.isDefault) {
    problems.push('The store key is the embedded default file beside the data: for production, move it to a key file or variable kept apart from backups of the data directory.');
  }
  return {
    store: backend.description,
    keySource: describeKeySource(config.keySource),
    keyId,
    storeKeyId: meta?.keyId ?? null,
    passwordDerived: meta?.kdf != null,
    policy: config.policy.origin,
    problems,
  };
}
